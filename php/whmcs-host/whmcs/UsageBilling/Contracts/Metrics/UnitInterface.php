<?php

namespace WHMCS\UsageBilling\Contracts\Metrics;

/**
 * Unit of a metric. The constant names are not documented by WHMCS;
 * the emulation uses these three.
 */
interface UnitInterface
{
    const TYPE_INT = 'int';
    const TYPE_FLOAT_PRECISION_LOW = 'float_low';
    const TYPE_FLOAT_PRECISION_HIGH = 'float_high';

    public function name();

    public function perUnitName($value = 0);

    public function prefix();

    public function suffix();

    public function decorate($value);

    public function roundForType($value);

    public function formatForType($value);

    public function type();
}
