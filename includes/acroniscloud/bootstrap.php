<?php
/**
 * Glue shared by the Acronis Cyber Cloud WHMCS files: loads the typed WHMCS adapter
 * (`lib/Whmcs/`, see docs/whmcs-boundary.md), builds the options every extension call receives
 * and runs the server and product hooks. Business logic lives in the acroniscloud extension.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

use AcronisCloud\Whmcs\ActivityLog;
use AcronisCloud\Whmcs\CustomFields;
use AcronisCloud\Whmcs\ModuleLog;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;

if (!extension_loaded('acroniscloud')) {
    throw new \RuntimeException(
        'The acroniscloud PHP extension is not loaded: add "extension=acroniscloud.so" to php.ini '
        . '(for the web server and for the CLI used by cron) and restart PHP.'
    );
}

// The typed WHMCS adapter classes (AcronisCloud\Whmcs\…) the extension calls for WHMCS effects.
spl_autoload_register(static function (string $class): void {
    $prefix = 'AcronisCloud\\Whmcs\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = __DIR__ . '/lib/Whmcs/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});

/** Options every extension call receives. */
function acroniscloud_options(string $module, string $function): array
{
    static $cached = null;
    if ($cached === null) {
        $cached = [
            'config_file' => __DIR__ . '/config.yaml',
            'module_log' => Settings::logScope('logging_cloud_api'),
            'whmcs_api_log' => Settings::logScope('logging_whmcs_api'),
            'db_query_log' => Settings::logScope('logging_db_query'),
            // A service moved to another client also moves its administrator's e-mail (addon setting).
            'move_user_email' => Settings::truthy(Settings::addon('move_user_email')),
            'whmcs_version' => Settings::system('Version'),
            'admin_path' => !empty($GLOBALS['customadminpath']) ? (string) $GLOBALS['customadminpath'] : 'admin',
            'storage_dir' => Settings::downloadsDir(),
            'locale' => Settings::adminLanguage((int) ($_SESSION['adminid'] ?? 0)),
            // Recorded as the actor of audit trail entries (0: a client order, the cron).
            'admin_id' => (int) ($_SESSION['adminid'] ?? 0),
            // The module's tables live in the WHMCS database, reached through WHMCS's connection.
            'db' => \AcronisCloud\Whmcs\Database::whmcs(),
        ];
        if ($cached['db_query_log']) {
            ModuleLog::logQueries();
        }
    }
    ModuleLog::enter($module, $function);
    return $cached + ['module' => $module, 'function' => $function];
}

/** Module `$params` plus the server's name (WHMCS does not pass it; messages name the server). */
function acroniscloud_server_params(array $params): array
{
    if (!isset($params['servername']) && !empty($params['serverid'])) {
        $params['servername'] = Servers::name((int) $params['serverid']);
    }
    return $params;
}

/** ServerAdd / ServerEdit: the extension converts a login into an API client; we store it. */
function acroniscloud_server_saved(array $vars): array
{
    return acroniscloud_server_hook('ServerSaved', $vars, static function (array $row, array $options): void {
        $out = \AcronisCloud\AcronisServer::serverSaved($row, $options);
        $columns = !empty($out['converted']) ? Servers::credentialColumns($out['converted']) : null;
        if ($columns !== null) {
            Servers::update((int) $row['id'], $columns);
            ActivityLog::write('server ' . $row['id'] . ' switched to API client ' . $columns['username']);
        }
        ActivityLog::each('', $out['warnings']);
    });
}

/**
 * ServerDelete: WHMCS usually deletes the row before this hook runs, so the root tenant can
 * only be cleaned when the row is still readable; otherwise the tag stays (harmless).
 */
function acroniscloud_server_deleted(array $vars): array
{
    return acroniscloud_server_hook('ServerDelete', $vars, static function (array $row, array $options): void {
        ActivityLog::each('', \AcronisCloud\AcronisServer::serverDeleted($row, $options));
    });
}

/** A server hook's work on the server row (skipped when the server is not an Acronis one). */
function acroniscloud_server_hook(string $function, array $vars, callable $work): array
{
    $options = acroniscloud_options('hooks', $function);
    $row = Servers::row((int) ($vars['serverid'] ?? 0));
    if ($row !== null) {
        $work($row, $options);
    }
    return $vars;
}

/**
 * ProductEdit: keeps the product's custom fields as the module needs them (tenant id, user id,
 * cloud login; cloud password only when clients choose it at order time).
 */
function acroniscloud_product_edit(array $vars): array
{
    if (($vars['servertype'] ?? '') !== 'acroniscloud') {
        return $vars;
    }
    acroniscloud_options('hooks', 'ProductEdit');
    $pid = (int) ($vars['pid'] ?? 0);
    if ($pid <= 0) {
        throw new \AcronisCloud\ValidationException('Cannot set custom fields, missing product id in request data.');
    }
    CustomFields::syncProduct($pid, (string) ($vars['configoption2'] ?? ''));
    return $vars;
}
