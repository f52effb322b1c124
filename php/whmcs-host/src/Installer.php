<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * Assembles a WHMCS-like root directory:
 *
 *   configuration.php   db settings, $cc_encryption_hash, $templates_compiledir, $customadminpath
 *   init.php            defines WHMCS/ROOTDIR, boots the emulation (WhmcsHost\Bootstrap)
 *   vendor/autoload.php returns the class loader (Illuminate, Carbon, Smarty, WHMCS\ classes)
 *   modules/servers/<m> modules/addons/<m>   copies of the repo's module directories,
 *   includes/hooks/<f>.php, includes/<dir>/  refreshed before every request (see sync());
 *   manage.php (and other top-level *.php)   with --link symlink: symlinks instead
 *   admin/, templates_c/, downloads/
 *   .whmcs-host.json    install metadata used by the runner (repo, extra dirs, db)
 */
final class Installer
{
    /** Paths linked even when absent at install time (they appear once the repo has them). */
    private const KNOWN = [
        'modules/servers/acroniscloud' => 'link',
        'modules/addons/acroniscloud' => 'link',
        'includes/hooks/acroniscloud.php' => 'link',
        'includes/acroniscloud' => 'dir',
        'manage.php' => 'file',
    ];

    public static function hostDir(): string
    {
        return dirname(__DIR__);
    }

