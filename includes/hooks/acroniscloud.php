<?php
/** Acronis Cyber Cloud hooks: one line each, into includes/acroniscloud/bootstrap.php. */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../acroniscloud/bootstrap.php';

add_hook('ServerAdd', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_saved', $vars); });
add_hook('ServerEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_saved', $vars); });
add_hook('ServerDelete', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_server_deleted', $vars); });
add_hook('ProductEdit', 1, function (array $vars) { return acroniscloud_hook('acroniscloud_product_edit', $vars); });

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
