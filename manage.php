<?php
/**
 * Acronis Cyber Cloud command line tool (docs/behaviour.md §F.3, docs/usage-billing.md), installed in
 * the WHMCS root next to init.php:
 *
 *     php <whmcs-dir>/manage.php usage-report:<command> [arguments]
 *
 * Thin: the commands are calls into the acroniscloud extension (`AcronisCloud\UsageMetrics`);
 * this file reads the WHMCS side (servers, the tenants of the services) through the glue in
 * includes/acroniscloud/usage.php and prints the answers. Every command works whether or not
 * usage billing is enabled. Exit codes: 0 success, 1 failure, 2 bad usage.
 */

if (PHP_SAPI !== 'cli') {
    if (!headers_sent()) {
        http_response_code(403);
        header('Content-Type: text/plain');
    }
    echo "manage.php must be run with the PHP command line interpreter (php-cli).\n";
    exit(1);
}

/** Wrong command line (exit code 2). */
final class AcronisCloudManageUsageError extends \RuntimeException
{
}

/** Commands: name => [arguments synopsis, description, help text]. */
const ACRONISCLOUD_MANAGE_COMMANDS = [
    'help' => ['[<command>]', 'Display help for a command',
        'Displays the help of a command, or the list of commands without one.'],
    'list' => ['', 'List commands', 'Lists the available commands.'],
    'usage-report:erase' => ['', 'Erase expired usage reports',
        'Forces the run of the "after daily cron job" hook action: deletes the usage reports older than '
        . 'usage_report.downloaded_files_ttl_in_days days (-1 = never) from the disk and marks them erased, '
        . 'removes empty date folders and usage history older than usage_report.history_days days.'],
    'usage-report:flushall' => ['', 'Delete all usage reports and the usage data',
        'Deletes all usage reports from the disk and the database, including the usage collected per '
        . 'tenant and day (the metrics cache). The next run orders and aggregates the reports again.'],
    'usage-report:process' => ['<SERVER_ID>', 'Process the usage report of one server',
        'Downloads the usage report of the server with the given id (tblservers.id) unless the report of '
        . 'the same day has already been downloaded: orders it, checks whether it is ready, downloads and '
        . 'aggregates it, as far as possible now; the next run continues. Prints the state of the report.'],
    'usage-report:master' => ['[<php_cli_interpreter>]', 'Process the usage reports of all servers',
        'Forces the "after each cron job" hook action that downloads the usage reports of all Acronis '
        . 'servers (disabled servers are skipped). All servers are processed in this process, one thread '
        . 'each; the php_cli_interpreter argument is accepted for compatibility and not used.'],
    'usage-report:metrics' => ['', 'Show the metrics calculated for today',
        'For each tenant id and offering item, shows the metrics calculated for today from the downloaded '
        . 'reports (raw values: bytes, seconds, counts). This does not refresh the metrics in WHMCS.'],
    'usage-report:status' => ['[--json] [--days=<N>]', 'Show the state of the usage billing pipeline',
        'For each server and day (the last 7 days, or N from 1 to 35): the report status, its age, the rows read, '
        . 'the tenants billed, the bad rows, how long each step took (order to ready, download, aggregate), the next '
        . 'step and when it runs, and the last error with a hint how to fix it. A server whose latest report failed '
        . 'or is more than a day old is marked "attention" and the command exits with 1. With --json the same as the '
        . 'addon\'s pipeline_status admin action.'],
    'usage-report:view-list' => ['', 'List the usage reports',
        'For each server, shows a table with the status of its usage reports, including the report date '
        . 'and the file location.'],
    'usage-report:parse' => ['<file> --json <out> [--known-tenants]', 'Summarize a usage report file',
        'Aggregates a usage report file (CSV v2.0, gzip or plain) offline into a JSON file '
        . '{"<tenant id>": {"<metric>": <raw value>}} and prints the number of rows, bad rows and tenants, '
        . 'the time taken and the first bad-row messages. With --known-tenants only the tenants of WHMCS '
        . 'services are kept; by default every tenant of the file.'],
];

/** Terminal attached: progress lines and short summaries are printed. */
function acroniscloud_manage_tty(): bool
{
    foreach ([STDOUT, STDERR] as $stream) {
        if (function_exists('stream_isatty') ? @stream_isatty($stream) : (function_exists('posix_isatty') && @posix_isatty($stream))) {
            return true;
        }
    }
    return false;
}

function acroniscloud_manage_usage_error(string $message): int
{
    fwrite(STDERR, $message . "\n");
    return 2;
}

function acroniscloud_manage_list(): string
{
    $width = max(array_map('strlen', array_keys(ACRONISCLOUD_MANAGE_COMMANDS))) + 2;
    $out = "Acronis Cyber Cloud management tool\n\nUsage:\n  php manage.php <command> [arguments]\n\nAvailable commands:\n";
    foreach (ACRONISCLOUD_MANAGE_COMMANDS as $name => [, $description]) {
        $out .= '  ' . str_pad($name, $width) . $description . "\n";
    }
    return $out;
}

