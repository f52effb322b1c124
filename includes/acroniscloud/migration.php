<?php
/**
 * Glue of the module-v1 migration run by addon activation (docs/behaviour.md §I.2): reads
 * the v1 rows (servers and products of type AcronisBackupService, their services' v1 custom
 * fields, linked configurable options, the v1 Vers.ion file), lets the extension check and
 * decide everything, then writes the planned WHMCS changes in one database transaction.
 * Only portable query-builder calls are used (SQLite and MySQL).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/bootstrap.php';

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\CustomFields;
use AcronisCloud\Whmcs\LocalApi;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;
use WHMCS\Database\Capsule;

const ACRONISCLOUD_V1_TYPE = 'AcronisBackupService';
const ACRONISCLOUD_V1_TABLE = 'AcronisBackupService_modulevars';

/** `_activate`: the module's tables (2.x tables used in place), the quota notice e-mail template, then the v1 migration when v1 rows exist. */
function acroniscloud_addon_activate(): array
{
    $options = acroniscloud_options('addons', 'acroniscloud_activate');
    $result = \AcronisCloud\Addon::activate($options);
    if (($result['status'] ?? '') === 'success') {
        // The quota notices' e-mail template, editable by the admin; an existing one is kept.
        \AcronisCloud\Whmcs\EmailTemplates::ensureQuotaNotice();
    }
    if (($result['status'] ?? '') !== 'success' || !acroniscloud_v1_present()) {
        return $result;
    }
    return acroniscloud_v1_migrate($options);
}

/** True when a server or a product still uses the v1 module. */
function acroniscloud_v1_present(): bool
{
    return Capsule::table('tblservers')->where('type', ACRONISCLOUD_V1_TYPE)->exists()
        || Capsule::table('tblproducts')->where('servertype', ACRONISCLOUD_V1_TYPE)->exists();
}

/** The v1 rows the extension needs. */
function acroniscloud_v1_input(): array
{
    $path = (defined('ROOTDIR') ? ROOTDIR : dirname(__DIR__, 2)) . '/includes/Acronis/Vers.ion';
    $text = is_file($path) && is_readable($path) ? @file_get_contents($path) : false;
    $servers = Capsule::table('tblservers')->whereIn('type', [ACRONISCLOUD_V1_TYPE, 'acroniscloud'])->orderBy('id')->get()
        ->map(static function ($s): array {
            return [
                'id' => (int) $s->id, 'name' => (string) $s->name, 'type' => (string) $s->type,
                'hostname' => (string) ($s->hostname !== '' ? $s->hostname : $s->ipaddress),
                'port' => (string) $s->port, 'secure' => Settings::truthy($s->secure),
                'username' => (string) $s->username, 'accesshash' => (string) $s->accesshash,
                'password' => LocalApi::decrypt((string) $s->password),
            ];
        })->all();
    $products = [];
    foreach (Capsule::table('tblproducts')->where('servertype', ACRONISCLOUD_V1_TYPE)->orderBy('id')->get() as $p) {
        $pid = (int) $p->id;
        $settings = [];
        for ($i = 1; $i <= 24; $i++) {
            $settings[] = (string) ($p->{"configoption$i"} ?? '');
        }
        $fields = [];
        foreach (Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $pid)->get(['id', 'fieldname']) as $f) {
            foreach (['GroupID', 'AdminID', 'Login'] as $key) {
                if (\AcronisCloud\TemplateStore::fieldMatches((string) $f->fieldname, $key)) {
                    $fields[$key] = (int) $f->id;
                }
            }
        }
        $value = static function (int $serviceId, string $key) use ($fields): string {
            return isset($fields[$key]) ? trim(CustomFields::value($fields[$key], $serviceId)) : '';
        };
        $services = Capsule::table('tblhosting')->where('packageid', $pid)->orderBy('id')->get(['id', 'server'])
            ->map(static fn ($h) => ['id' => (int) $h->id, 'server' => (int) $h->server,
                'group_id' => $value((int) $h->id, 'GroupID'), 'admin_id' => $value((int) $h->id, 'AdminID')])->all();
        $groups = Capsule::table('tblproductconfiglinks')->where('pid', $pid)->pluck('gid')->all();
        $options = [];
        foreach (Capsule::table('tblproductconfigoptions')->whereIn('gid', $groups)->orderBy('id')->get(['id', 'gid', 'optionname']) as $o) {
            $options[] = [
                'id' => (int) $o->id, 'name' => (string) $o->optionname,
                'group' => (string) Capsule::table('tblproductconfiggroups')->where('id', $o->gid)->value('name'),
                'first_sub' => (string) Capsule::table('tblproductconfigoptionssub')->where('configid', $o->id)
                    ->orderBy('sortorder')->orderBy('id')->value('optionname'),
            ];
        }
        $products[] = [
            'product' => ['id' => $pid, 'name' => (string) $p->name, 'description' => (string) $p->description, 'settings' => $settings],
            'services' => $services, 'v1_field_ids' => array_values($fields), 'options' => $options,
        ];
    }
    $options = acroniscloud_options('addons', 'acroniscloud_activate');
    return [
        'version_file' => $text === false ? null : $text, 'version_path' => $path,
        'whmcs_version' => (string) $options['whmcs_version'], 'servers' => $servers, 'products' => $products,
    ];
}

