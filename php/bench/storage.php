<?php
/**
 * Storage benchmark on a real MariaDB (php/dev/mariadb.sh; `make bench` starts it):
 *
 * 1. Storing one day of N tenants' usage (the cron pipeline's aggregate → rows step, as the
 *    extension does it through WHMCS's PDO connection), against the floor measured in the same
 *    run: `LOAD DATA LOCAL INFILE` of the same rows as a CSV into an identically indexed table.
 * 2. The reads behind WHMCS's usage billing: `MetricProvider::usage()` for every tenant of the
 *    day (wall time and peak PHP memory under memory_limit=256M), and one service page's read.
 *
 * Usage: php -d extension=… php/bench/storage.php [tenants…]   (default 100000)
 * Prints ratios; asserts nothing about time (benchmarks never fail a build on speed).
 */

declare(strict_types=1);

$repo = dirname(__DIR__, 2);
require $repo . '/php/dev/Simulator.php';

$ext = getenv('ACRONISCLOUD_EXT') ?: $repo . '/target/release/libacroniscloud.so';
$sizes = array_map('intval', array_slice($argv, 1)) ?: [100000];
$adapter = $repo . '/includes/acroniscloud/lib/Whmcs/Database.php';

// The private MariaDB server and its admin account.
exec(escapeshellarg($repo . '/php/dev/mariadb.sh') . ' env', $lines, $code);
if ($code !== 0) {
    fwrite(STDERR, "MariaDB is not running: make mariadb-start\n");
    exit(1);
}
$env = [];
foreach ($lines as $line) {
    if (preg_match('/^(?:export\s+)?([A-Z_]+)=(.*)$/', trim($line), $m)) {
        $env[$m[1]] = trim($m[2], "'\"");
    }
}
$admin = parse_url($env['WHMCS_DB_ADMIN_DSN'] ?? '');
if (!$admin) {
    fwrite(STDERR, "mariadb.sh env gave no WHMCS_DB_ADMIN_DSN\n");
    exit(1);
}
$host = $admin['host'] ?? '127.0.0.1';
$port = (int) ($admin['port'] ?? 3306);
$user = rawurldecode($admin['user'] ?? '');
$pass = rawurldecode($admin['pass'] ?? '');
$pdoFor = static function (string $db) use ($host, $port, $user, $pass): PDO {
    return new PDO("mysql:host=$host;port=$port;dbname=$db;charset=utf8mb4", $user, $pass, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::MYSQL_ATTR_LOCAL_INFILE => true,
    ]);
};