function acroniscloud_manage_help(string $command): string
{
    [$synopsis, $description, $help] = ACRONISCLOUD_MANAGE_COMMANDS[$command];
    return "Description:\n  $description\n\nUsage:\n  php manage.php " . trim("$command $synopsis") . "\n\nHelp:\n  "
        . wordwrap($help, 96, "\n  ") . "\n";
}

/** Splits arguments into positional ones and `--name[=value]` / `--name value` options. */
function acroniscloud_manage_args(array $argv, array $valued): array
{
    $positional = [];
    $options = [];
    for ($i = 0; $i < count($argv); $i++) {
        $arg = (string) $argv[$i];
        if ($arg === '--') {
            $positional = array_merge($positional, array_slice($argv, $i + 1));
            break;
        }
        if (strncmp($arg, '--', 2) === 0) {
            [$name, $value] = array_pad(explode('=', substr($arg, 2), 2), 2, null);
            if ($value === null && in_array($name, $valued, true)) {
                if (!isset($argv[$i + 1])) {
                    throw new AcronisCloudManageUsageError("The option --$name needs a value.");
                }
                $value = (string) $argv[++$i];
            }
            $options[$name] = $value ?? true;
        } elseif ($arg === '-h') {
            $options['help'] = true;
        } elseif (in_array($arg, ['-q', '-n', '-v', '-vv', '-vvv'], true)) {
            $options[ltrim($arg, '-')] = true;
        } else {
            $positional[] = $arg;
        }
    }
    return [$positional, $options];
}

/** Boots WHMCS (init.php in this directory) and the module glue. */
function acroniscloud_manage_boot(): void
{
    if (!is_file(__DIR__ . '/init.php')) {
        throw new \RuntimeException('init.php not found in ' . __DIR__ . ': manage.php must be in the WHMCS root directory.');
    }
    require_once __DIR__ . '/init.php';
    require_once __DIR__ . '/includes/acroniscloud/usage.php';
}

/** Prints the per-server lines of a `process` answer; returns the exit code. */
function acroniscloud_manage_report(array $result, bool $print): int
{
    $failed = empty($result['ok']);
    $reported = false;
    foreach ((array) ($result['servers'] ?? []) as $server) {
        $server = (array) $server;
        $line = (string) ($server['summary'] ?? '');
        if (!empty($server['error'])) {
            $failed = $reported = true;
            fwrite(STDERR, $line . "\n");
        } elseif ($print) {
            echo $line, "\n";
        }
    }
    if ($failed && !$reported) {
        fwrite(STDERR, "The usage reports could not be processed.\n");
    }
    return $failed ? 1 : 0;
}

