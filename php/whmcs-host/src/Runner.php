<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * Parent side of bin/whmcs: parses the runner options, refreshes the root's
 * links, starts ONE new PHP process per request (request.php), relays its
 * JSON result. Exit codes: 0 ok, 1 command/module failure, 2 usage error,
 * 3 request process died without a result (crash, timeout).
 */
final class Runner
{
    public const USAGE = <<<'TXT'
Usage: whmcs --root DIR [--ext PATH] [--human] [--php BIN] [--timeout SEC] COMMAND [ARGS...]

Each command runs in its own PHP process (php -d extension=… request.php …).
Extension: --ext PATH or env ACRONISCLOUD_EXT. Extra ini: env WHMCS_PHP_INI="k=v k2=v2".
Request context: --context admin|client|cron (default admin), --client-id N.

  install [--db sqlite:/path.sqlite|mysql://u:p@h:3306/db] [--repo DIR] [--extra DIR]... [--link copy|symlink]
          [--seed full] [--whmcs-version V] [--module-debug] [--adminpath admin]
  server:add --name N --hostname H [--ip I] [--port P] [--secure on|''] --username U --password P
          [--accesshash A] [--type acroniscloud] [--no-hook]
  server:edit ID [--hostname H] [--password P] [--secure on|''] … [--no-hook]
  server:delete ID [--hook-first] [--force] [--no-hook]
  server:test ID [--field value …]      |  server:test --hostname H --username U --password P …
  server:get ID | server:list | server:params ID
  service:add [--pid 1] [--userid 1] [--server ID] [--status Pending] [--domain D] [--username U]
          [--password P] [--customfield 'name=value']... [--configoption 'name=value']...
  service:get ID | service:params ID
  product:add [--name N] [--module acroniscloud] [--gid 1] [--configoptionN V]...
  product:save PID [--configoptionN V]... (fires ProductEdit)
  module:call FUNCTION [--service ID | --server ID | --module NAME] [--args JSON] [--post JSON]
          [--get JSON] [--addon]
  module:create|suspend|unsuspend|terminate|changepackage|renew|changepassword SERVICEID [--reason R]
  module:metrics --server ID [--tenant T] [--no-usage]
  hook:run POINT [--vars JSON] | hook:list
  sql "SELECT …" [--bind JSON]
  modulelog [--clear] [--module M] | activitylog [--clear]
  config:set KEY VALUE | config:get KEY
  addon:set MODULE SETTING VALUE | addon:get MODULE | addon:activate MODULE
  localapi COMMAND [--vars JSON] [--admin USER]
  schema:tables | schema:columns TABLE
  serve [--host 127.0.0.1] [--port 0] [--autologin] [--csrf strict|off] [--workers N] [--log FILE|-] [--exit-with-parent]
          browser mode (php -S + router.php); prints {"ok":true,"url":…,"pid":…} and runs until SIGTERM
TXT;

    /** @param string[] $argv without the script name */
    public static function main(array $argv): int
    {
        $root = null;
        $ext = getenv('ACRONISCLOUD_EXT') ?: null;
        $human = false;
        $php = getenv('WHMCSHOST_PHP') ?: PHP_BINARY;
        $timeout = (int) (getenv('WHMCSHOST_TIMEOUT') ?: 300);
        $rest = [];
        $n = count($argv);
        for ($i = 0; $i < $n; $i++) {
            $tok = $argv[$i];
            if ($rest === [] && in_array($tok, ['--root', '--ext', '--php', '--timeout'], true)) {
                if (!isset($argv[$i + 1])) {
                    return self::usage("$tok needs a value");
                }
                $val = $argv[++$i];
                if ($tok === '--root') {
                    $root = $val;
                } elseif ($tok === '--ext') {
                    $ext = $val;
                } elseif ($tok === '--php') {
                    $php = $val;
                } else {
                    $timeout = (int) $val;
                }
            } elseif ($tok === '--human') {
                $human = true;
            } elseif ($rest === [] && ($tok === '--help' || $tok === '-h' || $tok === 'help')) {
                fwrite(STDOUT, self::USAGE . "\n");
                return 0;
            } else {
                $rest[] = $tok;
            }
        }
        if ($root === null || $root === '') {
            return self::usage('--root DIR is required');
        }
        if ($rest === []) {
            return self::usage('no command given');
        }
        $command = array_shift($rest);
        if ($command === 'serve') {
            if (!is_file($root . '/init.php')) {
                return self::usage("not a WHMCS emulation root: $root (run install first)");
            }
            return Web\Serve::main((string) realpath($root), $php, $ext, $rest);
        }
        if (!in_array($command, Commands::names(), true)) {
            return self::usage("unknown command '$command'");
        }
        if ($command !== 'install') {
            if (!is_file($root . '/init.php')) {
                return self::usage("not a WHMCS emulation root: $root (run install first)");
            }
            Installer::sync($root);
        }
        $root = $command === 'install' ? $root : (string) realpath($root);

        $res = self::spawn($php, $ext, $root, $command, $rest, $timeout);
        fwrite(STDERR, $res['stderr']);
        $payload = $res['payload'];
        if ($payload === null) {
            $payload = [
                'ok' => false,
                'error' => sprintf('The request process ended without a result (exit code %s%s)', $res['exit'], $res['timeout'] ? ', timeout' : ''),
                'exception' => ['class' => $res['timeout'] ? 'Timeout' : 'ProcessDied', 'message' => trim($res['stderr'] . "\n" . $res['stdout'])],
            ];
            $code = 3;
        } else {
            $code = !empty($payload['ok']) ? 0 : (!empty($payload['usage']) ? 2 : 1);
        }
        $payload['request_exit_code'] = $res['exit'];
        if ($res['stdout'] !== '') {
            $payload['output'] = ($payload['output'] ?? '') . $res['stdout'];
        }
        if ($human) {
            self::printHuman($command, $payload);
        } else {
            fwrite(STDOUT, Json::encode($payload) . "\n");
        }
        return $code;
    }

    private static function usage(string $message): int
    {
        fwrite(STDERR, "whmcs: $message\n\n" . self::USAGE . "\n");
        fwrite(STDOUT, Json::encode(['ok' => false, 'error' => $message, 'usage' => true]) . "\n");
        return 2;
    }

    /** @return string[] php command line for one request */
    public static function phpCommand(string $php, ?string $ext): array
    {
        $cmd = [$php, '-d', 'display_errors=stderr', '-d', 'log_errors=0', '-d', 'error_reporting=' . E_ALL];
        if ($ext !== null && $ext !== '') {
            $cmd[] = '-d';
            $cmd[] = 'extension=' . $ext;
        }
        foreach (preg_split('/\s+/', trim((string) getenv('WHMCS_PHP_INI'))) ?: [] as $ini) {
            if ($ini !== '') {
                $cmd[] = '-d';
                $cmd[] = $ini;
            }
        }
        return $cmd;
    }

    /** @return array{payload: ?array, stdout: string, stderr: string, exit: int, timeout: bool} */
    private static function spawn(string $php, ?string $ext, string $root, string $command, array $args, int $timeout): array
    {
        $tmp = sys_get_temp_dir() . '/whmcs-host-' . bin2hex(random_bytes(6));
        $resultFile = "$tmp.result.json";
        $outFile = "$tmp.out";
        $errFile = "$tmp.err";
        $cmd = array_merge(self::phpCommand($php, $ext), [dirname(__DIR__) . '/request.php', $resultFile, $root, $command], $args);
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $outFile, 'w'], 2 => ['file', $errFile, 'w']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('Cannot start PHP: ' . $php);
        }
        $start = microtime(true);
        $timedOut = false;
        $exit = -1;
        while (true) {
            $status = proc_get_status($proc);
            if (!$status['running']) {
                $exit = $status['signaled'] ? 128 + $status['termsig'] : $status['exitcode'];
                break;
            }
            if ($timeout > 0 && microtime(true) - $start > $timeout) {
                $timedOut = true;
                proc_terminate($proc, 9);
                $exit = 137;
                break;
            }
            usleep(5000);
        }
        proc_close($proc);
        $payload = null;
        if (is_file($resultFile)) {
            $decoded = json_decode((string) file_get_contents($resultFile), true);
            $payload = is_array($decoded) ? $decoded : null;
        }
        $out = is_file($outFile) ? (string) file_get_contents($outFile) : '';
        $err = is_file($errFile) ? (string) file_get_contents($errFile) : '';
        foreach ([$resultFile, $outFile, $errFile] as $f) {
            if (is_file($f)) {
                unlink($f);
            }
        }
        return ['payload' => $payload, 'stdout' => $out, 'stderr' => $err, 'exit' => $exit, 'timeout' => $timedOut];
    }

    private static function printHuman(string $command, array $payload): void
    {
        if (!empty($payload['ok'])) {
            $r = $payload['result'] ?? null;
            if ($command === 'server:add' && isset($r['serverid'])) {
                $text = (string) $r['serverid'];
            } elseif (is_scalar($r) || $r === null) {
                $text = var_export($r, true);
                $text = is_string($r) ? $r : $text;
            } else {
                $text = Json::encode($r, true);
            }
            fwrite(STDOUT, $text . "\n");
        } else {
            fwrite(STDOUT, 'Error: ' . ($payload['error'] ?? 'unknown') . "\n");
            if (isset($payload['exception'])) {
                fwrite(STDOUT, '  ' . ($payload['exception']['class'] ?? '') . ': ' . ($payload['exception']['message'] ?? '') . "\n");
            }
            if (isset($payload['result'])) {
                fwrite(STDOUT, Json::encode($payload['result'], true) . "\n");
            }
        }
        if (($payload['output'] ?? '') !== '') {
            fwrite(STDOUT, "--- output ---\n" . $payload['output'] . "\n");
        }
    }
}