/** Runs $argv, returns [wall seconds, stdout]. */
function run(array $argv): array
{
    $t = microtime(true);
    $p = proc_open($argv, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    $code = proc_close($p);
    if ($code !== 0) {
        throw new RuntimeException("failed ($code): " . $err . $out);
    }
    return [microtime(true) - $t, $out];
}

$sim = AcronisCloud\Dev\Simulator::shared();
$work = sys_get_temp_dir() . '/acroniscloud-storage-bench-' . getmypid();
@mkdir($work, 0777, true);
// The simulator answers on plain HTTP on loopback (a test set-up: allowed explicitly).
file_put_contents("$work/config.yaml", "cloud_api:\n  allow_plain_http: true\nusage_report:\n  retry_timeout: 0\n");
$php = [PHP_BINARY, '-n', '-d', "extension=$ext", '-d', 'extension=mysqlnd', '-d', 'extension=pdo', '-d', 'extension=pdo_mysql', '-d', 'memory_limit=256M'];

echo "Storage on MariaDB (WHMCS's PDO connection; floor = LOAD DATA LOCAL INFILE of the same rows, same indexes)\n";
printf("%-9s %12s %12s %8s %14s %14s %12s\n", 'tenants', 'store day s', 'floor s', 'ratio', 'usage() s', 'usage() peak', 'page read ms');
$root = $pdoFor('mysql');
foreach ($sizes as $tenants) {
    $db = 'acroniscloud_bench_' . getmypid() . "_$tenants";
    $root->exec("DROP DATABASE IF EXISTS `$db`");
    $root->exec("CREATE DATABASE `$db` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    $dsn = json_encode(['dsn' => "mysql:host=$host;port=$port;dbname=$db;charset=utf8mb4", 'user' => $user, 'pass' => $pass]);
    // The PDO options WHMCS's Laravel connection uses (native prepares, typed fetches).
    $connect = '$c = json_decode($argv[1], true); require $argv[2];'
        . '$db = new AcronisCloud\\Whmcs\\Database(new PDO($c["dsn"], $c["user"], $c["pass"], [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,'
        . ' PDO::ATTR_EMULATE_PREPARES => false, PDO::ATTR_STRINGIFY_FETCHES => false]));'
        . '$opts = ["storage_dir" => $argv[3], "config_file" => $argv[3] . "/config.yaml", "db" => $db];';

    // 1. The pipeline stores the day (order, poll, download, aggregate, store): the store step's time.
    $sim->reset();
    $gen = $sim->control('POST', 'generate', ['tenants' => $tenants, 'seed' => 1, 'profile' => 'billing']);
    $seed = $sim->seed();
    $server = ['id' => 1, 'name' => 'bench', 'hostname' => $sim->httpUrl(), 'secure' => '', 'port' => '',
        'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'],
        'accesshash' => 'client_credentials', 'disabled' => 0];
    $known = [];
    foreach ($sim->api('GET', "/api/2/tenants/{$gen['parent_id']}/children")['items'] ?? [] as $child) {
        $known[] = is_array($child) ? $child['id'] : $child;
    }
    file_put_contents("$work/known.json", json_encode($known));
    $process = $connect . '$r = AcronisCloud\\UsageMetrics::process([json_decode($argv[4], true)],'
        . ' json_decode(file_get_contents($argv[3] . "/known.json"), true), $opts); echo json_encode($r);';
    [, $out] = run(array_merge($php, ['-r', $process, $dsn, $adapter, $work, json_encode($server)]));
    $result = json_decode($out, true);
    $actions = implode(' ', $result['servers'][0]['actions'] ?? []);
    if (!preg_match('/stored in ([0-9.]+) s/', $actions, $m)) {
        throw new RuntimeException('The pipeline did not store the day: ' . $out);
    }
    $store = (float) $m[1];
    $pdo = $pdoFor($db);
    $stored = (int) $pdo->query('SELECT COUNT(*) FROM acroniscloud_usage_tenant_days')->fetchColumn();

    // 2. The floor: the same rows as a CSV, loaded into an identically indexed table.
    $csv = "$work/day-$tenants.tsv";
    $f = fopen($csv, 'w');
    foreach ($pdo->query('SELECT tenant_id, date, server_id, report_row, metrics, updated_at FROM acroniscloud_usage_tenant_days', PDO::FETCH_NUM) as $row) {
        fwrite($f, implode("\t", array_map(static fn ($v) => addcslashes((string) $v, "\t\n\\"), $row)) . "\n");
    }
    fclose($f);
    $pdo->exec('CREATE TABLE floor_days LIKE acroniscloud_usage_tenant_days');
    $t = microtime(true);
    $pdo->exec('LOAD DATA LOCAL INFILE ' . $pdo->quote($csv) . ' INTO TABLE floor_days FIELDS TERMINATED BY \'\t\' '
        . '(tenant_id, date, server_id, report_row, metrics, updated_at)');
    $floor = microtime(true) - $t;
    if ((int) $pdo->query('SELECT COUNT(*) FROM floor_days')->fetchColumn() !== $stored) {
        throw new RuntimeException('The floor table did not get every row.');
    }

    // 3. MetricProvider::usage() for every tenant of the day, under WHMCS's usual memory limit:
    //    the WHMCS classes of the emulation, Capsule on the bench database, the module's provider.
    $ids = "$work/ids-$tenants.json";
    file_put_contents($ids, json_encode($pdo->query('SELECT tenant_id FROM acroniscloud_usage_tenant_days')->fetchAll(PDO::FETCH_COLUMN)));
    $usage = '$c = json_decode($argv[1], true); define("WHMCS", true); require $argv[2] . "/php/whmcs-host/autoload.php";'
        . '$m = new WHMCS\\Database\\Capsule(); $m->addConnection(["driver" => "mysql", "host" => $c["host"], "port" => $c["port"],'
        . ' "database" => $c["db"], "username" => $c["user"], "password" => $c["pass"], "charset" => "utf8mb4", "collation" => "utf8mb4_unicode_ci"]);'
        . '$m->setAsGlobal();'
        . 'foreach (["Hours", "MeteredValue", "MetricProvider"] as $f) { require_once $argv[2] . "/modules/servers/acroniscloud/lib/$f.php"; }'
        . '$ids = json_decode(file_get_contents($argv[3]), true); $t = microtime(true);'
        . '$only = $argv[4] === "all" ? null : explode(",", $argv[4]);'
        . '$u = (new WHMCS\\Module\\Server\\AcronisCloud\\MetricProvider(["serverid" => 1]))->usageOfTenants($ids, $only);'
        . '$values = 0; foreach ($u as $list) { $values += count($list); }'
        . 'echo json_encode(["n" => count($u), "values" => $values, "s" => microtime(true) - $t, "peak" => memory_get_peak_usage()]);';
    $conn = json_encode(['host' => $host, 'port' => $port, 'db' => $db, 'user' => $user, 'pass' => $pass]);
    // A product billing six metrics (what WHMCS records), and every metric of the report enabled.
    $typical = 'pw_workstations,pw_servers,pw_vms,pw_mobiles,pw_storage,pw_compute_points';
    $u = $all = null;
    foreach (['typical' => $typical, 'all' => 'all'] as $case => $only) {
        try {
            [, $out] = run(array_merge([PHP_BINARY, '-d', "extension=$ext", '-d', 'memory_limit=256M'], ['-r', $usage, $conn, $repo, $ids, $only]));
            $r = json_decode($out, true);
        } catch (RuntimeException $e) {
            $r = ['error' => str_contains($e->getMessage(), 'Allowed memory size') ? 'over 256 MB' : $e->getMessage()];
        }
        if ($case === 'typical') {
            $u = $r;
        } else {
            $all = $r;
        }
    }
    if (($u['n'] ?? 0) !== $stored) {
        throw new RuntimeException('usage() did not answer every tenant: ' . json_encode($u));
    }

    // 4. One service page's read (the latest day of one tenant), averaged over 200 reads.
    $page = $connect . '$ids = json_decode(file_get_contents($argv[4]), true); $t = microtime(true);'
        . 'for ($i = 0; $i < 200; $i++) { AcronisCloud\\UsageMetrics::serviceUsage($ids[$i * 7 % count($ids)], ["pw_workstations"], $opts); }'
        . 'echo json_encode(["ms" => (microtime(true) - $t) * 1000 / 200]);';
    [, $out] = run(array_merge($php, ['-r', $page, $dsn, $adapter, $work, $ids]));
    $pageMs = json_decode($out, true)['ms'];

    printf("%-9d %12.3f %12.3f %7.2fx %14.3f %11.1f MB %12.2f\n", $stored, $store, $floor, $store / max($floor, 1e-6),
        $u['s'], $u['peak'] / 1048576, $pageMs);
    printf("          usage() with 6 metrics enabled: %d values; with every metric of the report enabled: %s\n", $u['values'],
        isset($all['peak']) ? sprintf('%d values, %.3f s, %.1f MB peak', $all['values'], $all['s'], $all['peak'] / 1048576) : $all['error']);
    $root->exec("DROP DATABASE IF EXISTS `$db`");
}
exec('rm -rf ' . escapeshellarg($work));

