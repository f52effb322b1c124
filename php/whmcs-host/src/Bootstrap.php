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

    public static function connectionConfig(string $root, array $config): array
    {
        $driver = (string) ($config['db_driver'] ?? 'mysql');
        if ($driver === 'sqlite') {
            $file = (string) ($config['db_name'] ?? ($root . '/whmcs.sqlite'));
            return ['driver' => 'sqlite', 'database' => $file, 'prefix' => '', 'foreign_key_constraints' => true];
        }
        $charset = (string) ($config['mysql_charset'] ?? 'utf8mb4') ?: 'utf8mb4';
        return [
            'driver' => 'mysql',
            'host' => (string) ($config['db_host'] ?? 'localhost'),
            'port' => (string) ($config['db_port'] ?? '3306') ?: '3306',
            'database' => (string) ($config['db_name'] ?? ''),
            'username' => (string) ($config['db_username'] ?? ''),
            'password' => (string) ($config['db_password'] ?? ''),
            'charset' => $charset,
            'collation' => $charset === 'utf8mb4' ? 'utf8mb4_unicode_ci' : 'utf8_unicode_ci',
            'prefix' => '',
            'strict' => false,
        ];
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
     * matches <Name> case-insensitively (spec §9.1; rule [?] in WHMCS).
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
