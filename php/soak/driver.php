<?php
/**
 * `make soak`, step 2: the load, the faults, the reload and the figures (started by php/soak/run.sh).
 * Usage: php driver.php RUN_DIR FPM_MASTER_PID
 *
 * SOAK_CLIENTS clients (curl_multi, one request in flight each, each its own WHMCS session) send a
 * weighted mix of requests through nginx until both SOAK_REQUESTS requests and SOAK_SECONDS have passed.
 * Progress (the smaller of the two fractions) drives the phases: warm-up, fault-free, faults (three
 * windows installed through the simulator's control API), recovery, in which php-fpm gets a graceful
 * reload (SIGUSR2) with requests in flight. Then it completes the lifecycle step a fault interrupted, checks the simulator's tenants
 * against the WHMCS services, and prints the figures; the last line is the summary. Exit status 1 when
 * a goal is missed.
 */

declare(strict_types=1);

require __DIR__ . '/control.php';

const WARMUP_END = 0.10;
const FAULTS_START = 0.35;
const FAULTS_END = 0.65;
// The reload comes after the faults, so the fault phase's latencies are the faults' alone (new workers
// start cold); its second generation of workers is measured from GEN2_BASELINE_AT to the end.
const RELOAD_AT = 0.70;
const GEN2_BASELINE_AT = 0.80;
const RSS_GROWTH_GOAL = 5.0;

/** Fault windows: [start progress, faults]; each replaces the previous set; a token revocation opens each. */
function fault_windows(): array
{
    return [
        [0.35, [
            ['kind' => 'token_expiry', 'revoke_all' => true],
            ['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/users/*', 'status' => 503, 'body' => 'html', 'probability' => 0.5],
        ]],
        [0.45, [
            ['kind' => 'token_expiry', 'revoke_all' => true],
            ['kind' => 'rate_limit', 'method' => 'GET', 'path' => '/api/2/tenants/*/usages', 'retry_after' => 'seconds', 'seconds' => 2, 'probability' => 0.5],
            ['kind' => 'latency', 'method' => 'GET', 'path' => '/api/2/tenants/*/pricing', 'ms' => 300],
        ]],
        [0.55, [
            ['kind' => 'token_expiry', 'revoke_all' => true],
            ['kind' => 'connection_reset', 'method' => 'GET', 'path' => '/api/2/users/*', 'probability' => 0.3],
            ['kind' => 'http_5xx', 'method' => 'POST', 'path' => '/api/2/tenants', 'status' => 503, 'probability' => 0.5],
        ]],
    ];
}

/** Route => weight of the mix. */
const ROUTES = [
    'client_page' => 12, 'client_api_details' => 18, 'client_api_usages' => 10, 'client_api_subscription' => 8,
    'sso' => 8, 'admin_api_read' => 22, 'admin_template_write' => 6, 'lifecycle' => 10,
];
const LIFECYCLE = ['create', 'suspend', 'unsuspend', 'changepackage', 'terminate'];

[$run, $fpmPid] = [$argv[1] ?? '', (int) ($argv[2] ?? 0)];
$setup = json_decode((string) @file_get_contents("$run/setup.json"), true);
if (!is_array($setup) || $fpmPid <= 0) {
    fwrite(STDERR, "usage: driver.php RUN_DIR FPM_MASTER_PID (after setup.php)\n");
    exit(2);
}
$target = max(1, (int) (getenv('SOAK_REQUESTS') ?: 10000));
$seconds = max(1, (int) (getenv('SOAK_SECONDS') ?: 180));
$clients = max(1, (int) (getenv('SOAK_CLIENTS') ?: 8));
mt_srand(20261207);

function say(string $line): void
{
    fwrite(STDOUT, $line . "\n");
}

/** A request to the simulator's control API (never faulted); [] when it answers no JSON. */
function control(string $method, string $path, ?array $body = null): array
{
    global $setup;
    return soak_control($setup['control'] . $path, $method, $body) ?? [];
}

// ---- Sessions: each client logs in as the admin and as WHMCS client 1 (one session, one cookie) ----

