<?php

namespace WHMCS\Module\Server\AcronisCloud;

use WHMCS\UsageBilling\Metrics\Units\FloatingPoint;

/** Unit of the compute-point metrics (docs/behaviour.md §F.5): seconds reported, hours billed. */
class Hours extends FloatingPoint
{
    public function __construct($name = 'Hours', $singlePerUnitName = 'Hour', $pluralPerUnitName = 'Hours', $prefix = null, $suffix = 'h')
    {
        parent::__construct($name, $singlePerUnitName, $pluralPerUnitName, $prefix, $suffix);
    }
}
