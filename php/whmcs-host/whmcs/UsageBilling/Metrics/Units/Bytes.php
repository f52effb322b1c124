<?php

namespace WHMCS\UsageBilling\Metrics\Units;

class Bytes extends FloatingPoint
{
    public function __construct($name = 'Bytes', $singlePerUnitName = null, $pluralPerUnitName = null, $prefix = null, $suffix = 'B')
    {
        parent::__construct($name, $singlePerUnitName, $pluralPerUnitName, $prefix, $suffix);
    }
}
