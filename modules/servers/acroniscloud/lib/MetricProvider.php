<?php

namespace WHMCS\Module\Server\AcronisCloud;

use AcronisCloud\UsageMetrics;
use WHMCS\UsageBilling\Contracts\Metrics\MetricInterface;
use WHMCS\UsageBilling\Contracts\Metrics\ProviderInterface;
use WHMCS\UsageBilling\Metrics\Metric;
use WHMCS\UsageBilling\Metrics\Units\Accounts;
use WHMCS\UsageBilling\Metrics\Units\GigaBytes;
use WHMCS\UsageBilling\Metrics\Usage;

require_once __DIR__ . '/../../../../includes/acroniscloud/usage.php';

/**
 * WHMCS usage billing (docs/behaviour.md §F.5): the 43 catalog metrics and
 * the usage the cron collected (`AcronisCloud\UsageMetrics`). Construction only keeps the server
 * params; nothing is read or contacted until a method is called.
 *
 * Memory: usage() lists, per tenant, only the metrics that carry a value, each one small
 * MeteredValue object over the shared catalog metric and one Carbon per collection time; the
 * extension hands the values over a thousand tenants at a time. So usage() of 100,000 tenants
 * stays within WHMCS's 256 MB (`make bench` measures it). tenantUsage() (one service) lists
 * all 43 metrics, those without a value as the shared catalog object.
 */
class MetricProvider implements ProviderInterface
{
    /** @var array */
    private $params;
    /** @var array<string, Metric>|null catalog metrics without usage, by system name */
    private $metrics = null;
    /** @var array<string, int> position of each metric in the list */
    private $positions = [];

    public function __construct(array $params)
    {
        $this->params = $params;
    }

    public function metrics()
    {
        return array_values($this->definitions());
    }

    /** `[tenant id => MetricInterface[]]` for the tenants of this server's services that have usage. */
    public function usage()
    {
        $serverId = (int) ($this->params['serverid'] ?? 0);
        if ($serverId <= 0) {
            return [];
        }
        // WHMCS records usage only for the metrics enabled on a product (tblusage_items).
        $enabled = acroniscloud_usage_items()->pluck('metric')->unique()->values()->all();
        return $this->usageOfTenants(acroniscloud_known_tenants($serverId), $enabled);
    }

    /**
     * `[tenant id => MetricInterface[]]`: for each of `$tenants` with collected values, the
     * metrics that carry one (metrics without a value add nothing), limited to `$only` (system
     * names) when given.
     */
    public function usageOfTenants(array $tenants, ?array $only = null): array
    {
        $metrics = $this->definitions();
        if ($only !== null) {
            $metrics = array_intersect_key($metrics, array_flip($only));
        }
        $times = [];
        $out = [];
        UsageMetrics::usage(array_values($tenants), $this->options(), static function (array $page) use ($metrics, &$times, &$out): void {
            foreach ($page as $tenant => $day) {
                $at = (int) ($day['collected_at'] ?? 0);
                if (!isset($times[$at])) {
                    $times[$at] = self::carbon($at);
                }
                $list = [];
                foreach ((array) ($day['values'] ?? []) as $name => $value) {
                    if (isset($metrics[$name])) {
                        $list[] = new MeteredValue($metrics[$name], (float) $value, $times[$at]);
                    }
                }
                $out[(string) $tenant] = $list;
            }
        });
        return $out;
    }

    /** All metrics for one tenant; those the tenant has a value for carry its usage. */
    public function tenantUsage($tenant)
    {
        $tenant = trim((string) $tenant);
        if ($tenant === '') {
            return $this->metrics();
        }
        return $this->usageOf([$tenant])[$tenant] ?? $this->metrics();
    }

    private function options(): array
    {
        return acroniscloud_options('servers', 'MetricProvider');
    }

    /** @return array<string, Metric> */
    private function definitions(): array
    {
        if ($this->metrics === null) {
            $units = [];
            $this->metrics = [];
            foreach (UsageMetrics::definitions($this->options()) as $definition) {
                $unit = (string) $definition['unit'];
                if (!isset($units[$unit])) {
                    $units[$unit] = self::unit($unit);
                }
                $type = $definition['type'] === 'month' ? MetricInterface::TYPE_PERIOD_MONTH : MetricInterface::TYPE_SNAPSHOT;
                $name = (string) $definition['name'];
                $this->positions[$name] = count($this->metrics);
                $this->metrics[$name] = new Metric($name, (string) $definition['display_name'], $type, $units[$unit]);
            }
        }
        return $this->metrics;
    }

    private static function unit(string $unit)
    {
        switch ($unit) {
            case 'gigabytes':
                return new GigaBytes();
            case 'hours':
                return new Hours();
            default:
                return new Accounts();
        }
    }

    /** @return array<string, Metric[]> */
    private function usageOf(array $tenants): array
    {
        $metrics = $this->definitions();
        $plain = array_values($metrics);
        $data = UsageMetrics::usage(array_values($tenants), $this->options());
        $times = [];
        $out = [];
        foreach ($data as $tenant => $day) {
            $values = (array) ($day['values'] ?? []);
            $list = $plain;
            $at = (int) ($day['collected_at'] ?? 0);
            if (!isset($times[$at])) {
                $times[$at] = self::carbon($at);
            }
            foreach ($values as $name => $value) {
                if (isset($this->positions[$name])) {
                    $list[$this->positions[$name]] = $metrics[$name]->withUsage(new Usage((float) $value, $times[$at]));
                }
            }
            $out[(string) $tenant] = $list;
        }
        return $out;
    }

    private static function carbon(int $timestamp)
    {
        $class = class_exists('\WHMCS\Carbon') ? '\WHMCS\Carbon' : '\Carbon\Carbon';
        return $timestamp > 0 ? $class::createFromTimestamp($timestamp) : $class::now();
    }
}
