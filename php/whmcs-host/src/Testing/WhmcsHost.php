<?php
declare(strict_types=1);

namespace WhmcsHost\Testing;

// The demo and the benches load this file without an autoloader.
require_once __DIR__ . '/TestDatabases.php';
require_once dirname(__DIR__) . '/Installer.php';
require_once dirname(__DIR__) . '/Bootstrap.php';

/**
 * Test client for the WHMCS host emulation. Every call spawns
 * `php php/whmcs-host/bin/whmcs --root DIR …`, i.e. a fresh PHP process per
 * emulated request, and never loads WHMCS or module code in the caller.
 *
 *   $host = WhmcsHost::create(sys_get_temp_dir() . '/whmcs-' . uniqid(), [
 *       'seed'  => 'full',                       // optional: server 1 + service 1
 *       'extra' => [__DIR__ . '/../fixtures/fakemodule'],
 *       'ext'   => '/path/acroniscloud.so',      // optional (default env ACRONISCLOUD_EXT)
 *   ]);
 *   $r = $host->run('server:add', ['--name' => 'EU2', '--hostname' => 'h', '--username' => 'u', '--password' => 'p']);
 *   $r['exit'];                 // 0 on success
 *   $r['json']['result'];       // command result
 *   $host->ok('server:get', [1]);   // result or RuntimeException
 *   $host->sql('SELECT * FROM tblservers WHERE id = ?', [1]);
 *   $host->moduleLog();
 *
 * Arguments: list items are positional, string keys are options
 * (`'--name' => 'x'` or `'name' => 'x'`); `true` → bare flag, arrays →
 * repeated option when a list, JSON otherwise.
 */
final class WhmcsHost
{
    private string $root;
    /** @var array<string, mixed> */
    private array $opts;
    /** @var array{name:string, user:string, password:string, dsn:string}|null the test database this root made */
    private ?array $database = null;

    private function __construct(string $root, array $opts)
    {
        $this->root = $root;
        $this->opts = $opts;
    }

    /** Path of php/whmcs-host/bin/whmcs. */
    public static function runnerPath(): string
    {
        return dirname(__DIR__, 2) . '/bin/whmcs';
    }

    /**
     * Installs a fresh root in $dir (created if missing).
     *
     * @param array{db?:string, repo?:string, extra?:string[], seed?:string, whmcs_version?:string, link?:string,
     *              module_debug?:bool, ext?:string, php?:string, env?:array<string,string>} $opts
     */
    public static function create(string $dir, array $opts = []): self
    {
        $host = new self($dir, $opts);
        // WHMCS_DB_DSN=mysql://…: every root gets a fresh database of its own (dropped by destroy()).
        $databases = isset($opts['db']) ? null : TestDatabases::fromEnv();
        if ($databases !== null) {
            $host->database = $databases->create();
            $opts['db'] = $host->database['dsn'];
        }
        $args = [];
        foreach (['db' => '--db', 'repo' => '--repo', 'seed' => '--seed', 'whmcs_version' => '--whmcs-version', 'link' => '--link'] as $k => $flag) {
            if (isset($opts[$k])) {
                $args[$flag] = (string) $opts[$k];
            }
        }
        if (!empty($opts['extra'])) {
            $args['--extra'] = array_values((array) $opts['extra']);
        }
        if (!empty($opts['module_debug'])) {
            $args['--module-debug'] = true;
        }
        $host->ok('install', $args);
        $host->root = (string) realpath($dir);
        return $host;
    }

    /** Uses an already installed root. */
    public static function open(string $dir, array $opts = []): self
    {
        if (!is_file($dir . '/init.php')) {
            throw new \RuntimeException("Not a WHMCS emulation root: $dir");
        }
        return new self((string) realpath($dir), $opts);
    }

    public function root(): string
    {
        return $this->root;
    }

    /**
     * The MySQL test database this root made (WHMCS_DB_DSN set), or null (SQLite, or a database given by
     * the caller).
     *
     * @return array{name:string, user:string, password:string, dsn:string}|null
     */
    public function database(): ?array
    {
        return $this->database;
    }

