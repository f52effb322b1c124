<?php

namespace WHMCS\Module\Server\AcronisCloud;

use WHMCS\UsageBilling\Contracts\Metrics\MetricInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UsageInterface;

/**
 * One metric of one tenant carrying its value: the metric and its usage in a single small
 * object that refers to the shared catalog metric and collection time. usage() of a server
 * with 100,000 tenants holds one of these per billed value instead of a Metric and a Usage
 * object each (measured by `make bench`: the difference decides whether it fits in 256 MB).
 */
final class MeteredValue implements MetricInterface, UsageInterface
{
    /** @var MetricInterface */
    private $metric;
    /** @var float */
    private $value;
    /** @var mixed Carbon */
    private $collectedAt;

    public function __construct(MetricInterface $metric, float $value, $collectedAt)
    {
        $this->metric = $metric;
        $this->value = $value;
        $this->collectedAt = $collectedAt;
    }

    public function systemName()
    {
        return $this->metric->systemName();
    }

    public function displayName()
    {
        return $this->metric->displayName();
    }

    public function type()
    {
        return $this->metric->type();
    }

    public function units()
    {
        return $this->metric->units();
    }

    public function usage()
    {
        return $this;
    }

    public function withUsage(UsageInterface $usage = null)
    {
        return $this->metric->withUsage($usage);
    }

    public function collectedAt()
    {
        return $this->collectedAt;
    }

    public function startAt()
    {
        return null;
    }

    public function endAt()
    {
        return null;
    }

    public function value()
    {
        return $this->value;
    }
}
