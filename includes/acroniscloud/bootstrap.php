<?php
/**
 * Glue shared by the Acronis Cyber Cloud WHMCS files: reads the few WHMCS settings the
 * extension needs (config path, module-log switches, WHMCS version) and moves data between the
 * WHMCS database and the extension. Business logic lives in the acroniscloud extension.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

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
        $setting = static function (string $table, array $where, string $column = 'value'): string {
            try {
                $row = Capsule::table($table)->where($where)->first();
                return $row ? (string) $row->{$column} : '';
            } catch (\Throwable $e) {
                return '';
            }
        };
        $debug = strtolower($setting('tblconfiguration', ['setting' => 'ModuleDebugMode'])) === 'on';
        $scope = static function (string $name) use ($setting, $debug): bool {
            $value = $setting('tbladdonmodules', ['module' => 'acroniscloud', 'setting' => $name]);
            return $debug && in_array(strtolower($value), ['on', '1', 'yes', 'true'], true);
        };
        $cached = [
            'config_file' => __DIR__ . '/config.yaml',
            'module_log' => $scope('logging_cloud_api'),
            'whmcs_api_log' => $scope('logging_whmcs_api'),
            'db_query_log' => $scope('logging_db_query'),
            'whmcs_version' => $setting('tblconfiguration', ['setting' => 'Version']),
            'admin_path' => !empty($GLOBALS['customadminpath']) ? (string) $GLOBALS['customadminpath'] : 'admin',
            'storage_dir' => acroniscloud_storage_dir(),
            'locale' => acroniscloud_admin_language(),
            // The module's tables live in the WHMCS database, reached through WHMCS's connection.
            'db' => \AcronisCloud\Whmcs\Database::whmcs(),
        ];
        if ($cached['db_query_log']) {
            acroniscloud_log_queries();
        }
    }
    $GLOBALS['acroniscloud_call'] = [$module, $function];
    return $cached + ['module' => $module, 'function' => $function];
}

/** Language of the logged-in admin, else the system language (messages shown to admins). */
function acroniscloud_admin_language(): string
{
    try {
        $adminId = (int) ($_SESSION['adminid'] ?? 0);
        $language = $adminId > 0 ? (string) Capsule::table('tbladmins')->where('id', $adminId)->value('language') : '';
        if (trim($language) === '') {
            $language = (string) Capsule::table('tblconfiguration')->where('setting', 'Language')->value('value');
        }
        return $language;
    } catch (\Throwable $e) {
        return '';
    }
}

/** Local path of the WHMCS "downloads" storage (WHMCS keeps it outside the web root). */
function acroniscloud_storage_dir(): string
{
    try {
        $id = Capsule::table('tblfileassetsettings')->where('asset_type', 'downloads')->value('storageconfiguration_id');
        $settings = $id ? Capsule::table('tblstorageconfigurations')->where('id', $id)->value('settings') : null;
        $path = $settings ? (json_decode((string) $settings, true)['local_path'] ?? '') : '';
        return is_string($path) ? $path : '';
    } catch (\Throwable $e) {
        return '';
    }
}

/** Module-log action text (module-behaviour.md §H.1). */
function acroniscloud_log_action(string $typeOfCall): string
{
    [$module, $function] = $GLOBALS['acroniscloud_call'] ?? ['hooks', ''];
    return 'Request ID: ' . \AcronisCloud\Logger::requestId() . " | Module: $module | Function: $function | Type of call: $typeOfCall";
}

/** localAPI, logged to the module log (masked) when the "WHMCS API" scope is on. */
function acroniscloud_local_api(string $command, array $values): array
{
    $result = localAPI($command, $values);
    $opts = acroniscloud_options(...($GLOBALS['acroniscloud_call'] ?? ['hooks', '']));
    if ($opts['whmcs_api_log']) {
        logModuleCall(
            'acroniscloud',
            acroniscloud_log_action('WHMCS API'),
            \AcronisCloud\Logger::maskJson(json_encode(['method' => $command, 'parameters' => $values])),
            \AcronisCloud\Logger::maskJson(json_encode($result)),
            '',
            []
        );
    }
    return $result;
}

/**
 * Logs every query run while module code runs ("Database query" scope), bindings masked.
 * Capsule's query log is used because WHMCS's Capsule may have no event dispatcher; entries are
 * written at the end of the request.
 */
