<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * What the generated `<root>/init.php` does after reading configuration.php:
 * Capsule, globals ($CONFIG, $customadminpath, $templates_compiledir),
 * module class autoloader, global functions, hook files.
 */
final class Bootstrap
{
    private static ?string $root = null;

    public static function root(): string
    {
        if (self::$root === null) {
            throw new \RuntimeException('WHMCS root not booted');
        }
        return self::$root;
    }

    /** @param array<string, mixed> $config variables of configuration.php */
    public static function boot(string $root, array $config, bool $loadHooks = true): void
    {
        self::$root = $root;
        if (!ini_get('date.timezone')) {
            date_default_timezone_set('UTC');
        }
        require_once dirname(__DIR__) . '/functions.php';
        Crypto::setSecret((string) ($config['cc_encryption_hash'] ?? ''));

        $capsule = new Capsule();
        $capsule->addConnection(self::connectionConfig($root, $config));
        $capsule->setAsGlobal();
        $capsule->bootEloquent();

        $GLOBALS['customadminpath'] = (string) ($config['customadminpath'] ?? 'admin') ?: 'admin';
        $GLOBALS['templates_compiledir'] = (string) ($config['templates_compiledir'] ?? $root . '/templates_c');
        $GLOBALS['CONFIG'] = self::loadConfig();
        if (isset($GLOBALS['CONFIG']['Language'])) {
            \Lang::setLanguage((string) $GLOBALS['CONFIG']['Language']);
        }

        self::registerModuleAutoloader($root);
        if ($loadHooks) {
            self::loadHooks($root);
        }
    }

    /**
     * Capsule connection settings from configuration.php's variables, named as WHMCS names them:
     * `$db_host` (a UNIX socket as `localhost:/path/mysqld.sock`), `$db_port`, `$db_username`,
     * `$db_password`, `$db_name`, `$mysql_charset` and the encrypted-connection settings `$db_tls_ca`,
     * `$db_tls_ca_path`, `$db_tls_cert`, `$db_tls_key`, `$db_tls_cipher`, `$db_tls_verify_cert`.
     * The session keeps the server's sql_mode (no `strict` override), so the emulation runs under
     * MariaDB's strict default.
     */
    public static function connectionConfig(string $root, array $config): array
    {
        $driver = (string) ($config['db_driver'] ?? 'mysql');
        if ($driver === 'sqlite') {
            $file = (string) ($config['db_name'] ?? ($root . '/whmcs.sqlite'));
            return ['driver' => 'sqlite', 'database' => $file, 'prefix' => '', 'foreign_key_constraints' => true];
        }
        $charset = (string) ($config['mysql_charset'] ?? 'utf8mb4') ?: 'utf8mb4';
        [$host, $socket] = self::hostAndSocket((string) ($config['db_host'] ?? 'localhost'));
        return [
            'driver' => 'mysql',
            'host' => $host,
            'port' => (string) ($config['db_port'] ?? '3306') ?: '3306',
            'unix_socket' => $socket,
            'database' => (string) ($config['db_name'] ?? ''),
            'username' => (string) ($config['db_username'] ?? ''),
            'password' => (string) ($config['db_password'] ?? ''),
            'charset' => $charset,
            'collation' => $charset === 'utf8mb4' ? 'utf8mb4_unicode_ci' : $charset . '_unicode_ci',
            'prefix' => '',
            'engine' => 'InnoDB',
            'options' => self::tlsOptions($config),
        ];
    }

    /** @return array{0:string, 1:string} host, UNIX socket path ('' = TCP) */
    public static function hostAndSocket(string $dbHost): array
    {
        $colon = strpos($dbHost, ':');
        if ($colon !== false && substr($dbHost, $colon + 1, 1) === '/') {
            return [substr($dbHost, 0, $colon) ?: 'localhost', substr($dbHost, $colon + 1)];
        }
        return [$dbHost === '' ? 'localhost' : $dbHost, ''];
    }

