<?php
/**
 * Glue of the admin area (addon `_output`): gathers what WHMCS knows about the request (admin
 * session, addon access, CSRF token, server rows) and hands it to AcronisCloud\Addon, which
 * decides and answers. JSON answers end the request so WHMCS does not wrap them in its layout.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/bootstrap.php';

use AcronisCloud\Whmcs\Request;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;
use WHMCS\Database\Capsule;

/** The facts the admin API checks and uses. */
function acroniscloud_admin_context(): array
{
    $adminId = (int) ($_SESSION['adminid'] ?? 0);
    $servers = Capsule::table('tblservers')->where('type', Servers::TYPE)->orderBy('id')
        ->get(['id', 'name', 'hostname', 'disabled'])
        ->map(static function ($row) {
            return ['id' => (int) $row->id, 'name' => (string) $row->name, 'hostname' => (string) $row->hostname, 'disabled' => (int) $row->disabled];
        })->all();
    $serverId = Request::queryInt('server_id');
    $templateId = Request::queryInt('template_id');
    return [
        'locale' => Settings::adminLanguage($adminId),
        'l10n_dir' => __DIR__ . '/l10n',
        'server_records' => \AcronisCloud\Addon::needsServerRecords(Request::query('action')) ? Servers::rows() : [],
        'products_using' => $templateId > 0
            ? Capsule::table('tblproducts')->where('servertype', Servers::TYPE)->where('configoption1', (string) $templateId)
                ->orderBy('name')->pluck('name')->all()
            : [],
        'admin_id' => $adminId,
        'role_id' => (int) Capsule::table('tbladmins')->where('id', $adminId)->value('roleid'),
        'allowed_roles' => Settings::addon('access'),
        'csrf_expected' => Request::csrfExpected(),
        'csrf_given' => Request::csrfGiven(),
        'servers' => $servers,
        'server' => $serverId > 0 ? Servers::row($serverId) : null,
    ];
}

/** `_output`: an admin API action answers JSON and ends the request; anything else is the page. */
function acroniscloud_admin_output(array $vars): void
{
    $action = Request::query('action');
    $options = acroniscloud_options('addons', 'output' . ($action !== '' ? ':' . $action : ''));
    if (!\AcronisCloud\Addon::isApiAction($action)) {
        echo acroniscloud_admin_page((string) ($vars['modulelink'] ?? 'addonmodules.php?module=acroniscloud'), $options);
        return;
    }
    $answer = \AcronisCloud\Addon::handle(Request::api($action, false), acroniscloud_admin_context(), $options);
    $apply = $answer['status'] === 200 ? (json_decode($answer['body'], true)['apply'] ?? null) : null;
    if (isset($apply['create_options'])) {
        $groupId = acroniscloud_apply_config_options($apply['create_options'], Request::queryInt('product_id'));
        $answer['body'] = json_encode(['id' => $groupId]);
    }
    Request::send($answer, false);
}

/** The page: a mount point for the template wizard (assets/admin.js); all data comes from the JSON actions. */
function acroniscloud_admin_page(string $moduleLink, array $options): string
{
    $version = \AcronisCloud\AcronisServer::version();
    // UI texts in the admin's language (msgid => translation; English needs none).
    $ui = \AcronisCloud\Addon::handle(['method' => 'GET', 'action' => 'ui_strings', 'query' => []], acroniscloud_admin_context(), $options);
    $ui = json_decode((string) ($ui['body'] ?? ''), true);
    $strings = (array) ($ui['strings'] ?? []);
    $noscript = 'Acronis Cyber Cloud requires JavaScript enabled for proper work. Please enable it to continue.';
    $boot = ['modulelink' => $moduleLink, 'locale' => (string) ($ui['locale'] ?? 'en'), 'version' => $version, 'strings' => (object) $strings];
    return \AcronisCloud\Markup::adminPage('../modules/addons/acroniscloud/assets/', $version, (string) ($strings[$noscript] ?? $noscript), Request::scriptJson($boot));
}

/**
 * Writes the configurable option group planned by the extension (docs/behaviour.md §D.4).
 * Re-running with the same group name updates that group instead of creating a second one:
 * options are matched by offering item (the text before the first ":"), admins' renamed
 * friendly names and prices are kept.
 */
function acroniscloud_apply_config_options(array $plan, int $productId): int
{
    return Capsule::connection()->transaction(static function () use ($plan, $productId): int {
        $group = Capsule::table('tblproductconfiggroups')->where('name', $plan['name'])->first();
        $gid = $group ? (int) $group->id : (int) Capsule::table('tblproductconfiggroups')->insertGetId(
            ['name' => $plan['name'], 'description' => $plan['description']]
        );
        $existing = Capsule::table('tblproductconfigoptions')->where('gid', $gid)->get(['id', 'optionname']);
        $currencies = Capsule::table('tblcurrencies')->pluck('id')->all();
        foreach ($plan['options'] as $option) {
            $match = $existing->first(static fn ($o) => explode(':', (string) $o->optionname, 2)[0] === $option['item']);
            if ($match) {
                Capsule::table('tblproductconfigoptions')->where('id', $match->id)
                    ->update(['optiontype' => $option['optiontype'], 'order' => $option['order']]);
                continue;
            }
            $configId = (int) Capsule::table('tblproductconfigoptions')->insertGetId([
                'gid' => $gid, 'optionname' => $option['optionname'], 'optiontype' => $option['optiontype'],
                'qtyminimum' => 0, 'qtymaximum' => 0, 'order' => $option['order'], 'hidden' => 0,
            ]);
            $subId = (int) Capsule::table('tblproductconfigoptionssub')->insertGetId(
                ['configid' => $configId, 'optionname' => $option['suboption'], 'sortorder' => 0, 'hidden' => 0]
            );
            foreach ($currencies as $currency) {
                // Zero prices per currency so the admin sees the price grid ready to fill.
                Capsule::table('tblpricing')->insert([
                    'type' => 'configoptions', 'currency' => $currency, 'relid' => $subId,
                    'msetupfee' => 0, 'qsetupfee' => 0, 'ssetupfee' => 0, 'asetupfee' => 0, 'bsetupfee' => 0, 'tsetupfee' => 0,
                    'monthly' => 0, 'quarterly' => 0, 'semiannually' => 0, 'annually' => 0, 'biennially' => 0, 'triennially' => 0,
                ]);
            }
        }
        if ($productId > 0 && !Capsule::table('tblproductconfiglinks')->where('gid', $gid)->where('pid', $productId)->exists()) {
            Capsule::table('tblproductconfiglinks')->insert(['gid' => $gid, 'pid' => $productId]);
        }
        return $gid;
    });
}
