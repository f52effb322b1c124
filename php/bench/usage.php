<?php
/**
 * Usage-report parsing benchmark (issue 5): generates reports of 10,000 and 100,000 tenants
 * with the simulator's generator, orders and downloads them through the simulated API, then
 * measures `UsageMetrics::summarizeReport` in a fresh PHP process (wall time, peak RSS)
 * against `gzip -dc <file> > /dev/null` as the floor, in the same run.
 *
 * Usage: php -d extension=…/libacroniscloud.so php/bench/usage.php [TENANTS …] [--runs N]
 * The extension for the child processes is ACRONISCLOUD_EXT, else the one this PHP loaded
 * from target/release. Not a timed test: the figures go in the closing note.
 */

declare(strict_types=1);

$repo = dirname(__DIR__, 2);
require_once $repo . '/php/dev/Simulator.php';

use AcronisCloud\Dev\Simulator;

$sizes = [];
$runs = 3;
for ($i = 1; $i < $argc; $i++) {
    if ($argv[$i] === '--runs') {
        $runs = max(1, (int) ($argv[++$i] ?? 3));
    } else {
        $sizes[] = (int) $argv[$i];
    }
}
$sizes = $sizes ?: [10000, 100000];
$ext = getenv('ACRONISCLOUD_EXT') ?: $repo . '/target/release/libacroniscloud.so';
if (!is_file($ext)) {
    fwrite(STDERR, "Extension not found at $ext: run 'make build' or set ACRONISCLOUD_EXT\n");
    exit(1);
}
$time = '/usr/bin/time';
if (!is_executable($time)) {
    fwrite(STDERR, "$time is required (apt-get install time)\n");
    exit(1);
}

$sim = Simulator::shared();
$dir = sys_get_temp_dir() . '/acroniscloud-usage-bench-' . getmypid();
@mkdir($dir, 0777, true);

/** Runs a command under /usr/bin/time; returns [wall seconds (hrtime), peak RSS in KiB, stdout]. */
function timed(string $time, array $cmd): array
{
    $stats = tempnam(sys_get_temp_dir(), 'usage-bench-time');
    $line = escapeshellarg($time) . ' -f "%e %M" -o ' . escapeshellarg($stats) . ' '
        . implode(' ', array_map('escapeshellarg', $cmd));
    $out = [];
    $t0 = hrtime(true);
    exec($line, $out, $rc);
    $elapsed = (hrtime(true) - $t0) / 1e9;
    if ($rc !== 0) {
        throw new RuntimeException("Command failed ($rc): $line\n" . implode("\n", $out));
    }
    [, $rss] = array_map('floatval', preg_split('/\s+/', trim((string) file_get_contents($stats))));
    unlink($stats);
    return [$elapsed, (int) $rss, implode("\n", $out)];
}

/** Orders a usage report of the root tenant, polls it and streams the download to $path. */
function downloadReport(Simulator $sim, string $path): void
{
    $seed = $sim->seed();
    $order = $sim->api('POST', '/api/2/reports', [
        'recipients' => [], 'result_action' => 'save',
        'parameters' => ['tenant_id' => $seed['root_tenant_id'], 'kind' => 'usage_current', 'level' => 'accounts'],
        'schedule' => ['type' => 'once'],
    ]);
    $stored = null;
    for ($i = 0; $i < 20 && $stored === null; $i++) {
        foreach ($sim->api('GET', "/api/2/reports/{$order['id']}/stored")['items'] as $item) {
            if ($item['report_format'] === 'csv_v2_0' && $item['status'] === 'saved') {
                $stored = $item['id'];
            }
        }
    }
    if ($stored === null) {
        throw new RuntimeException('The simulator did not finish the report');
    }
    $base = $sim->httpUrl();
    $basic = base64_encode($seed['client']['client_id'] . ':' . $seed['client']['client_secret']);
    $tokenCtx = stream_context_create(['http' => ['method' => 'POST', 'header' => "Authorization: Basic $basic\r\nContent-Type: application/x-www-form-urlencoded\r\n", 'content' => 'grant_type=client_credentials']]);
    $token = json_decode((string) file_get_contents("$base/api/2/idp/token", false, $tokenCtx), true)['access_token'];
    $ctx = stream_context_create(['http' => ['header' => "Authorization: Bearer $token\r\n", 'timeout' => 120]]);
    $in = fopen("$base/api/2/reports/{$order['id']}/stored/$stored", 'rb', false, $ctx);
    $out = fopen($path, 'wb');
    if ($in === false || $out === false) {
        throw new RuntimeException('Cannot download the report');
    }
    stream_copy_to_stream($in, $out);
    fclose($in);
    fclose($out);
}

