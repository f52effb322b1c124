<?php
/**
 * Glue of usage billing (docs/behaviour.md §F, docs/usage-billing.md): reads from the WHMCS
 * tables what the extension needs (enabled metrics, Acronis servers, the tenants WHMCS services
 * know) and runs the cron hooks. Reports, aggregation and the usage store are the extension's
 * (`AcronisCloud\UsageMetrics`).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/quota_notices.php';

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\Servers;
use WHMCS\Database\Capsule;

/** Enabled metrics of module `acroniscloud` (`tblusage_items`, §F.2); optionally of one product. */
function acroniscloud_usage_items(?int $productId = null)
{
    $query = Capsule::table('tblusage_items')
        ->where('rel_type', 'Product')
        ->where('module', 'acroniscloud')
        ->where('is_hidden', 0)
        ->whereNull('deleted_at');
    if ($productId !== null) {
        $query->where('rel_id', $productId);
    }
    return $query;
}

/** "Metrics enabled" (§F.2): some Acronis product bills or shows at least one metric. */
function acroniscloud_metrics_enabled(): bool
{
    return acroniscloud_usage_items()->exists();
}

/** System names of the metrics enabled for a product, in the order they were enabled. */
function acroniscloud_enabled_metrics(int $productId): array
{
    $names = acroniscloud_usage_items($productId)->orderBy('id')->pluck('metric')->all();
    return array_values(array_unique(array_filter(array_map('strval', $names), static fn (string $n): bool => $n !== '')));
}

/** Ids of the `tenant_id` custom fields (`tenant_id` or `tenant_id|Label`) of Acronis products. */
function acroniscloud_tenant_field_ids(): array
{
    $fields = Capsule::table('tblcustomfields')
        ->join('tblproducts', 'tblproducts.id', '=', 'tblcustomfields.relid')
        ->where('tblcustomfields.type', 'product')
        ->where('tblproducts.servertype', 'acroniscloud')
        ->get(['tblcustomfields.id', 'tblcustomfields.fieldname']);
    $ids = [];
    foreach ($fields as $field) {
        if (\AcronisCloud\TemplateStore::fieldMatches((string) $field->fieldname, 'tenant_id')) {
            $ids[] = (int) $field->id;
        }
    }
    return $ids;
}

/**
 * Every non-empty `tenant_id` custom-field value of the Acronis services (any status),
 * distinct; with `$serverId` only the services on that server (`tblhosting.server`).
 */
function acroniscloud_known_tenants(?int $serverId = null): array
{
    $fieldIds = acroniscloud_tenant_field_ids();
    if ($fieldIds === []) {
        return [];
    }
    $query = Capsule::table('tblcustomfieldsvalues')
        ->join('tblhosting', 'tblhosting.id', '=', 'tblcustomfieldsvalues.relid')
        ->whereIn('tblcustomfieldsvalues.fieldid', $fieldIds)
        ->where('tblcustomfieldsvalues.value', '!=', '');
    if ($serverId !== null) {
        $query->where('tblhosting.server', $serverId);
    }
    $tenants = [];
    foreach ($query->pluck('tblcustomfieldsvalues.value')->all() as $value) {
        $value = trim((string) $value);
        if ($value !== '') {
            $tenants[$value] = true;
        }
    }
    return array_keys($tenants);
}

/** Options of a usage-billing call; `progress` prints progress lines on stderr (manage.php on a terminal). */
function acroniscloud_usage_options(string $module, string $function, bool $progress = false): array
{
    $options = acroniscloud_options($module, $function);
    if ($progress) {
        $options['progress'] = true;
    }
    return $options;
}

/** AfterCronJob (§F.2): advance today's report of every enabled Acronis server, in this process. */
function acroniscloud_after_cron(array $vars): array
{
    acroniscloud_usage_cron('AfterCronJob', 'afterCronJob', static function (array $options): void {
        $result = \AcronisCloud\UsageMetrics::process(Servers::rows(), 'acroniscloud_known_tenants', $options);
        foreach ((array) ($result['servers'] ?? []) as $server) {
            if (!empty($server['error'])) {
                ActivityLog::write('usage report: ' . (string) ($server['summary'] ?? ''));
            }
        }
    });
    return $vars;
}

/** DailyCronJob (§F.2): erase expired reports and usage history, then the quota notices. */
function acroniscloud_daily_cron(array $vars): array
{
    // The audit trail keeps `audit.retention_days` (config.yaml), whether or not metrics are
    // billed; a failure is reported once, like any failure of this hook.
    $pruned = \AcronisCloud\Addon::pruneAudit(acroniscloud_options('hooks', 'DailyCronJob'));
    acroniscloud_usage_cron('DailyCronJob', 'dailyCronJob', static function (array $options): void {
        $result = \AcronisCloud\UsageMetrics::erase($options);
        ActivityLog::each('usage report erase: ', (array) ($result['warnings'] ?? []));
        // After the usage pipeline's clean-up: e-mails for the stored usage that crossed a
        // quota threshold (quota_notices in config.yaml, off by default).
        acroniscloud_quota_notices($options);
    });
    if (isset($pruned['error'])) {
        throw new \RuntimeException('audit trail pruning failed: ' . $pruned['error']);
    }
    return $vars;
}

/** A cron hook's work, run only when metrics are enabled (§F.2); otherwise the skip is logged. */
function acroniscloud_usage_cron(string $function, string $label, callable $work): void
{
    $options = acroniscloud_usage_options('hooks', $function);
    if (!acroniscloud_metrics_enabled()) {
        \AcronisCloud\Logger::log((string) $options['config_file'], 'info', "hook: $label | Skipping, no metrics enabled");
        return;
    }
    $work($options);
}

/**
 * Today's usage of one service for the client area and the admin tab: the metrics enabled for
 * its product with display name, unit and value (`UsageMetrics::serviceUsage`). Null when the
 * product enables no metric.
 *
 * @return array{date: ?string, rows: list<array{name: string, display_name: string, unit: string, value: ?float, text: string}>}|null
 */
function acroniscloud_service_usage(int $productId, string $tenantId, string $locale): ?array
{
    $enabled = acroniscloud_enabled_metrics($productId);
    if ($enabled === []) {
        return null;
    }
    $options = acroniscloud_usage_options('servers', 'ServiceUsage');
    $options['locale'] = $locale !== '' ? $locale : (string) ($options['locale'] ?? '');
    return (array) \AcronisCloud\UsageMetrics::serviceUsage($tenantId, $enabled, $options);
}
