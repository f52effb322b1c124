<?php
/**
 * `make soak`, step 1: the WHMCS installation the load runs against (called by php/soak/run.sh once
 * nginx and php-fpm are up). Usage: php -d extension=… setup.php RUN_DIR BASE_URL
 *
 * Builds RUN_DIR/root (emulated WHMCS on the MariaDB database of WHMCS_DB_DSN/WHMCS_DB_ADMIN_DSN, the
 * module files linked from the repository), adds the simulator's data centre as a server (API client,
 * HTTPS with the simulator's CA), activates the addon, creates a template through the admin API over
 * nginx, provisions one service per load client for the client area, and adds a pool of pending
 * services for the lifecycle route. Prints what the driver needs as one JSON object.
 */

declare(strict_types=1);

$repo = dirname(__DIR__, 2);
require $repo . '/php/whmcs-host/src/Testing/WhmcsHost.php';
require $repo . '/php/dev/AdminHttp.php';
require __DIR__ . '/control.php';

use AcronisCloud\Dev\AdminHttp;
use WhmcsHost\Testing\WhmcsHost;

[$run, $base] = [$argv[1] ?? '', $argv[2] ?? ''];
if ($run === '' || $base === '') {
    fwrite(STDERR, "usage: setup.php RUN_DIR BASE_URL\n");
    exit(2);
}
$clients = max(1, (int) (getenv('SOAK_CLIENTS') ?: 8));
$pool = max(50, (int) (getenv('SOAK_LIFECYCLE_SERVICES') ?: 400));

/** GET/PUT on the simulator's control API. */
function control(string $url, string $method = 'GET', ?array $body = null): array
{
    return soak_control($url, $method, $body) ?? throw new RuntimeException("simulator control $method $url answered no JSON");
}

$sim = json_decode((string) file_get_contents("$run/sim.json"), true);
$control = (string) $sim['control'];
$https = (string) $sim['dcs'][0]['https'];
$seed = control("$control/seed-info");
$port = (int) parse_url($https, PHP_URL_PORT);

$host = WhmcsHost::create("$run/root");
$root = $host->root();
$host->writeFile('includes/acroniscloud/config.yaml', implode("\n", [
    'cloud_api:',
    '  ca_file: "' . $sim['ca_file'] . '"',
    'logger:',
    '  enabled: true',
    "  filename: \"$run/logs/acronis-cloud.log\"",
    '  level: INFO',
    '',
]));
$serverId = (int) $host->ok('server:add', [
    'name' => 'Acronis soak', 'hostname' => '127.0.0.1', 'port' => (string) $port, 'secure' => 'on',
    'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'],
    'accesshash' => 'client_credentials', 'type' => 'acroniscloud',
])['serverid'];
$host->ok('addon:activate', ['acroniscloud']);

$template = AdminHttp::perWorkloadTemplate(
    'Soak per workload',
    'Customers: 10 workstations, 100 GB cloud storage',
    $serverId,
    AdminHttp::backupStorage($seed['infras'])
);
$admin = new AdminHttp($base);
$created = $admin->api('POST', 'create_template', [], $template);
$templateId = (int) ($created['json']['id'] ?? 0);
if ($templateId <= 0) {
    throw new RuntimeException('create_template over nginx failed: HTTP ' . $created['status'] . ' ' . substr($created['body'], 0, 300));
}
// A second template the load rewrites (admin template writes), so the product's stays as it is.
$scratch = (int) ($admin->api('POST', 'create_template', [], ['name' => 'Soak scratch'] + $template)['json']['id'] ?? 0);
$host->ok('product:save', [1, 'configoption1' => (string) $templateId, 'configoption2' => 'email']);

// One provisioned service per load client (client area, SSO), all owned by client 1.
$clientServices = [];
for ($i = 0; $i < $clients; $i++) {
    $id = (int) $host->ok('service:add', ['pid' => 1, 'server' => $serverId, 'userid' => 1])['serviceid'];
    $r = $host->run('module:create', [$id]);
    if (empty($r['json']['ok'])) {
        throw new RuntimeException("CreateAccount of service $id failed: " . json_encode($r['json']));
    }
    $clientServices[] = $id;
}

// The lifecycle pool: pending services (copies of one added through the emulation).
$first = (int) $host->ok('service:add', ['pid' => 1, 'server' => $serverId, 'userid' => 1])['serviceid'];
$pdo = $host->pdo();
$columns = array_values(array_filter(
    array_map(static fn ($c) => $c['Field'], $pdo->query('SHOW COLUMNS FROM tblhosting')->fetchAll(PDO::FETCH_ASSOC)),
    static fn ($c) => $c !== 'id'
));
$list = implode(', ', array_map(static fn ($c) => "`$c`", $columns));
$copy = $pdo->prepare("INSERT INTO tblhosting ($list) SELECT $list FROM tblhosting WHERE id = ?");
$lifecycle = [$first];
for ($i = 1; $i < $pool; $i++) {
    $copy->execute([$first]);
    $lifecycle[] = (int) $pdo->lastInsertId();
}

echo json_encode([
    'root' => $root,
    'base' => $base,
    'control' => $control,
    'server_id' => $serverId,
    'root_tenant' => $seed['root_tenant_id'],
    'template_id' => $templateId,
    'scratch_template_id' => $scratch,
    'template' => $template,
    'client_services' => $clientServices,
    'lifecycle_services' => $lifecycle,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
