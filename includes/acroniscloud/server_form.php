<?php
/**
 * The server form enhancement of docs/behaviour.md §A.12: on Configuration → Servers (Add/Edit),
 * the AdminAreaHeaderOutput hook injects the script that lets the admin choose "Username and
 * password" or "API client (ID and secret)" and fills the Access Hash field from that choice.
 * Every other admin page gets the provisioning error banner instead (A.14).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/** AdminAreaHeaderOutput: the server-form script on the server form, else the banner. */
function acroniscloud_admin_header(array $vars): string
{
    if (acroniscloud_is_server_form((string) ($vars['filename'] ?? ''), $_GET, $_POST)) {
        return acroniscloud_server_form_script();
    }
    return acroniscloud_banner(true);
}

/**
 * The Add/Edit server form: `configservers.php?action=manage`, or the page a failed save
 * re-renders (`action=save` without an id).
 */
function acroniscloud_is_server_form(string $filename, array $get, array $post): bool
{
    if ($filename !== 'configservers') {
        return false;
    }
    $action = (string) ($get['action'] ?? $post['action'] ?? '');
    return $action === 'manage' || ($action === 'save' && (int) ($get['id'] ?? $post['id'] ?? 0) === 0);
}

/** The script inlined (WHMCS serves the admin area from its own directory, not the module's). */
function acroniscloud_server_form_script(): string
{
    $file = dirname(__DIR__, 2) . '/modules/servers/acroniscloud/assets/server-form.js';
    $js = is_readable($file) ? (string) file_get_contents($file) : '';
    if ($js === '') {
        return '';
    }
    return '<script id="acroniscloud-server-form">' . str_replace('</', '<\/', $js) . '</script>';
}