    /**
     * @param array{db?:string, repo?:string, extra?:string[], adminpath?:string, link?:string} $opts
     * @return array<string, mixed> metadata written to .whmcs-host.json
     */
    public static function assemble(string $root, array $opts): array
    {
        if (!is_dir($root) && !mkdir($root, 0777, true) && !is_dir($root)) {
            throw new \RuntimeException("Cannot create root directory $root");
        }
        $root = realpath($root);
        $repo = realpath($opts['repo'] ?? dirname(self::hostDir(), 2));
        if ($repo === false) {
            throw new \RuntimeException('Repository directory not found: ' . ($opts['repo'] ?? ''));
        }
        $extra = [];
        foreach ((array) ($opts['extra'] ?? []) as $dir) {
            $real = realpath((string) $dir);
            if ($real === false) {
                throw new \RuntimeException("Extra module directory not found: $dir");
            }
            $extra[] = $real;
        }
        $adminPath = (string) ($opts['adminpath'] ?? 'admin') ?: 'admin';
        $link = (string) ($opts['link'] ?? 'copy') ?: 'copy';
        if (!in_array($link, ['copy', 'symlink'], true)) {
            throw new \InvalidArgumentException("--link must be copy or symlink, got '$link'");
        }
        $db = self::parseDb((string) ($opts['db'] ?? ''), $root);

        foreach (['modules/servers', 'modules/addons', 'includes/hooks', $adminPath, 'templates_c', 'vendor', 'downloads', 'attachments'] as $dir) {
            if (!is_dir("$root/$dir")) {
                mkdir("$root/$dir", 0777, true);
            }
        }
        $hash = bin2hex(random_bytes(32));
        file_put_contents("$root/configuration.php", self::configurationPhp($db, $hash, "$root/templates_c", $adminPath));
        file_put_contents("$root/init.php", self::initPhp());
        file_put_contents("$root/vendor/autoload.php", self::vendorAutoloadPhp());
        file_put_contents("$root/$adminPath/index.php", "<?php\n// WHMCS emulation admin area: pages are served by php/whmcs-host/router.php (`whmcs serve`)\n");

        $meta = [
            'host' => self::hostDir(),
            'repo' => $repo,
            'extra' => $extra,
            'adminpath' => $adminPath,
            'link' => $link,
            'db' => ['driver' => $db['driver'], 'name' => $db['name'], 'host' => $db['host']],
            'installed_at' => date('c'),
        ];
        file_put_contents("$root/.whmcs-host.json", json_encode($meta, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
        self::sync($root);
        if ($db['driver'] === 'sqlite') {
            if (is_file($db['name'])) {
                unlink($db['name']);
            }
            if (!is_dir(dirname($db['name']))) {
                mkdir(dirname($db['name']), 0777, true);
            }
            touch($db['name']);
        }
        return $meta;
    }

    /**
     * Brings the repo's (and extra dirs') module files into the root. Idempotent;
     * the runner calls it before every request so edits and new files show up.
     *
     * Mode "copy" (default): files are copied and refreshed when their source
     * changes, so `__DIR__` inside module files is in the root as in a real
     * WHMCS install (`require __DIR__ . '/../../../includes/…'` and
     * `__DIR__ . '/config.yaml'` resolve inside the root). A file changed or
     * created in the root by a test is never overwritten; copies whose source
     * disappeared are removed.
     * Mode "symlink": module directories / hook files are symlinks into the
     * repo (then `__DIR__` is the repo path).
     */
    public static function sync(string $root): void
    {
        $metaFile = "$root/.whmcs-host.json";
        if (!is_file($metaFile)) {
            return;
        }
        $meta = json_decode((string) file_get_contents($metaFile), true) ?: [];
        $symlink = ($meta['link'] ?? 'copy') === 'symlink';
        $sources = array_merge([$meta['repo'] ?? ''], $meta['extra'] ?? []);
        $stateFile = "$root/.whmcs-host-copies.json";
        $state = is_file($stateFile) ? (json_decode((string) file_get_contents($stateFile), true) ?: []) : [];
        $before = $state;
        $seen = [];
        foreach ($sources as $i => $src) {
            if ($src === '' || !is_dir($src)) {
                continue;
            }
            $entries = $i === 0 && $symlink ? self::KNOWN : [];
            foreach (['modules/servers', 'modules/addons'] as $type) {
                foreach (glob("$src/$type/*", GLOB_ONLYDIR) ?: [] as $dir) {
                    $entries[$type . '/' . basename($dir)] = $symlink ? 'link' : 'tree';
                }
            }
            foreach (glob("$src/includes/hooks/*.php") ?: [] as $file) {
                $entries['includes/hooks/' . basename($file)] = $symlink ? 'link' : 'file';
            }
            foreach (glob("$src/includes/*", GLOB_ONLYDIR) ?: [] as $dir) {
                if (basename($dir) !== 'hooks') {
                    $entries['includes/' . basename($dir)] = $symlink ? 'dir' : 'tree';
                }
            }
            foreach (glob("$src/*.php") ?: [] as $file) {
                $entries[basename($file)] = 'file';
            }
            foreach ($entries as $rel => $mode) {
                if ($mode === 'tree') {
                    self::copyTree($src . '/' . $rel, $root, $rel, $state, $seen);
                } elseif ($mode === 'file') {
                    self::copyFile($src . '/' . $rel, $root, $rel, $state, $seen);
                } else {
                    self::place($src . '/' . $rel, $root . '/' . $rel, $mode);
                }
            }
        }
        foreach ($state as $rel => $sig) {
            if (isset($seen[$rel])) {
                continue;
            }
            $dst = "$root/$rel";
            if (is_file($dst) && !is_link($dst) && self::sig($dst) === $sig['dst']) {
                unlink($dst);
            }
            unset($state[$rel]);
        }
        if ($state !== $before) {
            file_put_contents($stateFile, json_encode($state, JSON_UNESCAPED_SLASHES));
        }
    }

    private static function sig(string $file): string
    {
        clearstatcache(true, $file);
        return filesize($file) . ':' . md5_file($file);
    }

    private static function copyTree(string $srcDir, string $root, string $rel, array &$state, array &$seen): void
    {
        if (!is_dir($srcDir) || is_link("$root/$rel")) {
            return;
        }
        if (!is_dir("$root/$rel")) {
            mkdir("$root/$rel", 0777, true);
        }
        foreach (scandir($srcDir) ?: [] as $entry) {
            if ($entry === '.' || $entry === '..') {
                continue;
            }
            if (is_dir("$srcDir/$entry")) {
                self::copyTree("$srcDir/$entry", $root, "$rel/$entry", $state, $seen);
            } else {
                self::copyFile("$srcDir/$entry", $root, "$rel/$entry", $state, $seen);
            }
        }
    }

    private static function copyFile(string $src, string $root, string $rel, array &$state, array &$seen): void
    {
        if (!is_file($src)) {
            return;
        }
        $dst = "$root/$rel";
        if (is_link($dst)) {
            return;
        }
        $known = $state[$rel] ?? null;
        if (file_exists($dst)) {
            if ($known === null || self::sig($dst) !== $known['dst']) {
                return; // created or changed in the root: owned by the root now
            }
        }
        $seen[$rel] = true;
        $srcSig = self::sig($src);
        if ($known !== null && file_exists($dst) && $known['src'] === $srcSig) {
            return;
        }
        if (!is_dir(dirname($dst))) {
            mkdir(dirname($dst), 0777, true);
        }
        copy($src, $dst);
        $state[$rel] = ['src' => $srcSig, 'dst' => self::sig($dst)];
    }

    /** Symlink mode. */
    private static function place(string $source, string $target, string $mode): void
    {
        if (is_link($target) || file_exists($target)) {
            if ($mode !== 'dir' || is_link($target)) {
                return;
            }
        }
        if (!is_dir(dirname($target))) {
            mkdir(dirname($target), 0777, true);
        }
        if ($mode === 'link') {
            symlink($source, $target);
            return;
        }
        if (!is_dir($target)) {
            mkdir($target, 0777, true);
        }
        foreach (is_dir($source) ? (scandir($source) ?: []) : [] as $entry) {
            if ($entry !== '.' && $entry !== '..' && !is_link("$target/$entry") && !file_exists("$target/$entry")) {
                symlink("$source/$entry", "$target/$entry");
            }
        }
    }

    /** WHMCS's encrypted-database-connection settings of configuration.php. */
    public const TLS_SETTINGS = ['db_tls_ca', 'db_tls_ca_path', 'db_tls_cert', 'db_tls_cipher', 'db_tls_key', 'db_tls_verify_cert'];

    /**
     * --db forms: '' (sqlite file <root>/whmcs.sqlite), 'sqlite:/path/file.sqlite',
     * 'mysql://user:pass@host:port/dbname[?socket=/path.sock&charset=utf8&tls_ca=/ca.pem&tls_verify_cert=1…]'
     * (mariadb:// too; user and password percent-encoded), 'mysql:host=H;port=P;dbname=D;user=U;password=W[;unix_socket=S]'.
     *
     * @return array{driver:string, host:string, port:string, name:string, user:string, password:string,
     *               socket:string, charset:string, tls:array<string,string>}
     */
    public static function parseDb(string $spec, string $root): array
    {
        $db = ['driver' => 'sqlite', 'host' => '', 'port' => '', 'name' => "$root/whmcs.sqlite", 'user' => '', 'password' => '',
            'socket' => '', 'charset' => 'utf8mb4', 'tls' => []];
        if ($spec === '') {
            return $db;
        }
        if (strncmp($spec, 'sqlite:', 7) === 0) {
            $path = substr($spec, 7);
            if ($path === '') {
                return $db;
            }
            $db['name'] = $path[0] === '/' ? $path : "$root/$path";
            return $db;
        }
        if (strncmp($spec, 'mysql://', 8) === 0 || strncmp($spec, 'mariadb://', 10) === 0) {
            return self::parseMysqlUrl($spec) + $db;
        }
        if (strncmp($spec, 'mysql:', 6) === 0) {
            $parts = [];
            foreach (explode(';', substr($spec, 6)) as $kv) {
                if (strpos($kv, '=') !== false) {
                    [$k, $v] = explode('=', $kv, 2);
                    $parts[strtolower(trim($k))] = $v;
                }
            }
            return [
                'driver' => 'mysql', 'host' => $parts['host'] ?? 'localhost', 'port' => $parts['port'] ?? '3306',
                'name' => $parts['dbname'] ?? '', 'user' => $parts['user'] ?? '', 'password' => $parts['password'] ?? '',
                'socket' => $parts['unix_socket'] ?? '', 'charset' => $parts['charset'] ?? 'utf8mb4', 'tls' => [],
            ];
        }
        throw new \InvalidArgumentException('Unsupported --db value: ' . self::redactDsn($spec));
    }

    /** A DSN with its password replaced by "***", for messages. */
    public static function redactDsn(string $spec): string
    {
        return (string) preg_replace(['#(//[^:@/]*:)[^@/]*@#', '/(password=)[^;]*/i'], ['$1***@', '$1***'], $spec);
    }

    private static function parseMysqlUrl(string $spec): array
    {
        $u = parse_url($spec);
        if ($u === false || empty($u['host']) || empty($u['path']) || trim($u['path'], '/') === '') {
            throw new \InvalidArgumentException('Invalid MySQL URL (mysql://USER:PASS@HOST:PORT/DBNAME): ' . self::redactDsn($spec));
        }
        parse_str($u['query'] ?? '', $query);
        $tls = [];
        foreach (self::TLS_SETTINGS as $name) {
            $key = substr($name, 3);
            if (isset($query[$key]) && is_string($query[$key])) {
                $tls[$name] = $query[$key];
            }
        }
        return [
            'driver' => 'mysql', 'host' => $u['host'], 'port' => (string) ($u['port'] ?? '3306'),
            'name' => rawurldecode(trim($u['path'], '/')), 'user' => rawurldecode($u['user'] ?? ''),
            'password' => rawurldecode($u['pass'] ?? ''),
            'socket' => is_string($query['socket'] ?? null) ? $query['socket'] : '',
            'charset' => is_string($query['charset'] ?? null) && $query['charset'] !== '' ? $query['charset'] : 'utf8mb4',
            'tls' => $tls,
        ];
    }

    /**
     * configuration.php with WHMCS's variable names; a UNIX socket goes into `$db_host` as
     * `host:/path/to.sock`; `$db_driver` is the emulation's own (WHMCS is MySQL-only).
     */
    public static function configurationPhp(array $db, string $hash, string $compileDir, string $adminPath): string
    {
        $e = static fn ($v) => var_export((string) $v, true);
        $host = $db['socket'] !== '' ? ($db['host'] ?: 'localhost') . ':' . $db['socket'] : $db['host'];
        $php = "<?php\n"
            . "// Generated by whmcs-host (WHMCS emulation). WHMCS itself has no \$db_driver: it is MySQL-only.\n"
            . "\$license = 'WHMCS-EMULATION';\n"
            . '$db_driver = ' . $e($db['driver']) . ";\n"
            . self::dbSettingsPhp($db, $host)
            . '$cc_encryption_hash = ' . $e($hash) . ";\n"
            . '$templates_compiledir = ' . $e($compileDir) . ";\n"
            . '$customadminpath = ' . $e($adminPath) . ";\n";
        return $php;
    }

    /** The `$db_*` and `$mysql_charset` lines of configuration.php. */
    private static function dbSettingsPhp(array $db, string $host): string
    {
        $e = static fn ($v) => var_export((string) $v, true);
        $php = '$db_host = ' . $e($host) . ";\n"
            . '$db_port = ' . $e($db['port']) . ";\n"
            . '$db_username = ' . $e($db['user']) . ";\n"
            . '$db_password = ' . $e($db['password']) . ";\n"
            . '$db_name = ' . $e($db['name']) . ";\n";
        foreach (self::TLS_SETTINGS as $name) {
            $php .= '$' . $name . ' = ' . $e($db['tls'][$name] ?? '') . ";\n";
        }
        return $php . '$mysql_charset = ' . $e($db['charset'] ?: 'utf8mb4') . ";\n";
    }

    /**
     * Points an installed root at another database (e.g. a restored copy): rewrites the database lines of
     * configuration.php and the metadata, keeps everything else ($cc_encryption_hash included). Creates no table.
     */
    public static function useDatabase(string $root, string $spec): void
    {
        $db = self::parseDb($spec, $root);
        $file = "$root/configuration.php";
        $lines = file($file, FILE_IGNORE_NEW_LINES);
        if ($lines === false) {
            throw new \RuntimeException("Cannot read $file");
        }
        $kept = array_filter($lines, static fn ($l) => !preg_match('/^\$(db_|mysql_charset\b)/', $l));
        $host = $db['socket'] !== '' ? ($db['host'] ?: 'localhost') . ':' . $db['socket'] : $db['host'];
        $kept[] = '$db_driver = ' . var_export($db['driver'], true) . ';';
        file_put_contents($file, implode("\n", $kept) . "\n" . self::dbSettingsPhp($db, $host));
        $metaFile = "$root/.whmcs-host.json";
        $meta = json_decode((string) @file_get_contents($metaFile), true) ?: [];
        $meta['db'] = ['driver' => $db['driver'], 'name' => $db['name'], 'host' => $db['host']];
        file_put_contents($metaFile, json_encode($meta, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
    }

    private static function initPhp(): string
    {
        return <<<'PHP'
<?php
// Generated by whmcs-host (WHMCS emulation).
if (!defined('WHMCS')) {
    define('WHMCS', true);
}
if (!defined('ROOTDIR')) {
    define('ROOTDIR', __DIR__);
}
require __DIR__ . '/configuration.php';
$__whmcshost_config = [];
foreach (['license', 'db_driver', 'db_host', 'db_port', 'db_username', 'db_password', 'db_name',
    'db_tls_ca', 'db_tls_ca_path', 'db_tls_cert', 'db_tls_cipher', 'db_tls_key', 'db_tls_verify_cert',
    'cc_encryption_hash', 'templates_compiledir', 'mysql_charset', 'customadminpath'] as $__name) {
    if (isset($$__name)) {
        $__whmcshost_config[$__name] = $$__name;
        $GLOBALS[$__name] = $$__name;
    }
}
require_once __DIR__ . '/vendor/autoload.php';
\WhmcsHost\Bootstrap::boot(__DIR__, $__whmcshost_config, !defined('WHMCSHOST_SKIP_HOOKS'));
unset($__whmcshost_config, $__name);

PHP;
    }

    private static function vendorAutoloadPhp(): string
    {
        return "<?php\n// Generated by whmcs-host: returns the class loader (Composer-like API: addPsr4, add, addClassMap, …).\n"
            . 'return require ' . var_export(self::hostDir() . '/autoload.php', true) . ";\n";
    }
}
