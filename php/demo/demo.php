<?php
/**
 * `make demo`: an Acronis server's life in an emulated WHMCS, against the Acronis simulator,
 * through the stock module files. Prints a transcript a hosting admin can follow.
 * Run with the extension loaded: php -d extension=target/release/libacroniscloud.so php/demo/demo.php
 */

declare(strict_types=1);

$repo = dirname(__DIR__, 2);
require $repo . '/php/dev/Simulator.php';
require $repo . '/php/whmcs-host/src/Testing/WhmcsHost.php';
require $repo . '/php/dev/AdminHttp.php';

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Dev\Simulator;
use WhmcsHost\Testing\WhmcsHost;

if (!extension_loaded('acroniscloud')) {
    fwrite(STDERR, "Run the demo with the extension: make demo\n");
    exit(1);
}
putenv('ACRONISCLOUD_EXT=' . (getenv('ACRONISCLOUD_EXT') ?: $repo . '/target/release/libacroniscloud.so'));

function step(string $title): void
{
    echo "\n== $title\n";
}
function say(string $text): void
{
    echo "   $text\n";
}

echo "Acronis Cyber Cloud module for WHMCS - demo (extension " . phpversion('acroniscloud') . ", PHP " . PHP_VERSION . ")\n";

step('1. Start the Acronis API simulator');
$sim = Simulator::shared();
say('data centre 1 (router): ' . $sim->httpsUrl(0));
say('data centre 2:          ' . $sim->httpsUrl(1));
say('TLS: self-signed CA written to ' . $sim->caFile() . ' (trusted through cloud_api.ca_file)');
$dc2 = $sim->seed(1);
$sim->setRootTag('billing-system=legacy', 1);
say('partner account "' . $dc2['admin']['login'] . '" lives in data centre 2; its root tenant already carries the tag "billing-system=legacy"');

step('2. Assemble a WHMCS installation (emulated) with the module files');
$dir = sys_get_temp_dir() . '/acroniscloud-demo-' . getmypid();
// WHMCS_DB_DSN=mysql://USER:PASS@HOST:PORT/DBNAME puts the WHMCS tables in that MySQL/MariaDB database.
$dsn = (string) getenv('WHMCS_DB_DSN');
$host = WhmcsHost::create($dir, $dsn !== '' ? ['db' => $dsn] : []);
$host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  ca_file: \"{$sim->caFile()}\"\nlogger:\n  enabled: true\n  filename: \"$dir/acronis-cloud.log\"\n  level: DEBUG\n");
$host->ok('config:set', ['ModuleDebugMode', 'on']);
$host->ok('addon:set', ['acroniscloud', 'logging_cloud_api', 'on']);
$dbInfo = $dsn === '' ? 'SQLite database' : 'database ' . (string) preg_replace('#//[^@/]*@#', '//', $dsn) . ' (MySQL/MariaDB)';
say("WHMCS root: $dir ($dbInfo, module files from the repository)");
say('config.yaml: trust the simulator CA, file log at DEBUG; WHMCS Module Debug Mode on');

step('3. Admin adds the server "Acronis EU2" with a login and password');
say('Setup > Servers > Add: hostname localhost:' . $sim->port(0) . ' (the router), SSL on, username ' . $dc2['admin']['login']);
$id = (int) $host->ok('server:add', [
    'name' => 'Acronis EU2', 'hostname' => 'localhost', 'port' => (string) $sim->port(0), 'secure' => 'on',
    'username' => $dc2['admin']['login'], 'password' => $dc2['admin']['password'], 'accesshash' => 'username',
    'type' => 'acroniscloud',
])['serverid'];
$row = $host->ok('server:get', [$id]);
say("server $id saved; the ServerAdd hook ran:");
say('  data-centre lookup: GET /api/1/accounts on the router -> ' . $sim->httpsUrl(1));
say('  login converted to an API client: username is now ' . $row['username'] . ' (accesshash ' . $row['accesshash'] . ')');
say('  password field now holds the client secret (encrypted by WHMCS, ' . strlen($row['password']) . ' characters, not shown)');
say('  hostname/port now point at the data centre: ' . $row['hostname'] . ':' . $row['port']);
say('  root tenant internal tag: ' . $sim->rootTag(1));

