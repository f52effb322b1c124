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
require_once __DIR__ . '/legacy_switch.php';
require_once __DIR__ . '/reconciliation.php';
require_once __DIR__ . '/provisioning.php';

use AcronisCloud\Whmcs\Request;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;
use WHMCS\Database\Capsule;

/** The facts the admin API checks and uses. */
function acroniscloud_admin_context(string $moduleLink = 'addonmodules.php?module=acroniscloud'): array
{
    $adminId = (int) ($_SESSION['adminid'] ?? 0);
    $servers = Capsule::table('tblservers')->where('type', Servers::TYPE)->orderBy('id')
        ->get(['id', 'name', 'hostname', 'disabled'])
        ->map(static function ($row) {
            return ['id' => (int) $row->id, 'name' => (string) $row->name, 'hostname' => (string) $row->hostname, 'disabled' => (int) $row->disabled];
        })->all();
    $serverId = Request::queryInt('server_id');
    $templateId = Request::queryInt('template_id');
    $service = acroniscloud_admin_service(Request::queryInt('service_id'));
    $reconciling = Request::query('action') === 'reconciliation' || (Request::query('action') === '' && Request::query('page') === 'reconciliation');
    return [
        // Actions about one service (audit, adopt): the service as the module callbacks see it.
        'service' => $service,
        // The legacy-editions switch moves products and runs ChangePackage through these.
        'callbacks' => Request::query('action') === 'legacy_switch' ? acroniscloud_legacy_host()
            : ($service !== null ? acroniscloud_provisioning_host($service) : []),
        'module_link' => $moduleLink,
        'assets' => '../modules/addons/acroniscloud/assets/',
        'services' => $reconciling ? acroniscloud_reconciliation_services() : [],
        'billed' => $reconciling ? acroniscloud_reconciliation_billed() : [],
        'locale' => Settings::adminLanguage($adminId),
        'l10n_dir' => __DIR__ . '/l10n',
        'server_records' => \AcronisCloud\Addon::needsServerRecords(Request::query('action')) || $reconciling ? Servers::rows() : [],
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
        'legacy' => strpos(Request::query('action'), 'legacy_') === 0 ? acroniscloud_legacy_inventory() : [],
    ];
}

/** The Acronis service `$serviceId` as provisioning describes it; null when there is none. */
function acroniscloud_admin_service(int $serviceId): ?array
{
    if ($serviceId <= 0) {
        return null;
    }
    $params = acroniscloud_service_params($serviceId);
    return $params !== null ? acroniscloud_service_input($params) : null;
}

/** `_output`: an admin API action answers JSON and ends the request; anything else is the page. */
function acroniscloud_admin_output(array $vars): void
{
    $action = Request::query('action');
    $page = Request::query('page');
    $moduleLink = (string) ($vars['modulelink'] ?? 'addonmodules.php?module=acroniscloud');
    $options = acroniscloud_options('addons', 'output' . ($action !== '' ? ':' . $action : ($page !== '' ? ':' . $page : '')));
    if (!\AcronisCloud\Addon::isApiAction($action)) {
        // Server-rendered pages (usage billing, reconciliation); the main page gets the tab bar
        // and the usage banner above the template app.
        $html = \AcronisCloud\Addon::page(\AcronisCloud\Addon::isPage($page) ? $page : '', Request::api('', false), acroniscloud_admin_context($moduleLink), $options);
        echo \AcronisCloud\Addon::isPage($page) ? $html : $html . acroniscloud_admin_page($moduleLink, $options);
        return;
    }
    $answer = \AcronisCloud\Addon::handle(Request::api($action, false), acroniscloud_admin_context($moduleLink), $options);
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