    /**
     * A PDO connection to this root's database, from its configuration.php (the SQLite file or the MySQL
     * database), for bulk test fixtures that would take too long through `sql` requests.
     */
    public function pdo(): \PDO
    {
        $config = (static function (string $__file): array {
            include $__file;
            return get_defined_vars();
        })($this->root . '/configuration.php');
        $c = \WhmcsHost\Bootstrap::connectionConfig($this->root, $config);
        if ($c['driver'] === 'sqlite') {
            $pdo = new \PDO('sqlite:' . $c['database']);
        } else {
            $where = $c['unix_socket'] !== '' ? 'unix_socket=' . $c['unix_socket'] : 'host=' . $c['host'] . ';port=' . $c['port'];
            $pdo = new \PDO("mysql:$where;dbname={$c['database']};charset={$c['charset']}", $c['username'], $c['password'], $c['options']);
        }
        $pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
        return $pdo;
    }

    /**
     * Points this root at another database (e.g. TestDatabases::copy()'s restored copy, or a user with fewer
     * rights from TestDatabases::createUser()); configuration.php keeps its $cc_encryption_hash.
     */
    public function useDatabase(string $dsn): void
    {
        \WhmcsHost\Installer::useDatabase($this->root, $dsn);
    }

    /**
     * A second web node of the same installation: a copy of this root (same configuration.php, so the same
     * database and $cc_encryption_hash) in $dir, for two PHP processes working on one database at once.
     * Its destroy() removes its directory only; the database stays with this root.
     */
    public function secondNode(string $dir, array $opts = []): self
    {
        if (file_exists($dir)) {
            throw new \RuntimeException("$dir exists already");
        }
        $proc = proc_open(['cp', '-a', $this->root, $dir], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['pipe', 'w']], $pipes);
        $err = is_resource($proc) ? (string) stream_get_contents($pipes[2]) : 'cannot start cp';
        if (!is_resource($proc) || proc_close($proc) !== 0) {
            throw new \RuntimeException("Cannot copy the root to $dir: $err");
        }
        return self::open($dir, $opts + $this->opts);
    }

    /**
     * Runs one command in a new process.
     *
     * @return array{exit:int, json:?array, stdout:string, stderr:string}
     */
    public function run(string $command, array $args = []): array
    {
        $cmd = $this->commandLine($command, $args);
        $env = $this->environment();
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        if (!is_resource($proc)) {
            throw new \RuntimeException('Cannot start the WHMCS runner');
        }
        // The runner writes stdout/stderr only at the end, but read both
        // non-blockingly anyway to avoid pipe deadlocks.
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        $stdout = $stderr = '';
        while (true) {
            $read = [$pipes[1], $pipes[2]];
            $w = $e = null;
            if (@stream_select($read, $w, $e, 1) === false) {
                break;
            }
            foreach ($read as $r) {
                $chunk = (string) fread($r, 65536);
                if ($r === $pipes[1]) {
                    $stdout .= $chunk;
                } else {
                    $stderr .= $chunk;
                }
            }
            if (feof($pipes[1]) && feof($pipes[2])) {
                break;
            }
        }
        fclose($pipes[1]);
        fclose($pipes[2]);
        $exit = proc_close($proc);
        $json = json_decode(trim($stdout), true);
        return ['exit' => $exit, 'json' => is_array($json) ? $json : null, 'stdout' => $stdout, 'stderr' => $stderr];
    }

    /**
     * Runs several commands at the same moment, each in its own process (e.g. the same cron on two nodes
     * made by secondNode(), for race tests); waits for all of them.
     *
     * @param array<array-key, array{0:self, 1:string, 2?:array}> $calls [host, command, args] each
     * @return array<array-key, array{exit:int, json:?array, stdout:string, stderr:string}> by the same keys
     */
    public static function runAtOnce(array $calls): array
    {
        $started = [];
        foreach ($calls as $key => $call) {
            [$host, $command] = $call;
            $out = (string) tempnam(sys_get_temp_dir(), 'whmcs-out-');
            $err = (string) tempnam(sys_get_temp_dir(), 'whmcs-err-');
            $proc = proc_open($host->commandLine($command, $call[2] ?? []), [0 => ['file', '/dev/null', 'r'],
                1 => ['file', $out, 'w'], 2 => ['file', $err, 'w']], $pipes, null, $host->environment());
            if (!is_resource($proc)) {
                throw new \RuntimeException('Cannot start the WHMCS runner');
            }
            $started[$key] = [$proc, $out, $err];
        }
        $results = [];
        foreach ($started as $key => [$proc, $out, $err]) {
            $exit = proc_close($proc);
            $stdout = (string) file_get_contents($out);
            $stderr = (string) file_get_contents($err);
            @unlink($out);
            @unlink($err);
            $json = json_decode(trim($stdout), true);
            $results[$key] = ['exit' => $exit, 'json' => is_array($json) ? $json : null, 'stdout' => $stdout, 'stderr' => $stderr];
        }
        return $results;
    }

    /** @return list<string> */
    private function commandLine(string $command, array $args): array
    {
        $cmd = [$this->opts['php'] ?? PHP_BINARY, self::runnerPath(), '--root', $this->root];
        if (!empty($this->opts['ext'])) {
            $cmd[] = '--ext';
            $cmd[] = (string) $this->opts['ext'];
        }
        $cmd[] = $command;
        foreach (self::argv($args) as $a) {
            $cmd[] = $a;
        }
        return $cmd;
    }

    /** @return array<string, string>|null null = inherit */
    private function environment(): ?array
    {
        return empty($this->opts['env']) ? null : array_merge(getenv(), (array) $this->opts['env']);
    }

    /**
     * Runs a command that must succeed; returns its `result`.
     *
     * @return mixed
     * @throws \RuntimeException with the error, exception and stderr otherwise
     */
    public function ok(string $command, array $args = [])
    {
        $r = $this->run($command, $args);
        if ($r['exit'] !== 0 || empty($r['json']['ok'])) {
            throw new \RuntimeException(sprintf(
                "whmcs %s failed (exit %d): %s\nstdout: %s\nstderr: %s",
                $command,
                $r['exit'],
                $r['json']['error'] ?? '(no JSON)',
                $r['stdout'],
                $r['stderr']
            ));
        }
        return $r['json']['result'] ?? null;
    }

    /** SELECT → list of rows (assoc arrays); other statements → ['affected' => n]. */
    public function sql(string $sql, array $bind = []): array
    {
        $args = [$sql];
        if ($bind) {
            $args['--bind'] = json_encode($bind);
        }
        return (array) $this->ok('sql', $args);
    }

    /** Rows of tblmodulelog (optionally deleting them afterwards). */
    public function moduleLog(bool $clear = false): array
    {
        return (array) $this->ok('modulelog', $clear ? ['--clear' => true] : []);
    }

    /** Rows of tblactivitylog. */
    public function activityLog(bool $clear = false): array
    {
        return (array) $this->ok('activitylog', $clear ? ['--clear' => true] : []);
    }

    /**
     * Writes a file inside the root (replacing a symlink there instead of
     * writing through it). The runner's repo sync never overwrites it.
     */
    public function writeFile(string $relative, string $contents): string
    {
        $path = $this->root . '/' . ltrim($relative, '/');
        if (is_link($path)) {
            unlink($path);
        }
        if (!is_dir(dirname($path))) {
            mkdir(dirname($path), 0777, true);
        }
        file_put_contents($path, $contents);
        return $path;
    }

    /** @var resource|null `whmcs serve` process */
    private $serveProc = null;
    private ?array $serveInfo = null;

    /**
     * Starts the browser mode (`whmcs --root ROOT serve --port 0 …`) and
     * returns the base URL (e.g. http://127.0.0.1:41234). The server runs
     * until stopServer()/destroy() (or the end of this object).
     *
     * @param array{host?:string, port?:int, autologin?:bool, csrf?:string, workers?:int} $opts autologin defaults to true
     */
    public function serve(array $opts = []): string
    {
        if ($this->serveInfo !== null) {
            return $this->serveInfo['url'];
        }
        $cmd = [$this->opts['php'] ?? PHP_BINARY, self::runnerPath(), '--root', $this->root];
        if (!empty($this->opts['ext'])) {
            $cmd[] = '--ext';
            $cmd[] = (string) $this->opts['ext'];
        }
        $cmd[] = 'serve';
        $cmd[] = '--host=' . ($opts['host'] ?? '127.0.0.1');
        $cmd[] = '--port=' . (int) ($opts['port'] ?? 0);
        $cmd[] = '--exit-with-parent';
        if ($opts['autologin'] ?? true) {
            $cmd[] = '--autologin';
        }
        if (isset($opts['csrf'])) {
            $cmd[] = '--csrf=' . $opts['csrf'];
        }
        if (isset($opts['workers'])) {
            $cmd[] = '--workers=' . (int) $opts['workers'];
        }
        $env = !empty($this->opts['env']) ? array_merge(getenv(), (array) $this->opts['env']) : null;
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes, null, $env);
        if (!is_resource($proc)) {
            throw new \RuntimeException('Cannot start whmcs serve');
        }
        $line = (string) fgets($pipes[1]);
        fclose($pipes[1]);
        $info = json_decode(trim($line), true);
        if (!is_array($info) || empty($info['ok'])) {
            proc_terminate($proc);
            proc_close($proc);
            throw new \RuntimeException('whmcs serve failed: ' . $line);
        }
        $this->serveProc = $proc;
        $this->serveInfo = $info;
        return (string) $info['url'];
    }

    /** {"url","pid","runner_pid","log",…} of the running server, or null. */
    public function serveInfo(): ?array
    {
        return $this->serveInfo;
    }

    public function stopServer(): void
    {
        if ($this->serveProc === null) {
            return;
        }
        proc_terminate($this->serveProc, 15);
        for ($i = 0; $i < 250 && proc_get_status($this->serveProc)['running']; $i++) {
            usleep(20000);
        }
        if (proc_get_status($this->serveProc)['running']) {
            proc_terminate($this->serveProc, 9);
            @posix_kill((int) $this->serveInfo['pid'], 9);
        }
        proc_close($this->serveProc);
        $this->serveProc = null;
        $this->serveInfo = null;
    }

    public function __destruct()
    {
        $this->stopServer();
    }

    /**
     * Stops a running server, then removes the root directory (the SQLite file inside it included) and
     * drops the MySQL test database this root made.
     */
    public function destroy(): void
    {
        $this->stopServer();
        self::removeTree($this->root);
        if ($this->database !== null) {
            TestDatabases::fromEnv()?->drop($this->database['name']);
            $this->database = null;
        }
    }

    /** @return string[] */
    public static function argv(array $args): array
    {
        $out = [];
        foreach ($args as $k => $v) {
            if (is_int($k)) {
                $out[] = (string) $v;
                continue;
            }
            $flag = strncmp($k, '--', 2) === 0 ? $k : '--' . $k;
            if ($v === true) {
                $out[] = $flag;
            } elseif ($v === false || $v === null) {
                continue;
            } elseif (is_array($v) && array_is_list($v) && !self::isJsonOption($flag)) {
                foreach ($v as $item) {
                    $out[] = $flag . '=' . (string) $item;
                }
            } elseif (is_array($v) || is_object($v)) {
                $out[] = $flag . '=' . json_encode($v);
            } else {
                $out[] = $flag . '=' . (string) $v;
            }
        }
        return $out;
    }

    private static function isJsonOption(string $flag): bool
    {
        return in_array($flag, ['--vars', '--args', '--bind', '--post', '--get'], true);
    }

    private static function removeTree(string $dir): void
    {
        if (is_link($dir) || is_file($dir)) {
            unlink($dir);
            return;
        }
        if (!is_dir($dir)) {
            return;
        }
        foreach (scandir($dir) ?: [] as $entry) {
            if ($entry !== '.' && $entry !== '..') {
                self::removeTree("$dir/$entry");
            }
        }
        rmdir($dir);
    }
}