step('4. Admin clicks "Test Connection"');
$r = $host->ok('server:test', [$id]);
say('result: ' . ($r['success'] ? 'Connection successful' : 'FAILED: ' . $r['error']));

step('5. What the module sees on that server');
$params = $host->ok('server:params', [$id]);
$server = new AcronisCloud\AcronisServer($params + ['servername' => 'Acronis EU2'], ['config_file' => "$dir/includes/acroniscloud/config.yaml"]);
$root = $server->rootTenant();
say('platform version: ' . $server->platformVersion());
say('root tenant: ' . $root['name'] . ' (' . $root['id'] . ', kind ' . $root['kind'] . ')');
say('API base URL: ' . $server->baseUrl());

step('6. A second server with a wrong password');
$bad = (int) $host->ok('server:add', [
    'name' => 'Acronis typo', 'hostname' => 'localhost', 'port' => (string) $sim->port(0), 'secure' => 'on',
    'username' => $dc2['admin']['login'], 'password' => 'Wrong-Password-1', 'accesshash' => 'username', 'type' => 'acroniscloud',
])['serverid'];
$activity = array_values(array_filter($host->activityLog(), fn ($a) => str_contains($a['description'], "Server $bad")));
say('ServerAdd did not convert the login (the save itself is never blocked); WHMCS activity log says:');
foreach ($activity as $a) {
    say('  ' . $a['description']);
}
$r = $host->ok('server:test', [$bad]);
say('Test Connection: ' . ($r['success'] ? 'Connection successful' : 'FAILED: ' . $r['error']));

step('7. A platform hiccup: two 503 answers, then success');
$sim->faults([['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/versions', 'status' => 503, 'body' => 'html', 'next' => 2]], 1);
$r = $host->ok('server:test', [$id]);
say('Test Connection: ' . ($r['success'] ? 'Connection successful (safe calls are retried with back-off)' : 'FAILED: ' . $r['error']));
$sim->faults([], 1);

step('8. Admin area: a service template and configurable options, through the admin API');
$host->ok('addon:activate', ['acroniscloud']);
$url = $host->serve();
$admin = new AdminHttp($url);
say("WHMCS admin area (emulated) served at $url; the addon is activated");
$template = AdminHttp::perWorkloadTemplate(
    'Cyber Protect per workload',
    'Customers: 10 workstations, 100 GB cloud storage',
    $id,
    AdminHttp::backupStorage($sim->seed(1)['infras'])
);
$bad = $admin->api('POST', 'create_template', [], ['name' => 'ab'] + $template);
say('create_template with a 2-character name -> HTTP ' . $bad['status'] . ': ' . ($bad['json']['error']['details']['errors']['name'][0] ?? $bad['body']));
$created = $admin->api('POST', 'create_template', [], $template);
say('create_template "' . $template['name'] . '" -> HTTP ' . $created['status'] . ', template id ' . ($created['json']['id'] ?? '?'));
$templateId = (int) ($created['json']['id'] ?? 0);
$host->ok('sql', ['UPDATE tblproducts SET configoption1 = ? WHERE id = 1', 'bind' => [(string) $templateId]]);
say('product 1 "' . $host->sql('SELECT name FROM tblproducts WHERE id = 1')[0]['name'] . '" now uses the template');
$del = $admin->api('POST', 'delete_template', ['template_id' => $templateId]);
say('delete_template while the product uses it -> HTTP ' . $del['status'] . ': ' . ($del['json']['error']['message'] ?? $del['body']));
$opts = $admin->api('POST', 'create_options', ['product_id' => 1], ['name' => 'Per workload extras', 'server_id' => $id, 'edition' => 'per_workload']);
$gid = (int) ($opts['json']['id'] ?? 0);
$rows = $host->sql('SELECT optionname, optiontype FROM tblproductconfigoptions WHERE gid = ? ORDER BY `order`', [$gid]);
say('create_options "Per workload extras" -> group ' . $gid . ' with ' . count($rows) . ' options linked to product 1, e.g.');
foreach (array_slice($rows, 0, 4) as $row) {
    say('  ' . $row['optionname'] . ' (' . ((int) $row['optiontype'] === 3 ? 'Yes/No' : 'Quantity') . ')');
}
$listed = $host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud']);
say('Product Module Settings now offer: ' . implode(', ', $listed['templateId']['Options']));

