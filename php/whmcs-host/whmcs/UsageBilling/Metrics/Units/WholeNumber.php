<?php

namespace WHMCS\UsageBilling\Metrics\Units;

class WholeNumber extends AbstractUnit
{
    public function type()
    {
        return self::TYPE_INT;
    }
}
