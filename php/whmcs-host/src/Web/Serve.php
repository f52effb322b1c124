<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

use WhmcsHost\Args;
use WhmcsHost\Installer;
use WhmcsHost\Json;
use WhmcsHost\Runner;

/**
 * `whmcs --root DIR serve [--host 127.0.0.1] [--port 0] [--autologin] [--csrf strict|off] [--workers N] [--log FILE|-] [--exit-with-parent]`
 *
 * Starts `php -S HOST:PORT -t ROOT php/whmcs-host/router.php` (same `-d`
 * settings as a CLI request: extension from --ext/ACRONISCLOUD_EXT, ini from
 * WHMCS_PHP_INI), waits until it accepts connections, prints ONE JSON line
 * `{"ok":true,"url":"http://HOST:PORT","pid":<php -S pid>,"runner_pid":<pid>,"log":…}`
 * on stdout and stays in the foreground until the server ends or the runner
 * gets SIGTERM/SIGINT/SIGHUP (then the server is stopped too).
 * Port 0 = pick a free port. --exit-with-parent: also stop when the process
 * that started the runner dies (test harnesses).
 */
final class Serve
{
    public static function main(string $root, string $php, ?string $ext, array $argv): int
    {
        $a = Args::parse($argv);
        $host = (string) $a->str('host', '127.0.0.1');
        $port = (int) $a->str('port', '0');
        if ($port === 0) {
            $port = self::freePort($host);
        }
        $log = (string) $a->str('log', $root . '/.whmcs-host-serve.log');
        $csrf = (string) $a->str('csrf', getenv('WHMCSHOST_CSRF') ?: 'strict');
        if (!in_array($csrf, ['strict', 'off'], true)) {
            fwrite(STDERR, "whmcs serve: --csrf must be strict or off\n");
            return 2;
        }
        Installer::sync($root);

        $cmd = array_merge(Runner::phpCommand($php, $ext), ['-S', "$host:$port", '-t', $root, dirname(__DIR__, 2) . '/router.php']);
        $env = getenv();
        $env['WHMCSHOST_ROOT'] = $root;
        $env['WHMCSHOST_BROWSER'] = '1';
        $env['WHMCSHOST_CSRF'] = $csrf;
        $env['WHMCSHOST_AUTOLOGIN'] = $a->has('autologin') ? '1' : (getenv('WHMCSHOST_AUTOLOGIN') ?: '0');
        $env['WHMCSHOST_BASE_URL'] = "http://$host:$port";
        if ($a->has('workers')) {
            $env['PHP_CLI_SERVER_WORKERS'] = (string) (int) $a->str('workers');
        }
        $out = $log === '-' ? STDERR : ['file', $log, 'a'];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => $out, 2 => $out], $pipes, $root, $env);
        if (!is_resource($proc)) {
            fwrite(STDOUT, Json::encode(['ok' => false, 'error' => 'cannot start php -S']) . "\n");
            return 1;
        }
        $pid = (int) proc_get_status($proc)['pid'];
        $stop = static function () use ($proc, $pid): void {
            // With PHP_CLI_SERVER_WORKERS the master forks workers that outlive it when it is
            // terminated: they are found before the master goes and stopped by pid.
            $workers = self::children($pid);
            if (proc_get_status($proc)['running']) {
                proc_terminate($proc, SIGTERM);
                for ($i = 0; $i < 100 && proc_get_status($proc)['running']; $i++) {
                    usleep(20000);
                }
                if (proc_get_status($proc)['running']) {
                    proc_terminate($proc, SIGKILL);
                }
            }
            self::stopAll($workers);
        };
        $deadline = microtime(true) + 15;
        $ready = false;
        while (microtime(true) < $deadline) {
            if (!proc_get_status($proc)['running']) {
                break;
            }
            $s = @stream_socket_client("tcp://$host:$port", $errno, $errstr, 0.2);
            if ($s) {
                fclose($s);
                $ready = true;
                break;
            }
            usleep(20000);
        }
        if (!$ready) {
            $stop();
            $tail = $log !== '-' && is_file($log) ? substr((string) file_get_contents($log), -2000) : '';
            fwrite(STDOUT, Json::encode(['ok' => false, 'error' => "php -S did not start on $host:$port", 'log' => $tail]) . "\n");
            return 1;
        }
        fwrite(STDOUT, Json::encode(['ok' => true, 'url' => "http://$host:$port", 'pid' => $pid, 'runner_pid' => getmypid(),
            'root' => $root, 'log' => $log, 'csrf' => $csrf]) . "\n");
        fflush(STDOUT);

        $stopping = false;
        if (function_exists('pcntl_async_signals')) {
            pcntl_async_signals(true);
            foreach ([SIGTERM, SIGINT, SIGHUP] as $sig) {
                pcntl_signal($sig, static function () use (&$stopping): void {
                    $stopping = true;
                });
            }
        }
        $parent = function_exists('posix_getppid') ? posix_getppid() : 0;
        $watchParent = $a->has('exit-with-parent') && $parent > 1;
        while (!$stopping) {
            if ($watchParent && posix_getppid() !== $parent) {
                break;
            }
            $st = proc_get_status($proc);
            if (!$st['running']) {
                proc_close($proc);
                return $st['exitcode'] === 0 ? 0 : 1;
            }
            usleep(100000);
        }
        $stop();
        proc_close($proc);
        return 0;
    }

    /** @return int[] pids whose parent is `$pid` (read from /proc; empty elsewhere). */
    private static function children(int $pid): array
    {
        $found = [];
        foreach (glob('/proc/[0-9]*/stat') ?: [] as $file) {
            $stat = (string) @file_get_contents($file);
            // After the command name in parentheses: state, then the parent's pid.
            $fields = explode(' ', substr($stat, (int) strrpos($stat, ')') + 2));
            if ((int) ($fields[1] ?? 0) === $pid) {
                $found[] = (int) basename(dirname($file));
            }
        }
        return $found;
    }

    /** SIGTERM to each pid, then SIGKILL to those still there after a second. */
    private static function stopAll(array $pids): void
    {
        if ($pids === [] || !function_exists('posix_kill')) {
            return;
        }
        foreach ($pids as $p) {
            @posix_kill($p, SIGTERM);
        }
        for ($i = 0; $i < 50 && array_filter($pids, static fn (int $p): bool => @posix_kill($p, 0)) !== []; $i++) {
            usleep(20000);
        }
        foreach ($pids as $p) {
            @posix_kill($p, SIGKILL);
        }
    }

    private static function freePort(string $host): int
    {
        $s = stream_socket_server("tcp://$host:0", $errno, $errstr);
        if ($s === false) {
            throw new \RuntimeException("Cannot find a free port on $host: $errstr");
        }
        $name = (string) stream_socket_get_name($s, false);
        fclose($s);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