step('9. Logs so far (secrets masked)');
$log = $host->moduleLog();
say('WHMCS module log: ' . count($log) . ' Cloud API entries, e.g.');
foreach ($log as $entry) {
    $req = json_decode($entry['request'], true);
    if (str_contains($req['body'], 'password=')) {
        say('  ' . $entry['action']);
        say('  ' . $req['method'] . ' ' . $req['url'] . '  body: ' . $req['body']);
        break;
    }
}
$lines = file("$dir/acronis-cloud.log", FILE_IGNORE_NEW_LINES) ?: [];
say('file log ' . "$dir/acronis-cloud.log: " . count($lines) . ' lines, e.g.');
foreach ($lines as $line) {
    if (str_contains($line, 'WARNING')) {
        say('  ' . substr($line, 0, 220));
        break;
    }
}
$everything = json_encode($log) . implode("\n", $lines) . json_encode($host->activityLog());
$leaks = array_filter([$dc2['admin']['password'], 'Wrong-Password-1', $dc2['client']['client_secret']], fn ($s) => str_contains($everything, $s));
say($leaks ? 'LEAK: a secret appears in the logs!' : 'no password or client secret appears in any log');

step('10. The service lifecycle: a client orders "' . $host->sql('SELECT name FROM tblproducts WHERE id = 1')[0]['name'] . '"');
$host->ok('product:save', [1, 'configoption1' => (string) $templateId, 'configoption2' => 'email']);
$host->sql("UPDATE tblclients SET companyname = 'Acme Ltd', firstname = 'John', lastname = 'Smith', email = 'it@acme.test', language = 'german', country = 'DE' WHERE id = 1");
$cloud = static fn (string $method, string $path, ?array $body = null) => $sim->api($method, $path, $body, 1);
/** What WHMCS and the simulator hold for a service, printed after every step. */
$show = static function (int $service) use ($host, $cloud): void {
    $row = $host->ok('service:get', [$service]);
    $fields = [];
    $tid = '';
    $rows = $host->sql('SELECT f.fieldname, v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.relid = ? AND f.type = ? ORDER BY f.sortorder, f.id', [$service, $row['packageid'], 'product']);
    foreach ($rows as $f) {
        $key = explode('|', $f['fieldname'])[0];
        $fields[] = $key . '=' . ($f['value'] === '' ? '(empty)' : $f['value']);
        if ($key === 'tenant_id') {
            $tid = (string) $f['value'];
        }
    }
    say("WHMCS:     service $service, product " . $row['packageid'] . ', status ' . $row['domainstatus'] . ', fields ' . ($fields ? implode(', ', $fields) : '(none)'));
    if ($tid === '') {
        say('simulator: no tenant stored for this service');
        return;
    }
    try {
        $t = $cloud('GET', "/api/2/tenants/$tid");
    } catch (\RuntimeException $e) {
        say("simulator: tenant $tid does not exist");
        return;
    }
    $pricing = $cloud('GET', "/api/2/tenants/$tid/pricing");
    say('simulator: tenant "' . $t['name'] . '" (' . $t['kind'] . ', ' . ($t['enabled'] ? 'enabled' : 'DISABLED') . ', ' . $pricing['mode'] . ', contact ' . ($t['contact']['email'] ?? '') . ')');
    $items = [];
    foreach ($cloud('GET', "/api/2/tenants/$tid/offering_items?edition=*")['items'] as $i) {
        if ($i['status'] === 1) {
            $q = $i['quota']['value'] ?? null;
            $items[] = $i['name'] . '=' . ($q === null ? 'unlimited' : ($i['measurement_unit'] === 'bytes' ? ($q / 1024 ** 3) . ' GB' : $q));
        }
    }
    say('           services: ' . implode(', ', $items));
    foreach (($cloud('GET', "/api/2/tenants/$tid/users")['items'] ?? []) as $uid) {
        $u = $cloud('GET', "/api/2/users/$uid");
        say('           user ' . $u['login'] . ' (' . ($u['activated'] ? 'activated' : 'activation e-mail sent') . ')');
    }
};
/** Runs a module command (module:create, …) on a service: $success, or the module's error. */
$lifecycle = static function (string $command, int $service, string $success = 'success') use ($host): string {
    $r = $host->run("module:$command", [$service]);
    return $r['json']['ok'] ? $success : (string) $r['json']['error'];
};
$customer = (int) $host->ok('service:add', ['pid' => 1, 'server' => $id, 'userid' => 1])['serviceid'];
$sim->clearRequests(1);
say('CreateAccount -> ' . $lifecycle('create', $customer) . ' (' . count($sim->requests(1)) . ' API calls)');
$show($customer);

