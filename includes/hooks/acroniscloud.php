<?php
/** Acronis Cyber Cloud hooks: one line each, into includes/acroniscloud/bootstrap.php. */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../acroniscloud/bootstrap.php';
require_once __DIR__ . '/../acroniscloud/provisioning.php';
require_once __DIR__ . '/../acroniscloud/usage.php';
require_once __DIR__ . '/../acroniscloud/server_form.php';

add_hook('ServerAdd', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_saved', $vars); });
add_hook('ServerEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_saved', $vars); });
add_hook('ServerDelete', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_deleted', $vars); });
add_hook('ProductEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_product_edit', $vars); });
add_hook('ServiceDelete', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_service_deleted', $vars); });
add_hook('AdminServiceEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_service_edited', $vars); });
add_hook('ClientEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_client_edited', $vars); });
add_hook('OrderProductUpgradeOverride', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_upgrade_target', $vars); });
add_hook('AfterModuleChangePackageFailed', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_change_failed', $vars); });
add_hook('AfterCronJob', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_after_cron', $vars); });
add_hook('DailyCronJob', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_daily_cron', $vars); });
add_hook('AdminAreaHeaderOutput', 1, function (array $vars) { return acroniscloud_hook_output(static fn () => acroniscloud_admin_header($vars)); });
add_hook('ClientAreaHeaderOutput', 1, function (array $vars) { return acroniscloud_hook_output(static fn () => acroniscloud_banner(false)); });

/** Hooks never break the admin's action: failures are logged, the input is returned. */
function acroniscloud_hook(callable $fn, array $vars)
{
    try {
        return $fn($vars);
    } catch (\Throwable $e) {
        logActivity('Acronis Cyber Cloud hook failed: ' . get_class($e) . ': ' . $e->getMessage());
        return $vars;
    }
}

/** Output hooks return HTML; a failure shows nothing rather than breaking the page. */
function acroniscloud_hook_output(callable $fn): string
{
    try {
        return (string) $fn();
    } catch (\Throwable $e) {
        logActivity('Acronis Cyber Cloud hook failed: ' . get_class($e) . ': ' . $e->getMessage());
        return '';
    }
}
