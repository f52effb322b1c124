<?php

namespace WHMCS\UsageBilling\Metrics;

use WHMCS\UsageBilling\Contracts\Metrics\MetricInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UnitInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UsageInterface;
use WHMCS\UsageBilling\Metrics\Units\WholeNumber;

class Metric implements MetricInterface
{
    protected $systemName;
    protected $displayName;
    protected $type;
    protected $units;
    protected $usage;

    public function __construct($systemName, $displayName = null, $type = null, UnitInterface $units = null, UsageInterface $usage = null)
    {
        $this->systemName = $systemName;
        $this->displayName = $displayName !== null ? $displayName : $systemName;
        $this->type = $type !== null ? $type : self::TYPE_SNAPSHOT;
        $this->units = $units !== null ? $units : new WholeNumber('');
        $this->usage = $usage;
    }

    public function systemName()
    {
        return $this->systemName;
    }

    public function displayName()
    {
        return $this->displayName;
    }

    public function type()
    {
        return $this->type;
    }

    public function units()
    {
        return $this->units;
    }

    public function usage()
    {
        return $this->usage;
    }

    public function withUsage(UsageInterface $usage = null)
    {
        $copy = clone $this;
        $copy->usage = $usage;
        return $copy;
    }
}