step('11. A reseller orders a partner product');
$partnerTemplate = $admin->api('POST', 'create_template', [], ['name' => 'Partners per workload', 'tenant_kind' => 'partner'] + $template)['json']['id'] ?? 0;
$partnerPid = (int) $host->ok('product:add', ['name' => 'Acronis for resellers', 'module' => 'acroniscloud'])['pid'];
$host->ok('product:save', [$partnerPid, 'configoption1' => (string) $partnerTemplate]);
$partner = (int) $host->ok('service:add', ['pid' => $partnerPid, 'server' => $id, 'userid' => 1])['serviceid'];
say('CreateAccount -> ' . $lifecycle('create', $partner));
$show($partner);

/** Moves a service to another product the way a WHMCS upgrade order does, then runs ChangePackage. */
$change = static function (int $service, int $pid) use ($host, $lifecycle): string {
    $host->ok('hook:run', ['OrderProductUpgradeOverride', 'vars' => ['newproductid' => $pid]]);
    $old = (int) $host->ok('service:get', [$service])['packageid'];
    $host->sql("INSERT INTO tblupgrades (userid, orderid, type, date, relid, originalvalue, newvalue, amount, status, paid) VALUES (1, 0, 'package', ?, ?, ?, ?, 0, 'Completed', 'Y')", [date('Y-m-d'), $service, (string) $old, "$pid,monthly"]);
    foreach ($host->sql('SELECT f.fieldname, v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.relid = ?', [$service, $old]) as $f) {
        $target = $host->sql('SELECT id FROM tblcustomfields WHERE relid = ? AND type = ? AND fieldname = ?', [$pid, 'product', $f['fieldname']])[0]['id'] ?? null;
        if ($target !== null) {
            $host->sql('INSERT INTO tblcustomfieldsvalues (fieldid, relid, value) VALUES (?, ?, ?)', [$target, $service, $f['value']]);
        }
    }
    $host->sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [$pid, $service]);
    return $lifecycle('changepackage', $service);
};

step('12. The customer upgrades to 50 workstations');
$bigger = $template;
$bigger['name'] = 'Cyber Protect 50 workstations';
$bigger['applications'][0]['offering_items'][0]['quota_value'] = 50;
$biggerPid = (int) $host->ok('product:add', ['name' => 'Acronis PW 500', 'module' => 'acroniscloud'])['pid'];
$host->ok('product:save', [$biggerPid, 'configoption1' => (string) ($admin->api('POST', 'create_template', [], $bigger)['json']['id'] ?? 0)]);
say('ChangePackage -> ' . $change($customer, $biggerPid));
$show($customer);

step('13. The customer tries to move to the partner product: refused, nothing changed');
say('ChangePackage -> ' . $change($customer, $partnerPid));
say('AfterModuleChangePackageFailed put the service back on product ' . $host->ok('service:get', [$customer])['packageid'] . ' and reopened the upgrade (status ' . $host->sql('SELECT status FROM tblupgrades ORDER BY id DESC LIMIT 1')[0]['status'] . ')');
$show($customer);

step('14. Suspend (unpaid invoice), then unsuspend (paid)');
say('SuspendAccount -> ' . $lifecycle('suspend', $customer));
$show($customer);
say('UnsuspendAccount -> ' . $lifecycle('unsuspend', $customer));
$show($customer);

step('15. The client opens the Acronis console from the client area (single sign-on)');
$r = $host->run('module:call', ['ServiceSingleSignOn', 'service' => $customer, 'context' => 'client', 'client-id' => 1]);
$sso = $r['json']['result'] ?? [];
if (!empty($sso['success'])) {
    $shown = preg_replace('/ott=[^&]+/', 'ott=<one-time token>', (string) $sso['redirectTo']);
    say('ServiceSingleSignOn -> redirect to ' . $shown);
    say('(the token is single-use, expires in 30 s and sits in the URL fragment, which browsers never send to a server)');
} else {
    say('ServiceSingleSignOn -> ' . json_encode($sso ?: $r['json']));
}
$tab = $host->run('module:call', ['AdminServicesTabFields', 'service' => $customer]);
say('admin service tab shows: ' . implode(', ', array_keys((array) ($tab['json']['result'] ?? []))));

