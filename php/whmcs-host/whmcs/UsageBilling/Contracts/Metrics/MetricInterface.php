<?php

namespace WHMCS\UsageBilling\Contracts\Metrics;

interface MetricInterface
{
    const TYPE_SNAPSHOT = 'snapshot';
    const TYPE_PERIOD_DAY = 'day';
    const TYPE_PERIOD_MONTH = 'month';

    public function systemName();

    public function displayName();

    public function type();

    /** @return UnitInterface */
    public function units();

    /** @return UsageInterface|null */
    public function usage();

    /** @return static */
    public function withUsage(UsageInterface $usage = null);
}
