<?php
/**
 * Glue of the provisioning callbacks and hooks: reads what WHMCS knows about a service
 * (module `$params` or, for hooks, the WHMCS tables), hands it to the extension
 * (`AcronisCloud\Provisioning::run`) with callbacks for the WHMCS-side effects, and turns the
 * answer into what WHMCS expects. Decisions are made in the extension.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\CustomFields;
use AcronisCloud\Whmcs\LocalApi;
use AcronisCloud\Whmcs\Servers;
use WHMCS\Database\Capsule;

/** Session key of the provisioning-error banner (docs/behaviour.md §A.14). */
const ACRONISCLOUD_BANNER_TITLE = 'Acronis Cyber Cloud: Provisioning purchase failed';

/**
 * One lifecycle callback (`create`, `change`, `suspend`, `unsuspend`, `terminate`) for module
 * `$params`; returns "success" or the message WHMCS shows.
 */
function acroniscloud_provision(string $action, string $function, array $params): string
{
    try {
        $options = acroniscloud_options('servers', $function);
        $service = acroniscloud_service_input($params);
        if ($service === null) {
            // TerminateAccount of a service that is not (any more) an Acronis service: nothing to do.
            return 'success';
        }
        $options['admin_area'] = !empty($GLOBALS['_ADMINLANG']);
        $options['request_uri'] = (string) ($_SERVER['REQUEST_URI'] ?? '');
        $out = \AcronisCloud\Provisioning::run($action, $service, acroniscloud_provisioning_host($service), $options);
    } catch (\Throwable $e) {
        $out = ['result' => 'Error: ' . $e->getMessage(), 'warnings' => [], 'banner' => false];
    }
    ActivityLog::each('service ' . (int) ($params['serviceid'] ?? 0) . ': ', $out['warnings']);
    if (!empty($out['banner'])) {
        acroniscloud_banner_push((string) $out['result']);
    }
    return (string) $out['result'];
}

/**
 * The service as the extension wants it (`ServiceInput`), from module `$params` completed
 * with the WHMCS tables; null when the service or its product is not an Acronis one.
 */
function acroniscloud_service_input(array $params): ?array
{
    $serviceId = (int) ($params['serviceid'] ?? 0);
    $hosting = Capsule::table('tblhosting')->where('id', $serviceId)->first();
    if ($hosting === null) {
        return null;
    }
    $pid = (int) ($params['pid'] ?? $hosting->packageid);
    $product = Capsule::table('tblproducts')->where('id', $pid)->where('servertype', 'acroniscloud')->first();
    $serverId = (int) $hosting->server;
    $options = [];
    foreach ((array) ($params['configoptions'] ?? []) as $name => $value) {
        $options[] = [(string) $name, is_int($value) ? $value : (string) $value];
    }
    $fields = (array) ($params['customfields'] ?? []);
    return [
        'service_id' => $serviceId,
        'client_id' => (int) ($params['userid'] ?? $hosting->userid),
        'product_id' => $pid,
        'server_id' => Servers::isOurs($serverId) ? $serverId : null,
        'template_id' => (string) ($params['configoption1'] ?? ($product->configoption1 ?? '')),
        'activation' => (string) ($params['configoption2'] ?? ($product->configoption2 ?? '')),
        'pay_type' => $product !== null ? (string) $product->paytype : null,
        'config_options' => $options,
        'yes_no_options' => acroniscloud_yes_no_options($pid),
        'config_option_groups' => array_map('intval', Capsule::table('tblproductconfiglinks')->where('pid', $pid)->pluck('gid')->all()),
        'client' => acroniscloud_client_input((array) ($params['clientsdetails'] ?? [])),
        'fields' => [
            'tenant_id' => trim((string) ($fields['tenant_id'] ?? '')),
            'user_id' => trim((string) ($fields['user_id'] ?? '')),
            'cloud_login' => trim((string) ($fields['cloud_login'] ?? '')),
            'cloud_password' => (string) ($fields['cloud_password'] ?? ''),
        ],
        'whmcs_version' => isset($params['whmcsVersion']) ? (string) $params['whmcsVersion'] : null,
    ];
}

/**
 * Names (cut at `|`, trimmed) of the product's Yes/No configurable options (`optiontype` 3):
 * WHMCS passes only option values, and a ticked box (1) must not be read as a quantity.
 */