step('16. The client changes their e-mail address in WHMCS');
$host->sql("UPDATE tblclients SET email = 'ops@acme.test' WHERE id = 1");
$host->ok('hook:run', ['ClientEdit', 'vars' => ['userid' => 1, 'email' => 'ops@acme.test', 'firstname' => 'John', 'lastname' => 'Smith', 'companyname' => 'Acme Ltd']]);
say('ClientEdit hook pushed the contact to every Acronis tenant and user of the client');
$show($customer);

step('17. Usage billing: metrics enabled, two cron runs, the reports, the usage WHMCS bills');
$tenantOf = static function (int $service) use ($host): string {
    $rows = $host->sql("SELECT v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.type = 'product' AND f.fieldname LIKE 'tenant_id%'", [$service]);
    return (string) ($rows[0]['value'] ?? '');
};
$manage = static function (string ...$args) use ($dir): string {
    $cmd = escapeshellarg(PHP_BINARY) . ' -d extension=' . escapeshellarg((string) getenv('ACRONISCLOUD_EXT'))
        . ' ' . escapeshellarg("$dir/manage.php") . ' ' . implode(' ', array_map('escapeshellarg', $args)) . ' 2>&1';
    return (string) shell_exec('cd ' . escapeshellarg($dir) . ' && ' . $cmd);
};
$tenant = $tenantOf($customer);
foreach (['pw_workstations', 'pw_storage_acronis', 'pw_compute_points'] as $metric) {
    $host->sql("INSERT INTO tblusage_items (rel_type, rel_id, module_type, module, metric, included, is_hidden) VALUES ('Product', 1, 'servers', 'acroniscloud', ?, 0, 0)", [$metric]);
}
say('Module Settings > Metric Billing: pw_workstations, pw_storage_acronis, pw_compute_points switched on for product 1');
$storage = '';
foreach ($cloud('GET', "/api/2/tenants/$tenant/offering_items?edition=*")['items'] as $i) {
    if ($i['name'] === 'pw_storage' && $i['status'] === 1 && !empty($i['infra_id'])) {
        $storage = $i['infra_id'];
    }
}
$sim->control('PUT', 'usage', ['items' => array_values(array_filter([
    ['tenant_id' => $tenant, 'name' => 'pw_workstations', 'value' => 7],
    $storage !== '' ? ['tenant_id' => $tenant, 'name' => 'pw_storage', 'infra_id' => $storage, 'value' => 42.5 * 1024 ** 3] : null,
]))], 1);
say('the client protects 7 workstations and stores 42.5 GB (usage set in the simulator)');
$sim->control('PUT', 'settings', ['report_polls' => 1], 1);
$host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  ca_file: \"{$sim->caFile()}\"\nlogger:\n  enabled: true\n  filename: \"$dir/acronis-cloud.log\"\n  level: DEBUG\nusage_report:\n  retry_timeout: 0\n");
say('(the simulator takes one poll to generate a report; config.yaml retry_timeout: 0 lets the next cron run poll at once)');
$sim->clearRequests(1);
$host->ok('hook:run', ['AfterCronJob']);
say('cron run 1 (AfterCronJob) -> ' . implode(', ', array_map(fn ($r) => $r['method'] . ' ' . preg_replace('~/[0-9a-f-]{36}~', '/{id}', $r['path']), array_filter($sim->requests(1), fn ($r) => str_contains($r['path'], '/reports')))));
echo preg_replace('/^/m', '   ', $manage('usage-report:view-list'));
$sim->clearRequests(1);
$host->ok('hook:run', ['AfterCronJob']);
say('cron run 2 (AfterCronJob) -> ' . implode(', ', array_map(fn ($r) => $r['method'] . ' ' . preg_replace('~/[0-9a-f-]{36}~', '/{id}', $r['path']), array_filter($sim->requests(1), fn ($r) => !str_contains($r['path'], 'idp/token')))));
echo preg_replace('/^/m', '   ', $manage('usage-report:view-list'));
say('php manage.php usage-report:metrics (raw values: bytes, seconds, counts):');
echo preg_replace('/^/m', '   ', $manage('usage-report:metrics'));
$m = $host->run('module:metrics', ['server' => $id, 'tenant' => $tenant]);
$billed = [];
foreach ((array) ($m['json']['result']['tenantUsage'] ?? []) as $metric) {
    if (!empty($metric['usage'])) {
        $billed[] = $metric['displayName'] . ' = ' . $metric['usage']['value'] . ' ' . ($metric['units']['suffix'] ?? $metric['units']['name'] ?? '');
    }
}
say('MetricProvider::tenantUsage (what WHMCS bills): ' . ($billed ? implode('; ', $billed) : json_encode($m['json'])));