/** Logs a client in; returns [cookie header value, CSRF token]. */
function login(string $base): array
{
    $jar = tempnam(sys_get_temp_dir(), 'soak-cookies-');
    $ch = curl_init();
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true, CURLOPT_TIMEOUT => 60,
        CURLOPT_COOKIEJAR => $jar, CURLOPT_COOKIEFILE => $jar]);
    $page = '';
    $trace = [];
    foreach (['/admin/login.php?autologin=admin&redirect=index.php', '/login.php?autologin=1&goto=clientarea.php',
        '/admin/addonmodules.php?module=acroniscloud'] as $path) {
        curl_setopt($ch, CURLOPT_URL, $base . $path);
        $page = (string) curl_exec($ch);
        $trace[] = $path . ' -> ' . curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . ' ' . curl_getinfo($ch, CURLINFO_EFFECTIVE_URL) . ' ' . curl_error($ch);
    }
    $cookies = curl_getinfo($ch, CURLINFO_COOKIELIST) ?: [];
    curl_close($ch);
    @unlink($jar);
    $pairs = [];
    foreach ($cookies as $line) {
        $f = explode("\t", $line);
        if (count($f) >= 7) {
            $pairs[] = $f[5] . '=' . $f[6];
        }
    }
    if (!preg_match('/csrfToken\s*=\s*["\']([^"\']+)/', $page, $m) || $pairs === []) {
        throw new RuntimeException('login through nginx failed: ' . count($pairs) . ' cookie(s), ' . implode('; ', $trace) . ' page ' . substr($page, 0, 300));
    }
    return [implode('; ', $pairs), $m[1]];
}

// ---- Requests of the mix ----

/** @return array{method:string, path:string, body:?string, headers:string[], op?:string, service?:int} */
function request_for(string $route, array &$slot): array
{
    global $setup;
    $s = $slot['service'];
    $client = "/clientarea.php?action=productdetails&id=$s&modop=custom&a=";
    $admin = '/admin/addonmodules.php?module=acroniscloud&action=';
    $json = ['Content-Type: application/json', 'X-CSRF-Token: ' . $slot['csrf']];
    switch ($route) {
        case 'client_page':
            return ['method' => 'GET', 'path' => $client . 'ClientAreaManagement', 'body' => null, 'headers' => []];
        case 'client_api_details':
            return ['method' => 'GET', 'path' => $client . "ClientAreaApi&api=get_details&id=$s", 'body' => null, 'headers' => []];
        case 'client_api_usages':
            return ['method' => 'GET', 'path' => $client . "ClientAreaApi&api=get_usages&id=$s", 'body' => null, 'headers' => []];
        case 'client_api_subscription':
            return ['method' => 'GET', 'path' => $client . "ClientAreaApi&api=get_subscription&id=$s", 'body' => null, 'headers' => []];
        case 'sso':
            return ['method' => 'GET', 'path' => "/clientarea.php?action=productdetails&id=$s&dosinglesignon=1", 'body' => null, 'headers' => []];
        case 'admin_api_read':
            $reads = ['list_templates', 'get_template&template_id=' . $setup['template_id'], 'list_servers',
                'get_applications&server_id=' . $setup['server_id']];
            return ['method' => 'GET', 'path' => $admin . $reads[mt_rand(0, count($reads) - 1)], 'body' => null, 'headers' => []];
        case 'admin_template_write':
            $t = ['name' => 'Soak scratch', 'description' => 'rewritten ' . mt_rand()] + $setup['template'];
            return ['method' => 'POST', 'path' => $admin . 'update_template&template_id=' . $setup['scratch_template_id'],
                'body' => json_encode($t), 'headers' => $json];
        default:
            return lifecycle_request($slot);
    }
}

/** The next lifecycle step of the client's current pool service (an admin's module command button). */
function lifecycle_request(array &$slot): array
{
    if ($slot['pool'] === []) {
        $op = 'changepackage';
        $service = $slot['service'];
    } else {
        $service = $slot['pool'][0];
        $op = LIFECYCLE[$slot['step']];
    }
    return ['method' => 'POST', 'path' => "/admin/clientsservices.php?userid=1&id=$service",
        'body' => http_build_query(['modop' => $op, 'token' => $slot['csrf']]),
        'headers' => ['Content-Type: application/x-www-form-urlencoded'], 'op' => $op, 'service' => $service];
}

/** Moves the client's lifecycle on after a successful step (a failed step is repeated next time). */
function lifecycle_done(array &$slot, array $req): void
{
    if ($slot['pool'] === [] || ($req['service'] ?? 0) !== $slot['pool'][0]) {
        return;
    }
    $slot['step']++;
    if ($slot['step'] >= count(LIFECYCLE)) {
        array_shift($slot['pool']);
        $slot['step'] = 0;
    }
}