function acroniscloud_manage_run(array $argv): int
{
    // `--json` takes a value for parse (`--json <out>`) and is a flag for status.
    $first = (string) (array_values(array_filter($argv, static fn ($a) => strncmp((string) $a, '-', 1) !== 0))[0] ?? '');
    [$positional, $options] = acroniscloud_manage_args($argv, $first === 'usage-report:status' ? ['days'] : ['json']);
    $command = (string) ($positional[0] ?? 'list');
    $args = array_slice($positional, 1);
    if (!isset(ACRONISCLOUD_MANAGE_COMMANDS[$command])) {
        return acroniscloud_manage_usage_error("Command \"$command\" is not defined.\n\n" . acroniscloud_manage_list());
    }
    if (!empty($options['help'])) {
        echo acroniscloud_manage_help($command);
        return 0;
    }
    $tty = acroniscloud_manage_tty();
    $quiet = !empty($options['q']) || !empty($options['quiet']);
    $print = $tty && !$quiet;
    $arity = ['help' => 1, 'list' => 0, 'usage-report:process' => 1, 'usage-report:master' => 1, 'usage-report:parse' => 1];
    if (count($args) > ($arity[$command] ?? 0)) {
        return acroniscloud_manage_usage_error("Too many arguments for \"$command\".\n\n" . acroniscloud_manage_help($command));
    }
    switch ($command) {
        case 'list':
            echo acroniscloud_manage_list();
            return 0;
        case 'help':
            $topic = (string) ($args[0] ?? 'help');
            if (!isset(ACRONISCLOUD_MANAGE_COMMANDS[$topic])) {
                return acroniscloud_manage_usage_error("Command \"$topic\" is not defined.");
            }
            echo acroniscloud_manage_help($topic);
            return 0;
        case 'usage-report:process':
            $id = (string) ($args[0] ?? '');
            if (!preg_match('/^[1-9][0-9]*$/', $id)) {
                return acroniscloud_manage_usage_error('usage-report:process needs the id of a server: php manage.php usage-report:process <SERVER_ID>');
            }
            break;
        case 'usage-report:status':
            if (isset($options['days']) && (!preg_match('/^[1-9][0-9]*$/', (string) $options['days']) || (int) $options['days'] > 35)) {
                return acroniscloud_manage_usage_error('usage: php manage.php usage-report:status [--json] [--days=<N>] (N from 1 to 35)');
            }
            break;
        case 'usage-report:parse':
            if (!isset($args[0]) || $args[0] === '' || !is_string($options['json'] ?? null) || $options['json'] === '') {
                return acroniscloud_manage_usage_error('usage: php manage.php usage-report:parse <file> --json <out> [--known-tenants]');
            }
            break;
    }

    acroniscloud_manage_boot();
    $metrics = \AcronisCloud\UsageMetrics::class;
    $function = 'manage.php ' . $command;
    // The glue's options for the extension (each command asks for them where it needs them).
    $usageOptions = static fn (): array => acroniscloud_usage_options('manage', $function, $tty);
    switch ($command) {
        case 'usage-report:erase':
            $result = $metrics::erase($usageOptions());
            foreach ((array) ($result['warnings'] ?? []) as $warning) {
                fwrite(STDERR, 'Warning: ' . $warning . "\n");
            }
            if ($print) {
                printf("Erased %d report(s), deleted %d day(s) of usage history.\n", (int) ($result['erased'] ?? 0), (int) ($result['history_deleted'] ?? 0));
            }
            return 0;

        case 'usage-report:flushall':
            $result = $metrics::flushAll($usageOptions());
            if ($print) {
                printf("Deleted %d report(s), %d file(s) and %d tenant usage row(s).\n",
                    (int) ($result['reports'] ?? 0), (int) ($result['files'] ?? 0), (int) ($result['tenant_rows'] ?? 0));
            }
            return 0;

        case 'usage-report:process':
            $servers = \AcronisCloud\Whmcs\Servers::rows((int) $args[0]);
            if ($servers === []) {
                fwrite(STDERR, 'Server #' . (int) $args[0] . " is not an Acronis Cyber Cloud server.\n");
                return 1;
            }
            $result = $metrics::process($servers, 'acroniscloud_known_tenants', $usageOptions());
            return acroniscloud_manage_report((array) $result, !$quiet);

        case 'usage-report:master':
            // $args[0] (php_cli_interpreter) is accepted and unused: no child process is started.
            $result = $metrics::process(\AcronisCloud\Whmcs\Servers::rows(), 'acroniscloud_known_tenants', $usageOptions());
            return acroniscloud_manage_report((array) $result, $print);

        case 'usage-report:metrics':
            $result = $metrics::todaysMetrics(\AcronisCloud\Whmcs\Servers::rows(), 'acroniscloud_known_tenants', $usageOptions());
            echo print_r($result, true);
            return 0;

        case 'usage-report:status':
            $result = (array) $metrics::pipelineStatus(\AcronisCloud\Whmcs\Servers::rows(), (int) ($options['days'] ?? 7),
                $usageOptions());
            if (($options['json'] ?? false) === true) {
                echo json_encode($result['status'], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
            } else {
                echo (string) $result['text'];
            }
            $attention = array_filter((array) ($result['status']['servers'] ?? []), static fn ($s) => !empty($s['alert']));
            return $attention === [] ? 0 : 1;

        case 'usage-report:view-list':
            $text = (string) $metrics::viewList(\AcronisCloud\Whmcs\Servers::names(), $usageOptions());
            echo $text, substr($text, -1) === "\n" ? '' : "\n";
            return 0;

        case 'usage-report:parse':
            $parseOptions = $usageOptions();
            if (!empty($options['known-tenants'])) {
                $parseOptions['known_tenants'] = acroniscloud_known_tenants();
            }
            $r = (array) $metrics::summarizeReport((string) $args[0], (string) $options['json'], $parseOptions);
            printf("Rows: %d\nBad rows: %d\nTenants: %d\nSeconds: %.3f\n", (int) $r['rows'], (int) $r['bad_rows'], (int) $r['tenants'], (float) $r['seconds']);
            $errors = (array) ($r['errors'] ?? []);
            if ($errors !== []) {
                echo 'First bad rows:', "\n";
                foreach ($errors as $error) {
                    echo '  ', $error, "\n";
                }
            }
            return 0;
    }
    return 2;
}

try {
    $acroniscloud_exit = acroniscloud_manage_run(array_slice($argv, 1));
} catch (AcronisCloudManageUsageError $e) {
    $acroniscloud_exit = acroniscloud_manage_usage_error($e->getMessage());
} catch (\Throwable $e) {
    fwrite(STDERR, 'Error: ' . $e->getMessage() . "\n");
    $acroniscloud_exit = 1;
}
exit($acroniscloud_exit);