step("17a. The client's usage history (chart per billed metric) and Refresh now");
$clientApi = static function (string $action, array $query = [], ?array $post = null) use ($host, $customer): array {
    $args = ['ClientAreaApi', 'service' => $customer, 'context' => 'client', 'client-id' => 1,
        'get' => ['action' => 'productdetails', 'id' => (string) $customer, 'modop' => 'custom', 'a' => 'ClientAreaApi', 'api' => $action] + $query];
    if ($post !== null) {
        $args['post'] = $post + ['token' => 'demo-token'];
        $args['session'] = ['tkval' => 'demo-token'];
    }
    return (array) json_decode((string) ($host->run('module:call', $args)['json']['output'] ?? ''), true);
};
$history = $clientApi('usage_history', ['days' => '30', 'html' => '1']);
$quotas = (array) ($history['quotas'] ?? []);
foreach ($history as $metric => $points) {
    if ($metric === 'quotas' || $metric === 'html' || !is_array($points)) {
        continue;
    }
    $known = array_values(array_filter($points, static fn ($p) => $p['value'] !== null));
    $last = $known ? end($known) : null;
    $quota = array_key_exists($metric, $quotas) ? ($quotas[$metric] === null ? 'unlimited' : $quotas[$metric]) : 'unknown';
    say(sprintf('usage_history %s: %d days, %d with data, latest %s %s, quota %s', $metric, count($points), count($known),
        $last ? $last['date'] . ' = ' . round((float) $last['value'], 2) : '-', $points[0]['unit'] ?? '', $quota));
}
if (isset($history['error'])) {
    say('usage_history -> ' . json_encode($history['error']));
}
$artifacts = $repo . '/tests/artifacts/demo';
@mkdir($artifacts, 0777, true);
$chartFile = $artifacts . '/usage-history.html';
file_put_contents($chartFile, '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="' . $repo . '/modules/servers/acroniscloud/assets/client.css">'
    . '<div class="acroniscloud-client">' . (string) ($history['html'] ?? '') . '</div>');
say("the chart as the page draws it (inline SVG, no script): $chartFile");
say('browser screenshots (make test-browser): tests/artifacts/screenshots/usage-history/01-history-30-days.png, 05-history-german.png');
$bad = $clientApi('usage_history', ['days' => '365']);
say('usage_history days=365 -> ' . ($bad['error']['code'] ?? '?') . ' ' . ($bad['error']['message'] ?? json_encode($bad)));
$first = $clientApi('refresh_usages', [], []);
say('Refresh now -> ' . (isset($first['usages']) ? 'live usages reloaded, next refresh possible at ' . $first['next_refresh_at'] . ' UTC' : json_encode($first)));
$second = $clientApi('refresh_usages', [], []);
say('Refresh now again -> ' . ($second['error']['code'] ?? '?') . ' ' . ($second['error']['message'] ?? json_encode($second)));

