<?php

namespace AcronisCloud\Tests\Provisioning;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;
use WhmcsHost\Testing\TestDatabases;

/**
 * Fixture F of docs/behaviour.md §L on the emulated WHMCS and the simulator: server 1, the
 * client "Acme Ltd" (John Smith, German), a customer template with per-workload backup
 * (10 workstations, 100 GiB on the platform storage), product "Acronis PW 100" and a pending
 * service. Lifecycle commands run through the host's module command runner, one PHP process
 * each, like WHMCS does.
 */
abstract class ProvisioningTestCase extends ModuleTestCase
{
    protected int $server;
    protected int $template;
    protected int $pid;
    protected int $service;
    protected int $client = 1;

    /** @var array<string, array{dir: string, ids: array<string, int>}> fixture built once per class */
    private static array $golden = [];

    protected function setUp(): void
    {
        parent::setUp();
        $seed = $this->sim->seed();
        $this->secrets[] = $seed['admin']['password'];
        $this->secrets[] = $seed['client']['client_secret'];
        $golden = self::$golden[static::class] ?? null;
        if ($golden !== null && is_dir($golden['dir'])) {
            $this->restore($golden['dir']);
            foreach ($golden['ids'] as $k => $v) {
                $this->$k = $v;
            }
            $this->writeConfig();
            return;
        }
        $this->buildFixture();
        $dir = sys_get_temp_dir() . '/acroniscloud-golden-' . getmypid() . '-' . bin2hex(random_bytes(4));
        $this->snapshot($dir);
        self::$golden[static::class] = ['dir' => $dir, 'ids' => [
            'server' => $this->server, 'template' => $this->template, 'pid' => $this->pid, 'service' => $this->service,
        ]];
    }

    public static function tearDownAfterClass(): void
    {
        $golden = self::$golden[static::class] ?? null;
        if ($golden !== null) {
            if (is_file($golden['dir'] . '/.database')) {
                TestDatabases::fromEnv()?->drop((string) file_get_contents($golden['dir'] . '/.database'));
            }
            exec('rm -rf ' . escapeshellarg($golden['dir']));
            unset(self::$golden[static::class]);
        }
        parent::tearDownAfterClass();
    }

    /** Files that hold the fixture's state: WHMCS database, its key, the template database. */
    private function stateFiles(string $root): array
    {
        $files = $this->host->database() === null ? ['whmcs.sqlite', 'configuration.php'] : ['configuration.php'];
        foreach (glob("$root/downloads/acroniscloud/templates.sqlite*") ?: [] as $f) {
            $files[] = substr($f, strlen($root) + 1);
        }
        return $files;
    }

    private function snapshot(string $dir): void
    {
        $root = $this->host->root();
        @mkdir("$dir/downloads/acroniscloud", 0777, true);
        foreach ($this->stateFiles($root) as $f) {
            copy("$root/$f", "$dir/$f");
        }
        file_put_contents("$dir/.root", $root);
        $db = $this->host->database();
        if ($db !== null) {
            // MySQL/MariaDB: the fixture's WHMCS database is kept as a database of its own.
            $dbs = TestDatabases::fromEnv();
            $golden = $dbs->create('g');
            $dbs->cloneInto($db['name'], $golden['name']);
            file_put_contents("$dir/.database", $golden['name']);
        }
    }

    /** Puts the fixture's state into this test's fresh WHMCS root (paths rewritten). */
    private function restore(string $dir): void
    {
        $root = $this->host->root();
        $from = (string) file_get_contents("$dir/.root");
        @mkdir("$root/downloads/acroniscloud", 0777, true);
        foreach (glob("$root/downloads/acroniscloud/templates.sqlite*") ?: [] as $f) {
            unlink($f);
        }
        foreach ($this->stateFiles($dir) as $f) {
            copy("$dir/$f", "$root/$f");
        }
        $config = (string) file_get_contents("$root/configuration.php");
        file_put_contents("$root/configuration.php", str_replace($from, $root, $config));
        $db = $this->host->database();
        if ($db !== null) {
            TestDatabases::fromEnv()->cloneInto((string) file_get_contents("$dir/.database"), $db['name']);
            $this->host->useDatabase($db['dsn']);
        }
        // WHMCS keeps absolute storage paths (the downloads area holds the template database).
        foreach ([[$from, $root], [str_replace('/', '\\/', $from), str_replace('/', '\\/', $root)]] as [$a, $b]) {
            $this->host->sql('UPDATE tblstorageconfigurations SET settings = REPLACE(settings, ?, ?)', [$a, $b]);
        }
        $this->host->sql('UPDATE tblconfiguration SET value = REPLACE(value, ?, ?)', [$from, $root]);
    }

