<?php
/**
 * `make bench`, provisioning part: API calls and wall time per CreateAccount, ChangePackage and
 * TerminateAccount, run through the WHMCS module file inside one PHP worker (as WHMCS cron or a
 * php-fpm worker runs them), against the simulator. Baseline in the same run: the same
 * operations with the worker's caches cleared before each one (a fresh worker per request).
 * Also checks that a second CreateAccount in the same worker makes no token request.
 */

declare(strict_types=1);

$repo = dirname(__DIR__, 2);
require_once $repo . '/php/dev/Simulator.php';
require_once $repo . '/php/dev/AdminHttp.php';
require_once $repo . '/php/whmcs-host/src/Testing/WhmcsHost.php';

use AcronisCloud\AcronisServer;
use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Dev\Simulator;
use WhmcsHost\Testing\WhmcsHost;

$services = (int) ($argv[1] ?? 20);
$sim = Simulator::shared();
$sim->reset();
$seed = $sim->seed();
$dir = sys_get_temp_dir() . '/acroniscloud-bench-' . getmypid();
$host = WhmcsHost::create($dir);
$host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  ca_file: \"{$sim->caFile()}\"\n");
$host->ok('addon:activate', ['acroniscloud']);
$server = (int) $host->ok('server:add', [
    'name' => 'bench', 'hostname' => 'localhost', 'port' => (string) $sim->port(), 'secure' => 'on',
    'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'],
    'accesshash' => 'client_credentials', 'type' => 'acroniscloud',
])['serverid'];
$storage = AdminHttp::backupStorage($seed['infras']) ?? '';
$template = static fn (int $workstations): array => AdminHttp::perWorkloadTemplate("Bench $workstations", '', $server, $storage, $workstations);
$admin = new AdminHttp($host->serve(['csrf' => 'off']));
$small = (int) $admin->api('POST', 'create_template', [], $template(10))['json']['id'];
$big = (int) $admin->api('POST', 'create_template', [], $template(50))['json']['id'];
$host->stopServer();
$pids = [];
foreach (['small' => $small, 'big' => $big] as $name => $tpl) {
    $pids[$name] = (int) $host->ok('product:add', ['name' => "Bench $name", 'module' => 'acroniscloud'])['pid'];
    $host->ok('product:save', [$pids[$name], 'configoption1' => (string) $tpl]);
}
$ids = [];
for ($i = 0; $i < 2 * $services + 2; $i++) {
    $ids[] = (int) $host->ok('service:add', ['pid' => $pids['small'], 'server' => $server, 'userid' => 1])['serviceid'];
}

// From here on this process is a WHMCS worker: the emulation is booted in process.
require $repo . '/php/whmcs-host/autoload.php';
chdir($dir);
$_SERVER['REQUEST_URI'] = '/admin/clientsservices.php';
$_SERVER['DOCUMENT_ROOT'] = $dir;
$_SESSION = ['adminid' => 1];
$_ADMINLANG = ['locale' => 'en_GB'];
require $dir . '/init.php';

$call = static function (string $fn, int $service): string {
    $r = \WhmcsHost\Modules::call('servers', 'acroniscloud', $fn, \WhmcsHost\Params::service($service));
    if ($r !== 'success') {
        throw new \RuntimeException("$fn($service): $r");
    }
    return $r;
};
$toBig = static function (int $service) use ($pids): void {
    \WHMCS\Database\Capsule::table('tblhosting')->where('id', $service)->update(['packageid' => $pids['big']]);
    acroniscloud_upgrade_target(['newproductid' => $pids['big']]);
    $small = \WhmcsHost\Params::customFields($service, $pids['small']);
    \AcronisCloud\Whmcs\CustomFields::save($service, $pids['big'], array_intersect_key($small, array_flip(['tenant_id', 'user_id', 'cloud_login'])));
};

/** @return array{ms: float, calls: float, tokens: float} per operation */
$measure = static function (string $fn, array $services, bool $cold, ?callable $before = null) use ($sim, $call): array {
    $ms = 0.0;
    $calls = $tokens = 0;
    foreach ($services as $service) {
        if ($before) {
            $before($service);
        }
        if ($cold) {
            AcronisServer::clearCaches();
        }
        $sim->clearRequests();
        $t = hrtime(true);
        $call($fn, $service);
        $ms += (hrtime(true) - $t) / 1e6;
        $requests = $sim->requests();
        $calls += count($requests);
        $tokens += count(array_filter($requests, static fn ($r) => str_ends_with($r['path'], '/idp/token')));
    }
    $n = max(count($services), 1);
    return ['ms' => $ms / $n, 'calls' => $calls / $n, 'tokens' => $tokens / $n];
};

// Warm-up (TLS, HTTP client) and the "second CreateAccount makes no token request" check.
$sim->clearRequests();
$call('CreateAccount', $ids[0]);
$sim->clearRequests();
$call('CreateAccount', $ids[1]);
$secondTokens = count(array_filter($sim->requests(), static fn ($r) => str_ends_with($r['path'], '/idp/token')));

[$warmSet, $coldSet] = [array_slice($ids, 2, $services), array_slice($ids, 2 + $services, $services)];
$rows = [];
foreach ([
    ['CreateAccount', null],
    ['ChangePackage', $toBig],
    ['TerminateAccount', null],
] as [$fn, $before]) {
    $rows[$fn] = ['warm' => $measure($fn, $warmSet, false, $before), 'cold' => $measure($fn, $coldSet, true, $before)];
}

printf("\nprovisioning through the module file, %d services per row, one PHP worker, simulator on localhost\n", $services);
printf("  %-17s %28s %32s %8s\n", 'operation', 'fresh worker (baseline)', 'warm worker (token cached)', 'ratio');
foreach ($rows as $fn => $r) {
    printf("  %-17s %8.1f ms %5.1f calls %3.1f tok %10.1f ms %5.1f calls %3.1f tok %7.2fx\n", $fn,
        $r['cold']['ms'], $r['cold']['calls'], $r['cold']['tokens'],
        $r['warm']['ms'], $r['warm']['calls'], $r['warm']['tokens'], $r['cold']['ms'] / max($r['warm']['ms'], 0.001));
}
printf("  token requests made by a second CreateAccount in the same worker: %d %s\n", $secondTokens, $secondTokens === 0 ? '(ok)' : '(EXPECTED 0)');
$sim->stop();
exit($secondTokens === 0 ? 0 : 1);
