<?php
/**
 * Glue of the legacy-editions page (manual 6.6.3): the WHMCS rows the extension plans with,
 * and the WHMCS effects it switches services with (see `docs/offering-items.md`).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/provisioning.php';

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\CustomFields;
use AcronisCloud\Whmcs\LocalApi;
use WHMCS\Database\Capsule;

/** Active and suspended services of the module and the module's products. */
function acroniscloud_legacy_inventory(): array
{
    $services = Capsule::table('tblhosting')
        ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
        ->leftJoin('tblclients', 'tblclients.id', '=', 'tblhosting.userid')
        ->where('tblproducts.servertype', 'acroniscloud')
        ->whereIn('tblhosting.domainstatus', ['Active', 'Suspended'])
        ->orderBy('tblhosting.id')
        ->get(['tblhosting.id', 'tblhosting.packageid', 'tblhosting.server', 'tblhosting.domain', 'tblhosting.domainstatus',
            'tblclients.firstname', 'tblclients.lastname', 'tblclients.companyname'])
        ->map(static function ($r) {
            $client = trim((string) $r->companyname) !== '' ? (string) $r->companyname : trim($r->firstname . ' ' . $r->lastname);
            return ['service_id' => (int) $r->id, 'product_id' => (int) $r->packageid, 'server_id' => (int) $r->server,
                'client' => $client, 'domain' => (string) $r->domain, 'status' => (string) $r->domainstatus];
        })->all();
    $products = Capsule::table('tblproducts')->where('servertype', 'acroniscloud')->orderBy('id')
        ->get(['id', 'name', 'configoption1'])
        ->map(static fn ($r) => ['product_id' => (int) $r->id, 'name' => (string) $r->name, 'template_id' => (int) $r->configoption1])
        ->all();
    return ['services' => $services, 'products' => $products];
}

/**
 * The WHMCS effects of the switch, one callback each; the order, the rollback and the
 * per-service isolation are the extension's (`AcronisCloud\Addon::handle`, `legacy_switch`).
 * A callback answers its value, `true`, or `['error' => message]`.
 */
function acroniscloud_legacy_host(): array
{
    return acroniscloud_product_move_host() + [
        'product_of' => static fn (int $serviceId): int => (int) Capsule::table('tblhosting')->where('id', $serviceId)->value('packageid'),
        'module_fields' => static fn (int $serviceId, int $pid): array => CustomFields::values($pid, $serviceId),
        'prepare_product' => static function (int $pid): bool {
            acroniscloud_upgrade_target(['newproductid' => $pid]);
            return true;
        },
        'change_package' => static function (int $serviceId) {
            $answer = LocalApi::call('ModuleChangePackage', ['serviceid' => $serviceId]);
            return ($answer['result'] ?? '') === 'success' ? true : ['error' => (string) ($answer['message'] ?? 'ModuleChangePackage failed')];
        },
        'activity' => static function (string $text): bool {
            ActivityLog::write($text);
            return true;
        },
    ];
}