function curl_for(string $base, array $req, array $slot)
{
    $ch = curl_init($base . $req['path']);
    $headers = array_merge($req['headers'], ['Cookie: ' . $slot['cookie']]);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $req['method'], CURLOPT_RETURNTRANSFER => true, CURLOPT_HEADER => false,
        CURLOPT_FOLLOWLOCATION => false, CURLOPT_TIMEOUT => 120, CURLOPT_HTTPHEADER => $headers]);
    if ($req['body'] !== null) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $req['body']);
    }
    return $ch;
}

// ---- Classification: ok, an expected answer to an injected fault, or unexpected ----

/**
 * @return array{0:string,1:string} [class (ok|expected|unexpected), kind]
 */
function classify(string $route, int $status, string $body, string $curlError, bool $faulted): array
{
    if ($curlError !== '' || $status === 0) {
        return ['unexpected', 'no answer: ' . ($curlError !== '' ? $curlError : 'status 0')];
    }
    if ($route === 'lifecycle') {
        if ($status === 200 && str_contains($body, 'data-result="success"')) {
            return ['ok', ''];
        }
        if ($status === 200 && preg_match('/Module Command Error: ([^<]{1,200})/', $body, $m)) {
            return [$faulted ? 'expected' : 'unexpected', 'module command error'];
        }
        return ['unexpected', "lifecycle HTTP $status"];
    }
    if ($route === 'sso') {
        if ($status === 302) {
            return ['ok', ''];
        }
        if ($status === 200 && str_contains($body, 'id="sso-error"')) {
            return [$faulted ? 'expected' : 'unexpected', 'sso refused'];
        }
        return ['unexpected', "sso HTTP $status"];
    }
    if ($status === 200) {
        return ['ok', ''];
    }
    $json = json_decode($body, true);
    $message = is_array($json) ? (string) ($json['error']['message'] ?? $json['message'] ?? '') : '';
    $platformBusy = in_array($status, [429, 502, 503, 504], true);
    if ($faulted && $platformBusy && $message !== '' && str_contains($message, 'reference ')) {
        return ['expected', "HTTP $status with a reference"];
    }
    if ($faulted && $message !== '' && str_starts_with($route, 'admin_')) {
        return ['expected', "admin API HTTP $status"];
    }
    return ['unexpected', "HTTP $status" . ($status >= 500 ? ' (5xx)' : '')];
}

/** What an unexpected answer said, short and on one line (the module's own message, else the body's start). */
function error_excerpt(string $body, string $curlError): string
{
    if ($curlError !== '') {
        return $curlError;
    }
    if (preg_match('/Module Command Error: ([^<]{1,300})/', $body, $m)) {
        return trim($m[1]);
    }
    return substr(trim((string) preg_replace('/\s+/', ' ', strip_tags($body))), 0, 300);
}

// ---- php-fpm workers and their memory ----

/** Pids of the pool's workers (children of the master). */
function workers(int $master): array
{
    $pids = [];
    foreach (glob('/proc/[0-9]*/stat') ?: [] as $f) {
        $stat = (string) @file_get_contents($f);
        $close = strrpos($stat, ')');
        if ($close === false) {
            continue;
        }
        $fields = explode(' ', substr($stat, $close + 2));
        if ((int) ($fields[1] ?? 0) === $master) {
            $pids[] = (int) basename(dirname($f));
        }
    }
    sort($pids);
    return $pids;
}

/** VmRSS in kB of each worker. */
function rss(int $master): array
{
    $out = [];
    foreach (workers($master) as $pid) {
        if (preg_match('/^VmRSS:\s+(\d+)/m', (string) @file_get_contents("/proc/$pid/status"), $m)) {
            $out[$pid] = (int) $m[1];
        }
    }
    return $out;
}

function percentile(array $values, float $p): float
{
    if ($values === []) {
        return 0.0;
    }
    sort($values);
    return (float) $values[(int) min(count($values) - 1, max(0, ceil($p * count($values)) - 1))];
}

// ---- The run ----

$base = $setup['base'];
$slots = [];
$pool = $setup['lifecycle_services'];
for ($i = 0; $i < $clients; $i++) {
    [$cookie, $csrf] = login($base);
    $mine = array_values(array_filter($pool, static fn ($k) => $k % $clients === $i, ARRAY_FILTER_USE_KEY));
    $slots[$i] = ['cookie' => $cookie, 'csrf' => $csrf, 'service' => $setup['client_services'][$i % count($setup['client_services'])],
        'pool' => $mine, 'step' => 0, 'last_failed' => null];
}
$weights = [];
foreach (ROUTES as $route => $w) {
    $weights = array_merge($weights, array_fill(0, $w, $route));
}