function acroniscloud_log_queries(): void
{
    $connection = Capsule::connection();
    $connection->enableQueryLog();
    register_shutdown_function(static function () use ($connection): void {
        $queries = $connection->getQueryLog();
        $connection->disableQueryLog();
        foreach ($queries as $query) {
            // The module log's own writes are not logged (they would log themselves forever).
            if (stripos($query['query'], 'tblmodulelog') !== false) {
                continue;
            }
            $bindings = \AcronisCloud\Logger::maskQueryBindings($query['query'], array_values($query['bindings']));
            logModuleCall(
                'acroniscloud',
                acroniscloud_log_action('Database query'),
                json_encode(['query' => $query['query'], 'bindings' => $bindings], JSON_UNESCAPED_SLASHES),
                '',
                '',
                []
            );
        }
    });
}

/** Module `$params` plus the server's name (WHMCS does not pass it; messages name the server). */
function acroniscloud_server_params(array $params): array
{
    if (!isset($params['servername']) && !empty($params['serverid'])) {
        $name = Capsule::table('tblservers')->where('id', (int) $params['serverid'])->value('name');
        $params['servername'] = (string) $name;
    }
    return $params;
}

/** A `tblservers` row with the password decrypted, or null when absent or not ours. */
function acroniscloud_server_row(int $serverId): ?array
{
    $row = Capsule::table('tblservers')->where('id', $serverId)->first();
    if (!$row || $row->type !== 'acroniscloud') {
        return null;
    }
    $row = (array) $row;
    $plain = acroniscloud_local_api('DecryptPassword', ['password2' => $row['password']]);
    $row['password'] = ($plain['result'] ?? '') === 'success' ? $plain['password'] : '';
    return $row;
}

/** ServerAdd / ServerEdit: the extension converts a login into an API client; we store it. */
function acroniscloud_server_saved(array $vars): array
{
    $options = acroniscloud_options('hooks', 'ServerSaved');
    $row = acroniscloud_server_row((int) ($vars['serverid'] ?? 0));
    if ($row === null) {
        return $vars;
    }
    $out = \AcronisCloud\AcronisServer::serverSaved($row, $options);
    if (!empty($out['converted'])) {
        $c = $out['converted'];
        $secret = acroniscloud_local_api('EncryptPassword', ['password2' => $c['client_secret']]);
        if (($secret['result'] ?? '') === 'success') {
            $update = [
                'username' => $c['client_id'],
                'password' => $secret['password'],
                'accesshash' => 'client_credentials',
                'hostname' => $c['hostname'],
                'secure' => $c['secure'] ? 'on' : '',
            ];
            if (!empty($c['port'])) {
                $update['port'] = (string) $c['port'];
            }
            Capsule::table('tblservers')->where('id', $row['id'])->update($update);
            logActivity('Acronis Cyber Cloud: server ' . $row['id'] . ' switched to API client ' . $c['client_id']);
        }
    }
    foreach ($out['warnings'] as $warning) {
        logActivity('Acronis Cyber Cloud: ' . $warning);
    }
    return $vars;
}

/**
 * ServerDelete: WHMCS usually deletes the row before this hook runs, so the root tenant can
 * only be cleaned when the row is still readable; otherwise the tag stays (harmless).
 */
function acroniscloud_server_deleted(array $vars): array
{
    $options = acroniscloud_options('hooks', 'ServerDelete');
    $row = acroniscloud_server_row((int) ($vars['serverid'] ?? 0));
    if ($row === null) {
        return $vars;
    }
    foreach (\AcronisCloud\AcronisServer::serverDeleted($row, $options) as $warning) {
        logActivity('Acronis Cyber Cloud: ' . $warning);
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
    $plan = \AcronisCloud\TemplateStore::customFieldPlan((string) ($vars['configoption2'] ?? ''));
    $existing = Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $pid)->get(['id', 'fieldname']);
    $find = static function (string $key) use ($existing): array {
        return $existing->filter(static fn ($f) => \AcronisCloud\TemplateStore::fieldMatches((string) $f->fieldname, $key))->pluck('id')->all();
    };
    foreach ($plan['ensure'] as $field) {
        if ($find($field['key']) === []) {
            $row = $field;
            unset($row['key']);
            Capsule::table('tblcustomfields')->insert($row + [
                'type' => 'product', 'relid' => $pid,
                'created_at' => date('Y-m-d H:i:s'), 'updated_at' => date('Y-m-d H:i:s'),
            ]);
        }
    }
    foreach ($plan['remove'] as $key) {
        $ids = $find($key);
        if ($ids !== []) {
            Capsule::table('tblcustomfieldsvalues')->whereIn('fieldid', $ids)->delete();
            Capsule::table('tblcustomfields')->whereIn('id', $ids)->delete();
        }
    }
    return $vars;
}
