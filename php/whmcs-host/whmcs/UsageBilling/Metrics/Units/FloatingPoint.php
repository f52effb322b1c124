<?php

namespace WHMCS\UsageBilling\Metrics\Units;

class FloatingPoint extends AbstractUnit
{
    public function type()
    {
        return self::TYPE_FLOAT_PRECISION_HIGH;
    }
}