    private function buildFixture(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->server = $this->addServer();
        $this->host->sql(
            'UPDATE tblclients SET companyname = ?, firstname = ?, lastname = ?, email = ?, language = ?, country = ?,
             phonenumber = ?, postcode = ?, city = ?, address1 = ?, state = ? WHERE id = ?',
            ['Acme Ltd', 'John', 'Smith', 'it@acme.test', 'german', 'DE', '+49.301234', '10115', 'Berlin', 'Hauptstr. 1', '', $this->client]
        );
        $this->template = $this->createTemplate($this->templateBody());
        $this->pid = $this->addProduct('Acronis PW 100', $this->template);
        $this->service = $this->addService($this->pid);
        $this->sim->clearRequests();
    }

    /** Id of a simulator infrastructure component with `$capability`. */
    protected function infra(string $capability): string
    {
        foreach ($this->sim->seed()['infras'] as $i) {
            if (in_array($capability, $i['capabilities'], true) && $i['platform_owned']) {
                return $i['id'];
            }
        }
        $this->fail("no $capability infra in the simulator seed");
    }

    protected function rootId(): string
    {
        return $this->sim->seed()['root_tenant_id'];
    }

    /** Template 7 of fixture F; `$over` replaces top-level keys. */
    protected function templateBody(array $over = []): array
    {
        return $over + [
            'name' => 'Customers PW', 'description' => 'Per workload', 'server_id' => $this->server,
            'tenant_kind' => 'customer', 'user_role' => 'admin',
            'applications' => [[
                'type' => 'backup', 'status' => 'active',
                'editions' => [['name' => 'per_workload', 'status' => 'active']],
                'offering_items' => [
                    ['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 10, 'status' => 'active'],
                    ['name' => 'pw_storage', 'measurement_unit' => 'bytes', 'infra_id' => $this->infra('backup'), 'quota_value' => 107374182400, 'status' => 'active'],
                ],
            ]],
        ];
    }

    /** Creates a template through the addon's admin API (browser mode); returns its id. */
    protected function createTemplate(array $body): int
    {
        $admin = new AdminHttp($this->host->serve(['csrf' => 'off']));
        try {
            $r = $admin->api('POST', 'create_template', [], $body);
        } finally {
            $this->host->stopServer();
        }
        $this->assertSame(200, $r['status'], 'template creation failed: ' . $r['body']);
        return (int) $r['json']['id'];
    }

    protected function addProduct(string $name, int $template, array $extra = []): int
    {
        $pid = (int) $this->host->ok('product:add', ['name' => $name, 'module' => 'acroniscloud'] + $extra)['pid'];
        $this->host->ok('product:save', [$pid, 'configoption1' => (string) $template, 'configoption2' => $extra['configoption2'] ?? '']);
        return $pid;
    }

    protected function addService(int $pid, int $server = 0, int $client = 0): int
    {
        return (int) $this->host->ok('service:add', [
            'pid' => $pid, 'server' => $server ?: $this->server, 'userid' => $client ?: $this->client,
        ])['serviceid'];
    }

    /** Runs a lifecycle command (`create`, `changepackage`, …); returns the module's result string. */
    protected function module(string $op, int $service = 0): string
    {
        $r = $this->host->run('module:' . $op, [$service ?: $this->service]);
        if ($r['json'] === null) {
            $this->fail("module:$op produced no JSON\nstdout: {$r['stdout']}\nstderr: {$r['stderr']}");
        }
        if (!empty($r['json']['ok'])) {
            return (string) $r['json']['result']['message'];
        }
        return (string) ($r['json']['error'] ?? '(no error text)');
    }

    /** Custom-field values of a service by field key (`tenant_id`, …); missing rows are absent. */
    protected function fields(int $service = 0): array
    {
        $rows = $this->host->sql(
            'SELECT f.fieldname, v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.type = ?',
            [$service ?: $this->service, 'product']
        );
        $out = [];
        foreach ($rows as $row) {
            $out[trim(explode('|', $row['fieldname'], 2)[0])] = $row['value'];
        }
        return $out;
    }

    protected function setField(string $key, string $value, int $service = 0, int $pid = 0): void
    {
        $service = $service ?: $this->service;
        $pid = $pid ?: $this->pid;
        $field = null;
        foreach ($this->host->sql('SELECT id, fieldname FROM tblcustomfields WHERE type = ? AND relid = ?', ['product', $pid]) as $row) {
            if (trim(explode('|', $row['fieldname'], 2)[0]) === $key) {
                $field = (int) $row['id'];
            }
        }
        $this->assertNotNull($field, "product $pid has no field $key");
        $this->host->sql('DELETE FROM tblcustomfieldsvalues WHERE fieldid = ? AND relid = ?', [$field, $service]);
        $this->host->sql('INSERT INTO tblcustomfieldsvalues (fieldid, relid, value) VALUES (?, ?, ?)', [$field, $service, $value]);
    }

    /** Links a configurable option (`$type` 3 = Yes/No, 4 = quantity) to the product and sets its value. */
    protected function setOption(string $name, int $value, string $type = '4', int $service = 0, int $pid = 0): void
    {
        $service = $service ?: $this->service;
        $pid = $pid ?: $this->pid;
        $gid = $this->host->sql('SELECT gid FROM tblproductconfiglinks WHERE pid = ?', [$pid])[0]['gid'] ?? null;
        if ($gid === null) {
            $this->host->sql('INSERT INTO tblproductconfiggroups (name, description) VALUES (?, ?)', ["Options of $pid", '']);
            $gid = $this->host->sql('SELECT MAX(id) AS id FROM tblproductconfiggroups')[0]['id'];
            $this->host->sql('INSERT INTO tblproductconfiglinks (gid, pid) VALUES (?, ?)', [$gid, $pid]);
        }
        $option = $this->host->sql('SELECT id FROM tblproductconfigoptions WHERE gid = ? AND optionname = ?', [$gid, $name])[0]['id'] ?? null;
        if ($option === null) {
            $this->host->sql('INSERT INTO tblproductconfigoptions (gid, optionname, optiontype) VALUES (?, ?, ?)', [$gid, $name, $type]);
            $option = $this->host->sql('SELECT MAX(id) AS id FROM tblproductconfigoptions')[0]['id'];
        }
        $this->host->sql('DELETE FROM tblhostingconfigoptions WHERE relid = ? AND configid = ?', [$service, $option]);
        $this->host->sql('INSERT INTO tblhostingconfigoptions (relid, configid, optionid, qty) VALUES (?, ?, 0, ?)', [$service, $option, $value]);
    }

    /** Requests of the simulator (DC 1) to exactly "METHOD /path" (query aside), bodies decoded. */
    protected function requestsTo(string $method, string $path): array
    {
        $out = [];
        foreach ($this->sim->requests() as $r) {
            if ($r['method'] === $method && $r['path'] === $path) {
                $r['json'] = is_string($r['body']) ? json_decode($r['body'], true) : $r['body'];
                $out[] = $r;
            }
        }
        return $out;
    }

    /** Tenant as the platform API returns it. */
    protected function cloudTenant(string $id): array
    {
        return $this->sim->api('GET', "/api/2/tenants/$id");
    }

    /** The service tenant's items by "name:infra" (active ones only unless `$all`). */
    protected function cloudItems(string $tenantId, bool $all = false): array
    {
        $out = [];
        foreach ($this->sim->api('GET', "/api/2/tenants/$tenantId/offering_items?edition=*")['items'] as $i) {
            if ($all || $i['status'] === 1) {
                $out[$i['name'] . ':' . ($i['infra_id'] ?? '')] = $i;
            }
        }
        return $out;
    }

    /** Children of the root tenant that WHMCS services created (by `whmcs-service-id` tag). */
    protected function serviceTenants(int $service = 0): array
    {
        $service = $service ?: $this->service;
        $ids = $this->sim->api('GET', '/api/2/tenants/' . $this->rootId() . '/children')['items'];
        if ($ids === []) {
            return [];
        }
        $tenants = $this->sim->api('GET', '/api/2/tenants?uuids=' . implode(',', $ids))['items'];
        return array_values(array_filter($tenants, static fn ($t) => preg_match('/(^|;)whmcs-service-id=' . $service . '(;|$)/', (string) ($t['customer_id'] ?? ''))));
    }

    /** Users of a tenant (platform objects). */
    protected function tenantUsers(string $tenantId): array
    {
        $ids = $this->sim->api('GET', "/api/2/tenants/$tenantId/users")['items'] ?? [];
        return array_map(fn ($id) => $this->sim->api('GET', "/api/2/users/$id"), $ids);
    }
}
