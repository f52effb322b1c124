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
    return [
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
        echo '<div id="acroniscloud-admin"><h2>Acronis Cyber Cloud</h2>'
            . '<noscript>Acronis Cyber Cloud requires JavaScript enabled for proper work. Please enable it to continue.</noscript></div>';
        return;
    }
    $request = [
        'method' => (string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'),
        'action' => $action,
        'query' => $_GET,
        'content_type' => (string) ($_SERVER['CONTENT_TYPE'] ?? ''),
        'body' => (string) file_get_contents('php://input'),
    ];
    $answer = \AcronisCloud\Addon::handle($request, acroniscloud_admin_context(), $options);
    http_response_code($answer['status']);
    foreach ($answer['headers'] as [$name, $value]) {
        header("$name: $value");
    }
    echo $answer['body'];
    exit;
}