printf("Usage report parsing (%d run(s) each, best shown; machine: %d cores, load %s)\n", $runs, (int) trim((string) shell_exec('nproc')), implode(' ', array_map(fn ($l) => sprintf('%.2f', $l), sys_getloadavg() ?: [])));
echo "wall s = fresh PHP process running summarizeReport (start-up included); gzip -dc = the floor\n";
printf("%-9s %9s %9s %9s %11s %9s %9s %10s %8s %7s\n", 'tenants', 'gz MB', 'csv MB', 'rows', 'rows/s', 'wall s', 'gzip -dc', 'peak RSS', 'ratio', 'bad');
foreach ($sizes as $tenants) {
    $sim->reset();
    $gen = $sim->control('POST', 'generate', ['tenants' => $tenants, 'seed' => 1, 'profile' => 'billing']);
    $report = "$dir/report-$tenants.csv.gz";
    downloadReport($sim, $report);
    $plainBytes = (int) trim((string) shell_exec('gzip -dc ' . escapeshellarg($report) . ' | wc -c'));

    $floor = INF;
    for ($r = 0; $r < $runs; $r++) {
        [$wall] = timed($time, ['sh', '-c', 'gzip -dc "$1" > /dev/null', 'sh', $report]);
        $floor = min($floor, $wall);
    }
    $best = null;
    for ($r = 0; $r < $runs; $r++) {
        $code = '$r = AcronisCloud\UsageMetrics::summarizeReport($argv[1], $argv[2]); echo json_encode($r);';
        [$wall, $rss, $out] = timed($time, [PHP_BINARY, '-n', '-d', "extension=$ext", '-r', $code, $report, "$dir/summary-$tenants.json"]);
        $summary = json_decode($out, true);
        if ($best === null || $wall < $best['wall']) {
            $best = ['wall' => $wall, 'rss' => $rss, 'summary' => $summary];
        }
    }
    $s = $best['summary'];
    printf(
        "%-9d %9.1f %9.1f %9d %11s %9.3f %9.3f %7.1f MB %7.2fx %7d\n",
        $tenants,
        filesize($report) / 1e6,
        $plainBytes / 1e6,
        $s['rows'],
        number_format($s['rows'] / max($best['wall'], 1e-9), 0, '.', ','),
        $best['wall'],
        $floor,
        $best['rss'] / 1024,
        $best['wall'] / max($floor, 1e-9),
        $s['bad_rows'],
    );
    printf("          (in-process %.2f s, %d tenants, %d platform-owned lookups = distinct infra ids; generate %d ms)\n", $s['seconds'], $s['tenants'], $s['infra_lookups'], $gen['elapsed_ms'] ?? 0);
}

// The cron pipeline end to end: one UsageMetrics::process run (order, poll, streamed download,
// check, aggregation of every tenant, per-tenant rows stored) in a fresh PHP process, and the
// API calls it made (platform-owned lookups are O(distinct storages), not per tenant).
echo "\nCron pipeline: one UsageMetrics::process run per report (all tenants known to WHMCS)\n";
printf("%-9s %9s %9s %10s %10s  %s\n", 'tenants', 'rows', 'wall s', 'peak RSS', 'API calls', 'calls by endpoint');
foreach ($sizes as $tenants) {
    $sim->reset();
    $gen = $sim->control('POST', 'generate', ['tenants' => $tenants, 'seed' => 1, 'profile' => 'billing']);
    $seed = $sim->seed();
    $known = "$dir/known-$tenants.json";
    $ids = [];
    foreach ($sim->api('GET', "/api/2/tenants/{$gen['parent_id']}/children")['items'] ?? [] as $child) {
        $ids[] = is_array($child) ? $child['id'] : $child;
    }
    file_put_contents($known, json_encode($ids));
    $work = "$dir/pipeline-$tenants";
    @mkdir($work, 0777, true);
    // The bench reaches the simulator over plain HTTP (allowed for this test set-up only).
file_put_contents("$work/config.yaml", "cloud_api:\n  allow_plain_http: true\nusage_report:\n  retry_timeout: 0\n");
    $server = ['id' => 1, 'name' => 'bench', 'hostname' => $sim->httpUrl(), 'secure' => '', 'port' => '',
        'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'],
        'accesshash' => 'client_credentials', 'disabled' => 0];
    $sim->clearRequests();
    // The module's tables in a WHMCS-like SQLite database, through the same PDO adapter WHMCS uses.
    $code = 'require $argv[4];'
        . '$known = json_decode(file_get_contents($argv[1]), true);'
        . '$db = new AcronisCloud\Whmcs\Database(new PDO("sqlite:" . $argv[3] . "/whmcs.sqlite"));'
        . '$r = AcronisCloud\UsageMetrics::process([json_decode($argv[2], true)], $known,'
        . ' ["storage_dir" => $argv[3], "config_file" => $argv[3] . "/config.yaml", "db" => $db]);'
        . 'echo json_encode($r);';
    [$wall, $rss, $out] = timed($time, [PHP_BINARY, '-n', '-d', "extension=$ext", '-d', 'extension=pdo', '-d', 'extension=pdo_sqlite', '-r', $code, $known, json_encode($server), $work, dirname(__DIR__, 2) . '/includes/acroniscloud/lib/Whmcs/Database.php']);
    $result = json_decode($out, true);
    $calls = [];
    foreach ($sim->requests() as $req) {
        $path = preg_replace('~/[0-9a-f-]{36}~', '/{id}', (string) $req['path']);
        $calls[$req['method'] . ' ' . $path] = ($calls[$req['method'] . ' ' . $path] ?? 0) + 1;
    }
    $server0 = $result['servers'][0] ?? [];
    if (($server0['status'] ?? 0) !== 4) {
        throw new RuntimeException('The pipeline did not finish: ' . $out);
    }
    preg_match('/(\d+) rows/', implode(' ', $server0['actions']), $m);
    printf("%-9d %9d %9.3f %7.1f MB %10d  %s\n", $tenants, (int) ($m[1] ?? 0), $wall, $rss / 1024, array_sum($calls),
        implode(', ', array_map(fn ($k, $v) => "$k x$v", array_keys($calls), $calls)));
}
exec('rm -rf ' . escapeshellarg($dir));
