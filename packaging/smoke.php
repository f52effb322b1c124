<?php
/**
 * Functional smoke of a release acroniscloud.so, run by dist-check.sh as
 *   php -n -d extension=/abs/acroniscloud.so packaging/smoke.php <expected version> <config.yaml.sample>
 * It touches each native part a broken cross-build would break first: the PHP class table, the YAML
 * config loader, the bundled SQLite (a template store in a temporary file) and the TLS/HTTP client
 * (a refused loopback connection must come back as a clear exception, not a crash; a TLS round trip
 * to the Acronis simulator, ACRONIS_SIM_BIN, must succeed). Loopback only.
 * Prints one line per check; exits 1 on the first failure.
 */

declare(strict_types=1);

function check(string $what, bool $ok, string $detail = ''): void
{
    echo ($ok ? 'ok   ' : 'FAIL ') . $what . ($detail !== '' ? " ($detail)" : '') . PHP_EOL;
    if (!$ok) {
        exit(1);
    }
}

[$expectedVersion, $sample] = [$argv[1] ?? '', $argv[2] ?? ''];

check('extension loaded', extension_loaded('acroniscloud'));
check('version', phpversion('acroniscloud') === $expectedVersion, (string) phpversion('acroniscloud'));

foreach (['AcronisServer', 'Addon', 'ClientArea', 'Provisioning', 'Settings', 'TemplateStore', 'UsageMetrics',
          'Exception', 'ConfigException', 'TransportException'] as $class) {
    check("class AcronisCloud\\$class", class_exists("AcronisCloud\\$class"));
}
// The test hooks (deliberate panic, date override) must never ship in a release build.
check('no test hooks in the release', !class_exists('AcronisCloud\\Testing'));

$defaults = AcronisCloud\Settings::load('');
check('config defaults', ($defaults['cloud_api']['access_token_ttl'] ?? null) === 7200);
$fromSample = AcronisCloud\Settings::load($sample);
check('shipped config.yaml.sample loads', ($fromSample['cloud_api'] ?? null) === $defaults['cloud_api']);

$tmp = sys_get_temp_dir() . '/acroniscloud-smoke-' . getmypid();
@mkdir($tmp, 0700, true);
$broken = "$tmp/config.yaml";
file_put_contents($broken, "logger:\n  enabled: maybe\n");
try {
    AcronisCloud\Settings::load($broken);
    check('broken config refused', false, 'accepted');
} catch (AcronisCloud\ConfigException $e) {
    check('broken config refused', str_contains($e->getMessage(), 'enabled'), $e->getMessage());
}

// The module's tables through the database port: the WHMCS adapter over a PDO connection
// (SQLite in memory here; WHMCS's MySQL connection in production) gets its schema created.
require dirname(__DIR__) . '/includes/acroniscloud/lib/Whmcs/Database.php';
$pdo = new PDO('sqlite::memory:');
$db = new AcronisCloud\Whmcs\Database($pdo);
check('template store through the database adapter', AcronisCloud\TemplateStore::list(['db' => $db]) === []
    && (int) $pdo->query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'acroniscloud%'")->fetchColumn() === 11); // docs/storage.md: the 2.x tables and the module's own (schema 3)

// Port 9 (discard) on loopback is closed on any sane host: the connection is refused at once.
$server = new AcronisCloud\AcronisServer([
    'serverid' => 1, 'serverhostname' => '127.0.0.1', 'serverport' => 9, 'serversecure' => true,
    'serverusername' => 'smoke-client', 'serverpassword' => 'smoke-secret', 'serveraccesshash' => 'client_credentials',
], ['config_file' => '']);
try {
    $server->platformVersion();
    check('TLS client: refused connection', false, 'no error');
} catch (AcronisCloud\Exception $e) {
    check('TLS client: refused connection is an exception', !str_contains($e->getMessage(), 'smoke-secret'), get_class($e));
}

// A real TLS round trip through rustls and ring: the Acronis simulator (crates/acronis-sim) on
// loopback with its own CA; the extension authenticates and reads the root tenant.
require dirname(__DIR__) . '/php/dev/Simulator.php';
$sim = AcronisCloud\Dev\Simulator::shared();
file_put_contents("$tmp/tls.yaml", "cloud_api:\n  ca_file: \"" . $sim->caFile() . "\"\n");
$seed = $sim->seed();
$tls = new AcronisCloud\AcronisServer([
    'serverid' => 2, 'serverhostname' => 'localhost', 'serverport' => $sim->port(), 'serversecure' => true,
    'serverusername' => $seed['client']['client_id'], 'serverpassword' => $seed['client']['client_secret'],
    'serveraccesshash' => 'client_credentials',
], ['config_file' => "$tmp/tls.yaml"]);
check('TLS round trip to the simulator', $tls->rootTenantId() === $seed['root_tenant_id']);
$sim->stop();

array_map('unlink', glob("$tmp/*") ?: []);
@rmdir($tmp);
echo 'smoke: all checks passed' . PHP_EOL;
