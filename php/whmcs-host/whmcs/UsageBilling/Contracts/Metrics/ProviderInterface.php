<?php

namespace WHMCS\UsageBilling\Contracts\Metrics;

interface ProviderInterface
{
    /** @return MetricInterface[] */
    public function metrics();

    /** @return array<string, MetricInterface[]> keyed by tenant identifier */
    public function usage();

    /** @return MetricInterface[] */
    public function tenantUsage($tenant);
}