    /** PDO options for WHMCS's `$db_tls_*` settings (none set = no TLS). */
    public static function tlsOptions(array $config): array
    {
        $map = [
            'db_tls_ca' => \PDO::MYSQL_ATTR_SSL_CA,
            'db_tls_ca_path' => \PDO::MYSQL_ATTR_SSL_CAPATH,
            'db_tls_cert' => \PDO::MYSQL_ATTR_SSL_CERT,
            'db_tls_key' => \PDO::MYSQL_ATTR_SSL_KEY,
            'db_tls_cipher' => \PDO::MYSQL_ATTR_SSL_CIPHER,
        ];
        $options = [];
        foreach ($map as $name => $attr) {
            $value = (string) ($config[$name] ?? '');
            if ($value !== '') {
                $options[$attr] = $value;
            }
        }
        $verify = strtolower(trim((string) ($config['db_tls_verify_cert'] ?? '')));
        if ($options !== [] || $verify !== '') {
            $options[\PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = in_array($verify, ['1', 'true', 'on', 'yes'], true);
        }
        return $options;
    }

    /** @return array<string, string> tblconfiguration as setting => value */
    public static function loadConfig(): array
    {
        if (!Capsule::schema()->hasTable('tblconfiguration')) {
            return [];
        }
        $out = [];
        foreach (Capsule::table('tblconfiguration')->get() as $row) {
            $out[$row->setting] = (string) $row->value;
        }
        return $out;
    }

    /**
     * WHMCS\Module\Server\<Name>\X → modules/servers/<dir>/lib/X.php and
     * WHMCS\Module\Addon\<Name>\X → modules/addons/<dir>/lib/X.php, where <dir>
     * matches <Name> case-insensitively (docs/whmcs-emulation.md "Choices" #12; WHMCS's rule is not documented).
     */
    public static function registerModuleAutoloader(string $root): void
    {
        spl_autoload_register(static function (string $class) use ($root): void {
            if (!preg_match('/^WHMCS\\\\Module\\\\(Server|Addon)\\\\([A-Za-z0-9_]+)\\\\(.+)$/', $class, $m)) {
                return;
            }
            $typeDir = $root . '/modules/' . ($m[1] === 'Server' ? 'servers' : 'addons');
            $entries = @scandir($typeDir) ?: [];
            foreach ($entries as $entry) {
                if ($entry[0] === '.' || strtolower($entry) !== strtolower($m[2])) {
                    continue;
                }
                $file = $typeDir . '/' . $entry . '/lib/' . str_replace('\\', '/', $m[3]) . '.php';
                if (is_file($file)) {
                    require_once $file;
                    return;
                }
            }
        });
    }

    /**
     * includes/hooks/*.php except names starting with "_" (sorted), then
     * hooks.php of active addon modules (tbladdonmodules `version` row) and of
     * server modules used by a product.
     */
    public static function loadHooks(string $root): void
    {
        $files = glob($root . '/includes/hooks/*.php') ?: [];
        sort($files);
        foreach ($files as $file) {
            if (basename($file)[0] === '_' || !is_file($file)) {
                continue;
            }
            self::includeFile($file);
        }
        try {
            $addons = Capsule::table('tbladdonmodules')->where('setting', 'version')->pluck('module')->all();
            $servers = Capsule::table('tblproducts')->where('servertype', '!=', '')->distinct()->pluck('servertype')->all();
        } catch (\Throwable $e) {
            return;
        }
        foreach (array_unique($addons) as $addon) {
            $file = $root . '/modules/addons/' . basename((string) $addon) . '/hooks.php';
            if (is_file($file)) {
                self::includeFile($file);
            }
        }
        foreach (array_unique($servers) as $server) {
            $file = $root . '/modules/servers/' . basename((string) $server) . '/hooks.php';
            if (is_file($file)) {
                self::includeFile($file);
            }
        }
    }

    private static function includeFile(string $file): void
    {
        (static function (string $__file): void {
            require_once $__file;
        })($file);
    }
}