control('DELETE', '/faults');
$mh = curl_multi_init();
$inFlight = [];
$records = [];
$started = microtime(true);
$done = 0;
$phase = 'warmup';
$window = -1;
$rssSamples = [];
$reloaded = false;
$faultActiveSince = null;
$unexpectedSamples = [];

$progress = static function () use (&$done, $target, $seconds, $started): float {
    return min($done / $target, (microtime(true) - $started) / $seconds);
};
$launch = static function (int $i) use (&$slots, &$inFlight, $mh, $base, $weights, &$phase): void {
    $route = $weights[mt_rand(0, count($weights) - 1)];
    $req = request_for($route, $slots[$i]);
    $ch = curl_for($base, $req, $slots[$i]);
    curl_multi_add_handle($mh, $ch);
    $inFlight[(int) $ch] = ['slot' => $i, 'route' => $route, 'req' => $req, 'start' => microtime(true), 'phase' => $phase, 'ch' => $ch];
};
for ($i = 0; $i < $clients; $i++) {
    $launch($i);
}
$hardStop = $started + 4 * $seconds;
while (true) {
    $p = $progress();
    // Phase changes, fault windows, memory samples and the reload.
    if ($phase === 'warmup' && $p >= WARMUP_END) {
        $phase = 'fault-free';
        $rssSamples['gen1_base'] = rss($fpmPid);
    }
    if ($p >= FAULTS_START && $p < FAULTS_END) {
        $phase = 'faults';
        foreach (fault_windows() as $n => [$at, $faults]) {
            if ($n > $window && $p >= $at) {
                control('PUT', '/faults', ['faults' => $faults]);
                $window = $n;
            }
        }
    }
    if (!$reloaded && $p >= RELOAD_AT) {
        $rssSamples['gen1_end'] = rss($fpmPid);
        posix_kill($fpmPid, SIGUSR2);
        $reloaded = true;
        $reloadInFlight = count($inFlight);
    }
    if ($reloaded && !isset($rssSamples['gen2_base']) && $p >= GEN2_BASELINE_AT) {
        $rssSamples['gen2_base'] = rss($fpmPid);
    }
    if ($phase === 'faults' && $p >= FAULTS_END) {
        control('DELETE', '/faults');
        $phase = 'recovery';
    }
    $finishing = $p >= 1.0 || microtime(true) > $hardStop;
    if ($finishing && $inFlight === []) {
        break;
    }
    curl_multi_exec($mh, $running);
    while ($info = curl_multi_info_read($mh)) {
        $ch = $info['handle'];
        $f = $inFlight[(int) $ch];
        unset($inFlight[(int) $ch]);
        $ms = (microtime(true) - $f['start']) * 1000;
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $body = (string) curl_multi_getcontent($ch);
        $error = $info['result'] !== CURLE_OK ? curl_strerror($info['result']) : '';
        curl_multi_remove_handle($mh, $ch);
        curl_close($ch);
        $faulted = $f['phase'] === 'faults' || $phase === 'faults';
        [$class, $kind] = classify($f['route'], $status, $body, $error, $faulted);
        $records[] = [$f['route'], $f['phase'], $class, $kind, $ms];
        if ($class === 'unexpected' && count($unexpectedSamples) < 5) {
            $unexpectedSamples[] = sprintf('%s (%s phase -> %s phase, %s): %s', $f['route'], $f['phase'], $phase, $f['req']['op'] ?? $f['req']['path'] ?? '',
                error_excerpt($body, $error));
        }
        $done++;
        if ($f['route'] === 'lifecycle') {
            $slots[$f['slot']]['last_failed'] = $class !== 'ok';
            if ($class === 'ok') {
                lifecycle_done($slots[$f['slot']], $f['req']);
            }
        }
        if (!$finishing) {
            $launch($f['slot']);
        }
    }
    curl_multi_select($mh, 0.05);
}
curl_multi_close($mh);
$elapsed = microtime(true) - $started;
control('DELETE', '/faults');