function acroniscloud_yes_no_options(int $pid): array
{
    $groups = Capsule::table('tblproductconfiglinks')->where('pid', $pid)->pluck('gid')->all();
    if ($groups === []) {
        return [];
    }
    $names = Capsule::table('tblproductconfigoptions')->whereIn('gid', $groups)->where('optiontype', '3')
        ->pluck('optionname')->all();
    return array_values(array_unique(array_map(
        static fn ($name) => trim(explode('|', (string) $name, 2)[0]),
        $names
    )));
}

/** Client details for the extension, with the locale of the client's WHMCS language. */
function acroniscloud_client_input(array $details): array
{
    $keys = ['firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber'];
    $client = [];
    foreach ($keys as $key) {
        $client[$key] = trim((string) ($details[$key] ?? ''));
    }
    $client['locale'] = '';
    $language = strtolower(trim((string) ($details['language'] ?? '')));
    if ($language !== '' && class_exists('\Lang')) {
        foreach (\Lang::getLocales() as $entry) {
            if (strtolower((string) ($entry['language'] ?? '')) === $language) {
                $client['locale'] = (string) ($entry['locale'] ?? '');
                break;
            }
        }
    }
    return $client;
}

/** Module-style `$params` of a service read from the WHMCS tables (hooks have no `$params`). */
function acroniscloud_service_params(int $serviceId): ?array
{
    $hosting = Capsule::table('tblhosting')->where('id', $serviceId)->first();
    if ($hosting === null) {
        return null;
    }
    $pid = (int) $hosting->packageid;
    $product = Capsule::table('tblproducts')->where('id', $pid)->first();
    if ($product === null || $product->servertype !== 'acroniscloud') {
        return null;
    }
    $fields = CustomFields::values($pid, $serviceId);
    $client = LocalApi::call('GetClientsDetails', ['clientid' => (int) $hosting->userid, 'stats' => false]);
    return [
        'serviceid' => $serviceId,
        'userid' => (int) $hosting->userid,
        'pid' => $pid,
        'configoption1' => (string) $product->configoption1,
        'configoption2' => (string) $product->configoption2,
        'customfields' => $fields,
        'configoptions' => [],
        'clientsdetails' => (array) ($client['client'] ?? $client),
    ];
}

/** Callbacks through which the extension changes WHMCS data of one service. */
function acroniscloud_provisioning_host(array $service): array
{
    $serviceId = (int) $service['service_id'];
    $pid = (int) $service['product_id'];
    $guard = static function (callable $fn): callable {
        return static function (...$args) use ($fn) {
            try {
                return $fn(...$args);
            } catch (\Throwable $e) {
                return ['error' => $e->getMessage()];
            }
        };
    };
    return [
        'server' => $guard(static fn (int $id): ?array => Servers::row($id)),
        'assign_server' => $guard(static function (int $id) use ($serviceId): bool {
            Capsule::table('tblhosting')->where('id', $serviceId)->update(['server' => $id]);
            return true;
        }),
        'save_fields' => $guard(static function (string $json) use ($serviceId, $pid): bool {
            CustomFields::save($serviceId, $pid, (array) json_decode($json, true, 4, JSON_THROW_ON_ERROR));
            return true;
        }),
        'services_with_tenant' => $guard(static fn (string $tenantId): array => CustomFields::servicesWithTenant($tenantId)),
    ];
}

/** ServiceDelete hook (§A.8): terminate, errors logged only; other modules' services ignored. */
function acroniscloud_service_deleted(array $vars): array
{
    $params = acroniscloud_service_params((int) ($vars['serviceid'] ?? 0));
    if ($params !== null && (int) ($vars['userid'] ?? $params['userid']) === (int) $params['userid']) {
        $result = acroniscloud_provision('terminate', 'ServiceDelete', $params);
        if ($result !== 'success') {
            ActivityLog::write('terminate on service delete failed for service ' . $params['serviceid'] . ': ' . $result);
        }
    }
    return $vars;
}

