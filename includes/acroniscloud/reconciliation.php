<?php
/**
 * Glue of the reconciliation page (admin action `reconciliation`): reads from the WHMCS tables
 * what the extension compares with each Acronis server — the services of Acronis products with
 * their `tenant_id`, and the usage WHMCS recorded per tenant (`tbltenant_stats`). The
 * comparison itself is the extension's (`acroniscloud_core::reconciliation`).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/usage.php';

use AcronisCloud\Whmcs\Servers;
use WHMCS\Database\Capsule;

/** Services of Acronis products: `[{id, user_id, server_id, status, tenant_id, product}]`. */
function acroniscloud_reconciliation_services(): array
{
    $tenants = [];
    $fieldIds = acroniscloud_tenant_field_ids();
    if ($fieldIds !== []) {
        foreach (Capsule::table('tblcustomfieldsvalues')->whereIn('fieldid', $fieldIds)->get(['relid', 'value']) as $row) {
            $value = trim((string) $row->value);
            if ($value !== '') {
                $tenants[(int) $row->relid] = $value;
            }
        }
    }
    $rows = Capsule::table('tblhosting')
        ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
        ->where('tblproducts.servertype', Servers::TYPE)
        ->orderBy('tblhosting.id')
        ->get(['tblhosting.id', 'tblhosting.userid', 'tblhosting.server', 'tblhosting.domainstatus', 'tblproducts.name']);
    $out = [];
    foreach ($rows as $row) {
        $out[] = [
            'id' => (int) $row->id, 'user_id' => (int) $row->userid, 'server_id' => (int) $row->server,
            'status' => (string) $row->domainstatus, 'tenant_id' => $tenants[(int) $row->id] ?? '', 'product' => (string) $row->name,
        ];
    }
    return $out;
}

/**
 * What WHMCS recorded for the tenants of Acronis servers (its usage billing's `tbltenant_stats`,
 * already in the billing unit): the latest value per tenant and metric,
 * `[{tenant_id, date, metric, value}]` (one row per tenant and metric, however long WHMCS keeps
 * its history). [] on a WHMCS without these tables.
 */
function acroniscloud_reconciliation_billed(): array
{
    $schema = Capsule::schema();
    if (!$schema->hasTable('tbltenant_stats') || !$schema->hasTable('tblserver_tenants')) {
        return [];
    }
    $latest = Capsule::table('tbltenant_stats')
        ->join('tblserver_tenants', 'tblserver_tenants.id', '=', 'tbltenant_stats.tenant_id')
        ->join('tblservers', 'tblservers.id', '=', 'tblserver_tenants.server_id')
        ->where('tblservers.type', Servers::TYPE)
        ->groupBy('tbltenant_stats.tenant_id', 'tbltenant_stats.metric')
        ->selectRaw('MAX(tbltenant_stats.id) AS id')
        ->pluck('id')->all();
    $out = [];
    foreach (array_chunk(array_map('intval', $latest), 500) as $ids) {
        $rows = Capsule::table('tbltenant_stats')
            ->join('tblserver_tenants', 'tblserver_tenants.id', '=', 'tbltenant_stats.tenant_id')
            ->whereIn('tbltenant_stats.id', $ids)
            ->get(['tblserver_tenants.tenant', 'tbltenant_stats.metric', 'tbltenant_stats.value', 'tbltenant_stats.measured_at']);
        foreach ($rows as $row) {
            $out[] = ['tenant_id' => (string) $row->tenant, 'date' => substr((string) $row->measured_at, 0, 10),
                'metric' => (string) $row->metric, 'value' => (float) $row->value];
        }
    }
    return $out;
}