step('18. The billing-pipeline status and reconciliation (Addons > Acronis Cyber Cloud)');
say('php manage.php usage-report:status --days=1 (the "Usage billing" page shows the same; exit 1 = attention needed):');
echo preg_replace('/^/m', '   ', rtrim($manage('usage-report:status', '--days=1'))), "\n";
$stray = $cloud('POST', '/api/2/tenants', ['kind' => 'customer', 'parent_id' => $dc2['root_tenant_id'], 'name' => 'Created in the Cloud console']);
say('someone creates the customer "' . $stray['name'] . '" directly in the Cloud console (no WHMCS service)');
$rec = $admin->api('GET', 'reconciliation', ['server_id' => (string) $id, 'kind' => 'orphan_tenant']);
foreach ((array) ($rec['json']['findings'] ?? []) as $finding) {
    say('reconciliation -> ' . $finding['kind'] . ': ' . $finding['tenant_name'] . ' - ' . $finding['details']);
    say('  fix: ' . ($finding['actions'][0]['kind'] ?? '-') . ' -> ' . ($finding['actions'][0]['href'] ?? '-'));
}
if (($rec['json']['findings'] ?? []) === []) {
    say('reconciliation -> HTTP ' . $rec['status'] . ': ' . $rec['body']);
}

step('18a. The audit trail, and adopting a tenant made in the Acronis console');
$trail = $admin->api('GET', 'audit', ['service_id' => $customer]);
say('audit trail of service ' . $customer . ' (admin service tab, latest first): ' . implode(', ', array_map(
    static fn ($e) => $e['action'] . ' by ' . $e['actor'], (array) ($trail['json']['entries'] ?? [])
)));
$legacy = $cloud('POST', '/api/2/tenants', ['kind' => 'customer', 'parent_id' => $sim->seed(1)['root_tenant_id'], 'name' => 'Legacy Customer GmbH']);
$orphan = (int) $host->ok('service:add', ['pid' => 1, 'server' => $id, 'userid' => 1])['serviceid'];
say('a customer created in the Acronis console before WHMCS ("Legacy Customer GmbH"), and service ' . $orphan . ' without a tenant');
$found = $admin->api('GET', 'adopt_search', ['service_id' => $orphan, 'q' => 'legacy']);
say('adopt_search "legacy" -> ' . implode(', ', array_map(static fn ($t) => $t['name'] . ' (' . $t['kind'] . ')', (array) ($found['json']['tenants'] ?? []))));
$sim->clearRequests(1);
$dry = $admin->api('POST', 'adopt_tenant', ['service_id' => $orphan], ['tenant_id' => $legacy['id'], 'dry_run' => true]);
say('adopt_tenant dry run -> HTTP ' . $dry['status'] . ', would tag customer_id "' . ($dry['json']['customer_id'] ?? '?') . '" and bind '
    . implode(', ', (array) ($dry['json']['applications_to_bind'] ?? [])) . ' on the next re-sync; platform calls: '
    . implode(', ', array_unique(array_map(static fn ($r) => $r['method'], array_filter($sim->requests(1), static fn ($r) => !str_contains($r['path'], 'idp/token'))))));
$partnerTenant = $cloud('POST', '/api/2/tenants', ['kind' => 'partner', 'parent_id' => $sim->seed(1)['root_tenant_id'], 'name' => 'Some Reseller']);
$wrong = $admin->api('POST', 'adopt_tenant', ['service_id' => $orphan], ['tenant_id' => $partnerTenant['id']]);
say('adopt_tenant of a partner tenant -> HTTP ' . $wrong['status'] . ': ' . ($wrong['json']['error']['message'] ?? $wrong['body']));
$adopted = $admin->api('POST', 'adopt_tenant', ['service_id' => $orphan], ['tenant_id' => $legacy['id']]);
say('adopt_tenant -> HTTP ' . $adopted['status'] . '; nothing re-created, quotas untouched until the next ChangePackage');
$show($orphan);

step('19. Terminate (cancellation)');
say('TerminateAccount -> ' . $lifecycle('terminate', $customer));
$show($customer);
say('TerminateAccount again -> ' . $lifecycle('terminate', $customer, 'success (nothing left to do)'));

if (in_array('--serve', $argv, true)) {
    step('20. Click through it yourself');
    say("Admin area: $url/admin/login.php?autologin=admin&redirect=addonmodules.php%3Fmodule%3Dacroniscloud");
    say('(an emulated WHMCS admin session; the simulator keeps running). Press Ctrl+C to stop.');
    while (true) {
        sleep(3600);
    }
}
$host->destroy();
$sim->stop();
echo "\nDemo finished. 'make admin-ui' runs the same and keeps the admin area open in a browser.\n";
exit($leaks ? 1 : 0);