// Complete the lifecycle step a fault interrupted (the module's re-run finishes the job), as an admin
// pressing the button again would.
$drained = 0;
$drainFailed = 0;
foreach ($slots as $i => &$slot) {
    for ($try = 0; $try < 5 && $slot['last_failed']; $try++) {
        $req = lifecycle_request($slot);
        $ch = curl_for($base, $req, $slot);
        $body = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        $drained++;
        if ($status === 200 && str_contains($body, 'data-result="success"')) {
            lifecycle_done($slot, $req);
            $slot['last_failed'] = false;
        } else {
            $drainFailed++;
        }
    }
}
unset($slot);

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        global $setup;
        require_once dirname(__DIR__) . '/whmcs-host/src/Testing/WhmcsHost.php';
        $pdo = \WhmcsHost\Testing\WhmcsHost::open($setup['root'])->pdo();
    }
    return $pdo;
}

function service_tenant(int $service): string
{
    $q = db()->prepare("SELECT v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.type = 'product' AND f.fieldname LIKE 'tenant_id%'");
    $q->execute([$service]);
    return trim((string) ($q->fetchColumn() ?: ''));
}

// ---- Simulator state against the WHMCS services ----

/** @return array{0:string[],1:array<string,int>} [problems, counts] */
function check_state(array $setup): array
{
    $problems = [];
    $rows = db()->query("SELECT h.id, h.domainstatus FROM tblhosting h WHERE h.packageid = 1")->fetchAll(PDO::FETCH_ASSOC);
    $live = [];
    $terminated = [];
    $terminatedServices = 0;
    foreach ($rows as $r) {
        $terminatedServices += $r['domainstatus'] === 'Terminated' ? 1 : 0;
        $tenant = service_tenant((int) $r['id']);
        if ($tenant === '') {
            continue;
        }
        if ($r['domainstatus'] === 'Terminated') {
            $terminated[$tenant] = (int) $r['id'];
            continue;
        }
        if (isset($live[$tenant])) {
            $problems[] = "tenant $tenant belongs to services {$live[$tenant]} and {$r['id']}";
        }
        $live[$tenant] = (int) $r['id'];
    }
    $rootId = (string) $setup['root_tenant'];
    $root = control('GET', "/state/tenants/$rootId");
    $children = [];
    foreach ((array) ($root['children'] ?? []) as $c) {
        $id = is_array($c) ? (string) ($c['id'] ?? '') : (string) $c;
        $children[$id] = ($children[$id] ?? 0) + 1;
    }
    foreach ($children as $id => $n) {
        if ($n > 1) {
            $problems[] = "tenant $id listed $n times";
        }
        if (!isset($live[$id])) {
            $problems[] = isset($terminated[$id]) ? "tenant $id of terminated service {$terminated[$id]} still exists"
                : "tenant $id has no WHMCS service (orphan)";
        }
    }
    foreach ($live as $tenant => $service) {
        if (!isset($children[$tenant])) {
            $problems[] = "service $service's tenant $tenant does not exist";
        }
    }
    return [$problems, ['services with a tenant' => count($live), 'terminated services' => $terminatedServices, 'tenants under the root' => count($children)]];
}

[$stateProblems, $stateCounts] = check_state($setup);
$rssSamples['gen2_end'] = rss($fpmPid);

// ---- Figures ----

$byRoute = [];
$kinds = ['expected' => [], 'unexpected' => []];
foreach ($records as [$route, $phaseOf, $class, $kind, $ms]) {
    $byRoute[$route]['all'][] = $ms;
    $byRoute[$route][$phaseOf][] = $ms;
    $byRoute[$route][$class] = ($byRoute[$route][$class] ?? 0) + 1;
    if ($class !== 'ok') {
        $kinds[$class]["$route: $kind"] = ($kinds[$class]["$route: $kind"] ?? 0) + 1;
    }
}
$unexpected = array_sum($kinds['unexpected']);
$expected = array_sum($kinds['expected']);
say(sprintf('soak: %d requests in %.0f s (%.1f/s), %d clients, php-fpm workers %d; phases warm-up < %d%% < fault-free < %d%% < faults < %d%% < recovery; php-fpm graceful reload (SIGUSR2) at %d%% with %d requests in flight',
    $done, $elapsed, $done / max(1, $elapsed), count($slots), count($rssSamples['gen1_base'] ?? []), WARMUP_END * 100, FAULTS_START * 100, FAULTS_END * 100, RELOAD_AT * 100, $reloadInFlight ?? 0));
