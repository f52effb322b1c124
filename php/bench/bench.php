<?php
/**
 * `make bench`: figures measured in this run, as ratios against a baseline measured in the
 * same run. Now: the cost of a WHMCS action's connection set-up with the per-worker token cache
 * versus without it (the reference module without APCu re-authenticates on every request).
 */

declare(strict_types=1);

require dirname(__DIR__) . '/dev/Simulator.php';

use AcronisCloud\AcronisServer;
use AcronisCloud\Dev\Simulator;

$sim = Simulator::shared();
$seed = $sim->seed();
$config = sys_get_temp_dir() . '/acl-bench-' . getmypid() . '.yaml';
file_put_contents($config, "cloud_api:\n  ca_file: \"{$sim->caFile()}\"\n");
$server = [
    'serverid' => 1, 'servername' => 'bench', 'serverhostname' => 'localhost', 'serverport' => $sim->port(),
    'serversecure' => true, 'serverusername' => $seed['admin']['login'], 'serverpassword' => $seed['admin']['password'],
    'serveraccesshash' => 'username',
];

/** One simulated WHMCS action: new connection object, root tenant lookup. */
$action = static function () use ($server, $config): void {
    (new AcronisServer($server, ['config_file' => $config]))->rootTenantId();
};

$runs = 200;
$measure = static function (bool $cold) use ($action, &$runs): float {
    $t = hrtime(true);
    for ($i = 0; $i < $runs; $i++) {
        if ($cold) {
            AcronisServer::clearCaches();
        }
        $action();
    }
    return (hrtime(true) - $t) / 1e6 / $runs;
};

$action(); // warm up TLS and the HTTP client
foreach ([0 => 200, 20 => 25] as $latency => $n) {
    $runs = $n;
    $sim->faults($latency ? [['kind' => 'latency', 'ms' => $latency]] : []);
    $sim->clearRequests();
    $cold = $measure(true);
    $coldCalls = count($sim->requests());
    $sim->clearRequests();
    $warm = $measure(false);
    $warmCalls = count($sim->requests());
    printf("connection set-up per WHMCS action (password grant, %d actions, %d ms simulated latency per call)\n", $runs, $latency);
    printf("  baseline, no token cache (reference without APCu): %8.2f ms/action, %.1f HTTP calls\n", $cold, $coldCalls / $runs);
    printf("  per-worker token + data-centre cache:              %8.2f ms/action, %.1f HTTP calls\n", $warm, $warmCalls / $runs);
    printf("  ratio baseline/cached: %.2fx\n", $cold / max($warm, 0.001));
}
$sim->faults([]);
$sim->stop();
