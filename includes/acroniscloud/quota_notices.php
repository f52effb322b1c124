<?php
/**
 * Glue of the quota notices (docs/quota-notices.md): the daily cron hands the extension the
 * active Acronis services and sends each notice it decides on through WHMCS's `SendEmail`
 * with the "Acronis Cloud Quota Notice" product template. Which notice is due, and the audit
 * row that keeps it from being sent twice, are the extension's.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/bootstrap.php';

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\EmailTemplates;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;
use WHMCS\Database\Capsule;

/**
 * Active Acronis services with a tenant, as `QuotaNotices::run` reads them (called by the
 * extension only when notices are on).
 */
function acroniscloud_quota_notice_services(): array
{
    // Notices are on: a site upgraded without re-activating the addon gets the template now.
    EmailTemplates::ensureQuotaNotice();
    $fieldIds = acroniscloud_tenant_field_ids();
    if ($fieldIds === []) {
        return [];
    }
    $rows = Capsule::table('tblhosting')
        ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
        ->join('tblcustomfieldsvalues', 'tblcustomfieldsvalues.relid', '=', 'tblhosting.id')
        ->leftJoin('tblclients', 'tblclients.id', '=', 'tblhosting.userid')
        ->where('tblproducts.servertype', 'acroniscloud')
        ->where('tblhosting.domainstatus', 'Active')
        ->whereIn('tblcustomfieldsvalues.fieldid', $fieldIds)
        ->where('tblcustomfieldsvalues.value', '!=', '')
        ->orderBy('tblhosting.id')
        ->get(['tblhosting.id', 'tblhosting.userid', 'tblhosting.server', 'tblhosting.packageid',
            'tblhosting.nextduedate', 'tblhosting.billingcycle', 'tblcustomfieldsvalues.value', 'tblclients.language']);
    $metrics = [];
    $services = [];
    foreach ($rows as $r) {
        $pid = (int) $r->packageid;
        $metrics[$pid] ??= acroniscloud_enabled_metrics($pid);
        $services[] = [
            'id' => (int) $r->id, 'client_id' => (int) $r->userid, 'server_id' => (int) $r->server,
            'tenant_id' => trim((string) $r->value), 'enabled_metrics' => $metrics[$pid],
            'next_due_date' => (string) $r->nextduedate, 'billing_cycle' => (string) $r->billingcycle,
            'language' => (string) ($r->language ?? ''),
        ];
    }
    return $services;
}

/** Sends one notice the extension decided on; WHMCS's answer goes back to the extension. */
function acroniscloud_send_quota_notice(array $notice): array
{
    $base = rtrim(Settings::system('SystemURL'), '/');
    return EmailTemplates::sendForService(EmailTemplates::QUOTA_NOTICE, (int) $notice['service_id'], [
        'acronis_metric' => (string) $notice['metric'],
        'acronis_metric_name' => (string) $notice['metric_name'],
        'acronis_usage' => $notice['usage'],
        'acronis_quota' => $notice['quota'],
        'acronis_unit' => (string) $notice['unit'],
        'acronis_threshold' => (int) $notice['threshold'],
        'acronis_period' => (string) $notice['period'],
        'acronis_date' => (string) $notice['date'],
        'acronis_upgrade_url' => ($base === '' ? '' : $base . '/') . (string) $notice['upgrade_path'],
    ]);
}

/** DailyCronJob: the quota notices (nothing is read when `quota_notices.enabled` is off). */
function acroniscloud_quota_notices(array $options): array
{
    $result = (array) \AcronisCloud\QuotaNotices::run(
        Servers::rows(),
        'acroniscloud_quota_notice_services',
        'acroniscloud_send_quota_notice',
        $options
    );
    ActivityLog::each('quota notices: ', (array) ($result['errors'] ?? []));
    return $result;
}