say('');
say(sprintf('%-24s %7s %6s %8s %10s %8s %8s %14s %12s %6s', 'route', 'requests', 'ok', 'expected', 'unexpected', 'p50 ms', 'p99 ms', 'p99 fault-free', 'p99 faults', 'ratio'));
foreach (array_keys(ROUTES) as $route) {
    $r = $byRoute[$route] ?? [];
    $clean = percentile($r['fault-free'] ?? [], 0.99);
    $faulty = percentile($r['faults'] ?? [], 0.99);
    say(sprintf('%-24s %7d %6d %8d %10d %8.0f %8.0f %14.0f %12.0f %6.2f', $route, count($r['all'] ?? []), $r['ok'] ?? 0, $r['expected'] ?? 0,
        $r['unexpected'] ?? 0, percentile($r['all'] ?? [], 0.5), percentile($r['all'] ?? [], 0.99), $clean, $faulty, $faulty / max(1.0, $clean)));
}
say('');
say("expected fault answers: $expected" . ($kinds['expected'] ? ' (' . implode(', ', array_map(static fn ($k, $n) => "$k $n", array_keys($kinds['expected']), $kinds['expected'])) . ')' : ''));
say("unexpected errors: $unexpected" . ($kinds['unexpected'] ? ' (' . implode(', ', array_map(static fn ($k, $n) => "$k $n", array_keys($kinds['unexpected']), $kinds['unexpected'])) . ')' : ''));
foreach ($unexpectedSamples as $sample) {
    say("  unexpected: $sample");
}
say("lifecycle steps re-run after the load: $drained ($drainFailed failed)");

$fpmLog = (string) @file_get_contents("$run/logs/php-fpm.log");
$crashes = preg_match_all('/exited on signal/', $fpmLog);
$exits = preg_match_all('/child \d+ exited/', $fpmLog);
$reloads = preg_match_all('/Reloading in progress/', $fpmLog);
say("php-fpm: $reloads graceful reload(s), $exits worker exit(s) in the log, $crashes crash(es) (\"exited on signal\")");
$cronRuns = array_count_values(array_map('trim', @file("$run/cron.runs") ?: []));
say('cron (AfterCronJob) runs alongside: ' . ($cronRuns['ok'] ?? 0) . ' ok, ' . ($cronRuns['failed'] ?? 0) . ' failed');

$growth = 0.0;
foreach ([['gen1_base', 'gen1_end', 'before the reload'], ['gen2_base', 'gen2_end', 'after the reload']] as [$from, $to, $label]) {
    $a = $rssSamples[$from] ?? [];
    $b = $rssSamples[$to] ?? [];
    $lines = [];
    $sumA = 0;
    $sumB = 0;
    foreach ($a as $pid => $kb) {
        if (!isset($b[$pid])) {
            continue;
        }
        $sumA += $kb;
        $sumB += $b[$pid];
        $lines[] = sprintf('%d: %.1f -> %.1f MB (%+.1f%%)', $pid, $kb / 1024, $b[$pid] / 1024, 100 * ($b[$pid] - $kb) / max(1, $kb));
    }
    $pct = $sumA > 0 ? 100 * ($sumB - $sumA) / $sumA : 0.0;
    $growth = max($growth, $pct);
    say(sprintf('worker RSS %s (after warm-up -> %s): %s; pool %+.1f%%', $label, $to === 'gen1_end' ? 'reload' : 'end',
        $lines ? implode(', ', $lines) : 'no sample', $pct));
}
say('simulator state: ' . implode(', ', array_map(static fn ($k, $v) => "$k $v", array_keys($stateCounts), $stateCounts))
    . ($stateProblems ? '; INCONSISTENT: ' . implode('; ', array_slice($stateProblems, 0, 10)) : '; consistent (no orphan, duplicate or missing tenant)'));

$goals = [];
$unexpected > 0 && $goals[] = 'unexpected errors';
$crashes > 0 && $goals[] = 'worker crashes';
$growth >= RSS_GROWTH_GOAL && $goals[] = 'RSS growth';
$stateProblems && $goals[] = 'simulator state';
$done < $target && $goals[] = "fewer than $target requests";
say($goals ? 'goals missed: ' . implode(', ', $goals) : 'all goals met');
say(sprintf('soak: %d requests, %d unexpected errors, %d crashes, rss growth %.1f%%', $done, $unexpected, $crashes, $growth));
exit($goals ? 1 : 0);
