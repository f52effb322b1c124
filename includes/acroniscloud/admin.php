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

use WHMCS\Database\Capsule;

/** The facts the admin API checks and uses. */
function acroniscloud_admin_context(): array
{
    $adminId = (int) ($_SESSION['adminid'] ?? 0);
    $roleId = (int) Capsule::table('tbladmins')->where('id', $adminId)->value('roleid');
    $access = (string) Capsule::table('tbladdonmodules')->where('module', 'acroniscloud')->where('setting', 'access')->value('value');
    $servers = Capsule::table('tblservers')->where('type', 'acroniscloud')->orderBy('id')
        ->get(['id', 'name', 'hostname', 'disabled'])
        ->map(static function ($row) {
            return ['id' => (int) $row->id, 'name' => (string) $row->name, 'hostname' => (string) $row->hostname, 'disabled' => (int) $row->disabled];
        })->all();
    $serverId = (int) ($_GET['server_id'] ?? 0);
    $action = (string) ($_GET['action'] ?? '');
    $templateId = (int) ($_GET['template_id'] ?? 0);
    // Language of the logged-in admin (WHMCS name such as "german"), else the system default.
    $locale = (string) Capsule::table('tbladmins')->where('id', $adminId)->value('language');
    if (trim($locale) === '') {
        $locale = (string) Capsule::table('tblconfiguration')->where('setting', 'Language')->value('value');
    }
    return [
        'locale' => $locale,
        'l10n_dir' => __DIR__ . '/l10n',
        'server_records' => \AcronisCloud\Addon::needsServerRecords($action)
            ? array_values(array_filter(array_map(static fn ($s) => acroniscloud_server_row($s['id']), $servers)))
            : [],
        'products_using' => $templateId > 0
            ? Capsule::table('tblproducts')->where('servertype', 'acroniscloud')->where('configoption1', (string) $templateId)
                ->orderBy('name')->pluck('name')->all()
            : [],
        'admin_id' => $adminId,
        'role_id' => $roleId,
        'allowed_roles' => $access,
        'csrf_expected' => function_exists('generate_token') ? (string) generate_token('plain') : '',
        'csrf_given' => (string) ($_SERVER['HTTP_X_CSRF_TOKEN'] ?? $_POST['token'] ?? ''),
        'servers' => $servers,
        'server' => $serverId > 0 ? acroniscloud_server_row($serverId) : null,
    ];
}

/** `_output`: an admin API action answers JSON and ends the request; anything else is the page. */
function acroniscloud_admin_output(array $vars): void
{
    $action = (string) ($_GET['action'] ?? '');
    $options = acroniscloud_options('addons', 'output' . ($action !== '' ? ':' . $action : ''));
    if (!\AcronisCloud\Addon::isApiAction($action)) {
        // The page is a mount point for the template wizard (assets/admin.js); all data comes from the JSON actions.
        $version = \AcronisCloud\AcronisServer::version();
        // UI texts in the admin's language (msgid => translation; English needs none).
        $ui = \AcronisCloud\Addon::handle(['method' => 'GET', 'action' => 'ui_strings', 'query' => []], acroniscloud_admin_context(), $options);
        $ui = json_decode((string) ($ui['body'] ?? ''), true);
        $boot = ['modulelink' => (string) ($vars['modulelink'] ?? 'addonmodules.php?module=acroniscloud'),
            'locale' => (string) ($ui['locale'] ?? 'en'), 'version' => $version,
            'strings' => (object) ($ui['strings'] ?? [])];
        $flags = JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES;
        $assets = '../modules/addons/acroniscloud/assets/';
        $v = rawurlencode($version);
        echo '<link rel="stylesheet" href="' . $assets . 'admin.css?v=' . $v . '">'
            . '<div id="acroniscloud-admin"><noscript>' . htmlspecialchars($boot['strings']->{'Acronis Cyber Cloud requires JavaScript enabled for proper work. Please enable it to continue.'}
                ?? 'Acronis Cyber Cloud requires JavaScript enabled for proper work. Please enable it to continue.') . '</noscript></div>'
            . '<script>window.acronis = Object.assign(window.acronis || {}, ' . json_encode($boot, $flags) . ');</script>'
            . '<script src="' . $assets . 'admin.js?v=' . $v . '" defer></script>';
        return;
    }
    $request = [
        'method' => (string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'),
        'action' => $action,
        'query' => $_GET,
        'content_type' => (string) ($_SERVER['CONTENT_TYPE'] ?? ''),
        'body' => (string) file_get_contents('php://input'),
    ];
    if ($request['body'] === '' && $_POST !== []) {
        $request['body'] = http_build_query($_POST);
        $request['content_type'] = 'application/x-www-form-urlencoded';
    }
    $answer = \AcronisCloud\Addon::handle($request, acroniscloud_admin_context(), $options);
    $apply = $answer['status'] === 200 ? (json_decode($answer['body'], true)['apply'] ?? null) : null;
    if (isset($apply['create_options'])) {
        $groupId = acroniscloud_apply_config_options($apply['create_options'], (int) ($_GET['product_id'] ?? 0));
        $answer['body'] = json_encode(['id' => $groupId]);
    }
    http_response_code($answer['status']);
    foreach ($answer['headers'] as [$name, $value]) {
        header("$name: $value");
    }
    echo $answer['body'];
    exit;
}

/**
 * Writes the configurable option group planned by the extension (module-behaviour.md §D.4).
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