/**
 * Runs the migration; the answer is what `_activate` returns. The templates the extension
 * creates and the WHMCS rows written here share WHMCS's connection, so they commit or roll
 * back together in one transaction.
 */
function acroniscloud_v1_migrate(array $options): array
{
    $input = acroniscloud_v1_input();
    try {
        $plan = Capsule::connection()->transaction(static function () use ($input, $options): array {
            $answer = \AcronisCloud\Addon::migrateLegacy($input, $options);
            if (($answer['status'] ?? '') !== 'info') {
                throw new \DomainException((string) ($answer['description'] ?? ''));
            }
            acroniscloud_v1_write($answer['plan']);
            return $answer['plan'];
        });
    } catch (\DomainException $e) {
        return ['status' => 'error', 'description' => $e->getMessage()];
    } catch (\Throwable $e) {
        return ['status' => 'error', 'description' => 'Cannot upgrade products and services. Error: ' . $e->getMessage()];
    }
    $warnings = $plan['warnings'];
    // DDL ends a MySQL transaction, so the v1 table is dropped after the commit.
    try {
        Capsule::schema()->dropIfExists(ACRONISCLOUD_V1_TABLE);
    } catch (\Throwable $e) {
        $warnings[] = sprintf('Cannot remove the table "%s" due to the error "%s". Please remove it manually.', ACRONISCLOUD_V1_TABLE, $e->getMessage());
    }
    ActivityLog::write('module 1.0 migrated (' . count($plan['products']) . ' products, ' . count($plan['servers']) . ' servers)');
    return ['status' => 'info', 'description' => \AcronisCloud\Addon::migrationSummary($warnings, $options)];
}

/** The WHMCS writes of a migration plan (inside the caller's transaction). */
function acroniscloud_v1_write(array $plan): void
{
    foreach ($plan['servers'] as $server) {
        $update = ['type' => Servers::TYPE];
        if ($server['credentials'] !== null) {
            $columns = Servers::credentialColumns($server['credentials']);
            if ($columns === null) {
                throw new \RuntimeException('Cannot encrypt the API client secret of server ' . $server['id'] . '.');
            }
            $update += $columns;
        }
        Servers::update((int) $server['id'], $update);
    }
    $now = date('Y-m-d H:i:s');
    $fieldPlan = \AcronisCloud\TemplateStore::customFieldPlan('email');
    foreach ($plan['products'] as $product) {
        $pid = (int) $product['id'];
        CustomFields::delete($product['v1_field_ids']);
        $ids = [];
        foreach ($fieldPlan['ensure'] as $definition) {
            $ids[$definition['key']] = CustomFields::ensure($pid, $definition);
        }
        foreach ($product['services'] as $service) {
            foreach (['tenant_id', 'user_id', 'cloud_login'] as $key) {
                if (isset($ids[$key])) {
                    CustomFields::setValue($ids[$key], (int) $service['id'], (string) $service[$key]);
                }
            }
        }
        $update = ['servertype' => 'acroniscloud', 'updated_at' => $now];
        for ($i = 1; $i <= 24; $i++) {
            $update["configoption$i"] = '';
        }
        $update['configoption1'] = (string) $product['template_id'];
        $update['configoption2'] = 'email';
        Capsule::table('tblproducts')->where('id', $pid)->update($update);
    }
    foreach ($plan['options'] as $option) {
        Capsule::table('tblproductconfigoptions')->where('id', $option['id'])->update(['optionname' => $option['optionname']]);
    }
}