/** ClientEdit hook (§B.9): the client's new contact goes to every tenant and user of theirs. */
function acroniscloud_client_edited(array $vars): array
{
    $clientId = (int) ($vars['userid'] ?? 0);
    $serviceIds = Capsule::table('tblhosting')
        ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
        ->where('tblhosting.userid', $clientId)->where('tblproducts.servertype', 'acroniscloud')
        ->orderBy('tblhosting.id')->pluck('tblhosting.id')->all();
    foreach ($serviceIds as $serviceId) {
        $params = acroniscloud_service_params((int) $serviceId);
        if ($params === null) {
            continue;
        }
        $params['clientsdetails'] = $vars + $params['clientsdetails'];
        $result = acroniscloud_provision('sync_contact', 'ClientEdit', $params);
        if ($result !== 'success') {
            ActivityLog::write('contact update of service ' . $serviceId . ' failed: ' . $result);
        }
    }
    return $vars;
}

/**
 * AdminServiceEdit: an admin saved the service, possibly giving it to another client; the
 * extension compares the stored owner and moves the tenant when it changed.
 */
function acroniscloud_service_edited(array $vars): array
{
    $params = acroniscloud_service_params((int) ($vars['serviceid'] ?? 0));
    if ($params !== null) {
        $result = acroniscloud_provision('move', 'AdminServiceEdit', $params);
        if ($result !== 'success') {
            ActivityLog::write('service ' . (int) $vars['serviceid'] . ': moving to the new client failed: ' . $result);
        }
    }
    return $vars;
}

/** OrderProductUpgradeOverride (§B.10): the target product gets the module's custom fields. */
function acroniscloud_upgrade_target(array $vars): array
{
    $pid = (int) ($vars['newproductid'] ?? 0);
    $product = Capsule::table('tblproducts')->where('id', $pid)->first();
    if ($product !== null && $product->servertype === 'acroniscloud') {
        acroniscloud_product_edit(['pid' => $pid, 'servertype' => 'acroniscloud', 'configoption2' => (string) $product->configoption2]);
    }
    return $vars;
}

/**
 * The WHMCS effects of moving a service between products (the rollback after a failed
 * package change, the legacy-editions switch): `update_product` and `save_fields`, each
 * answering `true` or `['error' => message]`.
 */
function acroniscloud_product_move_host(): array
{
    return [
        'update_product' => static function (int $serviceId, int $pid) {
            $answer = LocalApi::call('UpdateClientProduct', ['serviceid' => $serviceId, 'pid' => $pid]);
            return ($answer['result'] ?? '') === 'success' ? true : ['error' => 'UpdateClientProduct failed: ' . ($answer['message'] ?? 'unknown error')];
        },
        'save_fields' => static function (int $serviceId, int $pid, string $json) {
            try {
                CustomFields::save($serviceId, $pid, (array) json_decode($json, true, 4, JSON_THROW_ON_ERROR));
                return true;
            } catch (\Throwable $e) {
                return ['error' => $e->getMessage()];
            }
        },
    ];
}

/**
 * AfterModuleChangePackageFailed (§B.10): WHMCS already switched the service to the new
 * product; the extension puts it back on the original one with its ids and reopens the upgrade.
 */
function acroniscloud_change_failed(array $vars): array
{
    $params = (array) ($vars['params'] ?? []);
    $serviceId = (int) ($params['serviceid'] ?? 0);
    $host = acroniscloud_product_move_host();
    $options = acroniscloud_options('servers', 'AfterModuleChangePackageFailed');
    $originalPid = \AcronisCloud\Provisioning::restoreAfterFailedChange($serviceId, (array) ($params['customfields'] ?? []), $host, $options);
    if ($originalPid !== null) {
        ActivityLog::write("service $serviceId moved back to product $originalPid after a failed package change");
    }
    return $vars;
}

function acroniscloud_banner_push(string $message): void
{
    $_SESSION['acroniscloud']['provisioning_errors'][] = ['title' => ACRONISCLOUD_BANNER_TITLE, 'message' => $message];
}

/** The first pending banner as HTML (all are cleared), '' when there is none. */
function acroniscloud_banner(bool $admin): string
{
    $errors = $_SESSION['acroniscloud']['provisioning_errors'] ?? [];
    unset($_SESSION['acroniscloud']['provisioning_errors']);
    if (!is_array($errors) || $errors === []) {
        return '';
    }
    $first = reset($errors);
    return \AcronisCloud\Markup::provisioningBanner($admin, (string) ($first['title'] ?? ''), (string) ($first['message'] ?? ''));
}
