<?php
/**
 * Glue of the legacy-editions page (manual 6.6.3): the WHMCS rows the extension plans with,
 * and the product moves it decided, run one service at a time through ChangePackage. One
 * service's failure never stops the others: it is put back on its product and reported.
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
 * Runs the moves `[{service_id, product_id}]`: product switch with the module's field values
 * carried over, then ModuleChangePackage. Returns one result per service.
 */
function acroniscloud_legacy_apply(array $moves): array
{
    $results = [];
    foreach ($moves as $move) {
        $serviceId = (int) ($move['service_id'] ?? 0);
        $target = (int) ($move['product_id'] ?? 0);
        try {
            $results[] = acroniscloud_legacy_switch_one($serviceId, $target);
        } catch (\Throwable $e) {
            ActivityLog::write("legacy switch of service $serviceId failed: " . \AcronisCloud\Logger::maskJson((string) json_encode($e->getMessage())));
            $results[] = ['service_id' => $serviceId, 'ok' => false, 'message' => 'The switch failed; the service was left on its product.'];
        }
    }
    return $results;
}

/** One service: move, ChangePackage, and back to the original product when it fails. */
function acroniscloud_legacy_switch_one(int $serviceId, int $target): array
{
    $original = (int) Capsule::table('tblhosting')->where('id', $serviceId)->value('packageid');
    $carried = [];
    foreach (['cloud_login', 'tenant_id', 'user_id'] as $key) {
        $value = trim((string) (CustomFields::values($original, $serviceId)[$key] ?? ''));
        if ($value !== '') {
            $carried[$key] = $value;
        }
    }
    acroniscloud_upgrade_target(['newproductid' => $target]);
    $moved = LocalApi::call('UpdateClientProduct', ['serviceid' => $serviceId, 'pid' => $target]);
    if (($moved['result'] ?? '') !== 'success') {
        return ['service_id' => $serviceId, 'ok' => false, 'message' => (string) ($moved['message'] ?? 'UpdateClientProduct failed')];
    }
    CustomFields::save($serviceId, $target, $carried);
    $answer = LocalApi::call('ModuleChangePackage', ['serviceid' => $serviceId]);
    if (($answer['result'] ?? '') === 'success') {
        ActivityLog::write("service $serviceId switched from product $original to $target (new licensing)");
        return ['service_id' => $serviceId, 'ok' => true, 'message' => 'success', 'product_id' => $target];
    }
    LocalApi::call('UpdateClientProduct', ['serviceid' => $serviceId, 'pid' => $original]);
    CustomFields::save($serviceId, $original, $carried);
    return ['service_id' => $serviceId, 'ok' => false, 'message' => (string) ($answer['message'] ?? 'ChangePackage failed')];
}
