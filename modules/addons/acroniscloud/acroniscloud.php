<?php
/**
 * Acronis Cyber Cloud addon for WHMCS: settings, activation and the admin area. Each callback
 * is one line into the acroniscloud extension (see includes/acroniscloud/admin.php).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../../../includes/acroniscloud/admin.php';
require_once __DIR__ . '/../../../includes/acroniscloud/migration.php';

use AcronisCloud\Addon;

function acroniscloud_config() { return Addon::config(); }

function acroniscloud_activate() { return acroniscloud_addon_activate(); }

function acroniscloud_deactivate() { return Addon::deactivate(acroniscloud_options('addons', __FUNCTION__)); }

function acroniscloud_upgrade($vars) { Addon::upgrade($vars, acroniscloud_options('addons', __FUNCTION__)); }

function acroniscloud_output($vars) { acroniscloud_admin_output($vars); }
