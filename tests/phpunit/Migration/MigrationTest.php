<?php

namespace AcronisCloud\Tests\Migration;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;

/** Migration of a module-v1 installation during addon activation (§I.2, L81–L83). */
final class MigrationTest extends ModuleTestCase
{
    private const GROUP = '0a1b2c3d-0000-4000-8000-0000000000a1';
    private const PARTNER = '0a1b2c3d-0000-4000-8000-0000000000b1';

    private function enableFileLog(): void
    {
        $log = $this->host->root() . '/acronis-cloud.log';
        $this->writeConfig([], "logger:\n  enabled: true\n  filename: \"$log\"\n  level: INFO\n");
    }

    private function versionFile(int $build): void
    {
        $this->host->writeFile('includes/Acronis/Vers.ion', "[module]\nmajor_version=1\nminor_version=0\nbuild_number=$build\n");
    }

    /** Seeds the v1 groups/users on the simulator; returns the user's uuid. */
    private function seedV1(): string
    {
        $info = $this->sim->control('POST', 'seed', [
            'tenants' => [
                ['id' => self::GROUP, 'name' => 'Legacy Customer', 'kind' => 'customer', 'v1_id' => 33001],
                ['id' => self::PARTNER, 'name' => 'Legacy Reseller', 'kind' => 'partner', 'v1_id' => 31001],
            ],
            'users' => [['login' => 'jdoe', 'tenant_id' => self::GROUP, 'v1_id' => 5002]],
        ]);
        $this->assertArrayHasKey('root_tenant_id', $info);
        $user = $this->sim->control('GET', 'state/logins/jdoe')['user_id'];
        return $user;
    }

    /** A v1 server (login/password, as v1 kept it) named "Acronis EU2"; returns its id. */
    private function addV1Server(): int
    {
        $seed = $this->sim->seed();
        $this->secrets[] = $seed['admin']['password'];
        $this->secrets[] = $seed['client']['client_secret'];
        return (int) $this->host->ok('server:add', [
            'name' => 'Acronis EU2', 'hostname' => 'localhost', 'port' => (string) $this->sim->port(), 'secure' => 'on',
            'username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => '',
            'type' => 'AcronisBackupService', 'no-hook' => true,
        ])['serverid'];
    }

    /** The L83 product; `$settings` overrides configoptionN. Returns its id. */
    private function addV1Product(string $name, array $settings = []): int
    {
        $infra = $this->sim->seed()['infras'][0]['name'];
        $settings += [
            1 => '10', 2 => '100', 3 => '', 4 => "[Acronis EU2] $infra (eu2-cloud.acronis.com)", 5 => '', 6 => '', 7 => '',
            8 => 'Customer', 9 => '', 10 => 'enabled', 11 => 'Send an email message', 12 => 'gb', 13 => '', 14 => '',
        ];
        $args = ['name' => $name, 'module' => 'AcronisBackupService'];
        foreach ($settings as $n => $v) {
            $args["configoption$n"] = $v;
        }
        return (int) $this->host->ok('product:add', $args)['pid'];
    }

    private function addV1Service(int $pid, int $server, array $fields): int
    {
        $custom = [];
        foreach ($fields as $k => $v) {
            $custom[] = "$k=$v";
        }
        return (int) $this->host->ok('service:add', ['pid' => $pid, 'server' => $server, 'status' => 'Active', 'customfield' => $custom])['serviceid'];
    }

    private function fieldValues(int $serviceId): array
    {
        $rows = $this->host->sql('SELECT f.fieldname, v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? ORDER BY f.fieldname', [$serviceId]);
        return array_column($rows, 'value', 'fieldname');
    }

    private function snapshot(): array
    {
        $tables = ['tblservers', 'tblproducts', 'tblcustomfields', 'tblcustomfieldsvalues', 'tblproductconfigoptions'];
        $out = [];
        foreach ($tables as $t) {
            $out[$t] = $this->host->sql("SELECT * FROM $t ORDER BY id");
        }
        return $out;
    }

    public function testL81V1TooOld(): void
    {
        $this->enableFileLog();
        $this->versionFile(34);
        $this->addV1Server();
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertNotSame(0, $r['exit']);
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertSame(
            'Cannot upgrade products and services. Error: Direct upgrade from the current version 1.0.0-34 to the new version '
            . \AcronisCloud\AcronisServer::version() . ' is not supported. Please upgrade the module to the version 1.0.0-177 first.',
            $r['json']['result']['description']
        );
        $this->assertSame([], $this->calls(), 'the pre-checks come before any Cloud call');
        $this->assertSame('AcronisBackupService', $this->host->sql('SELECT type FROM tblservers')[0]['type']);
    }

    public function testL82V1MigrationRequiresFileLogging(): void
    {
        $this->versionFile(177);
        $this->addV1Server();
        $this->addV1Product('Backup 100');
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertSame(
            'Cannot upgrade products and services. Error: Logging is not enabled for the module. To enable it, please refer to the Upgrade section in the module documentation.',
            $r['json']['result']['description']
        );
    }

    public function testL83V1ProductMigration(): void
    {
        $this->enableFileLog();
        $this->versionFile(177);
        $user = $this->seedV1();
        $server = $this->addV1Server();
        $pid = $this->addV1Product('Backup 100');
        $sid = $this->addV1Service($pid, $server, ['GroupID' => '33001', 'AdminID' => '5002', 'Login' => 'jdoe-old']);
        $this->host->ok('sql', ['CREATE TABLE AcronisBackupService_modulevars (id INTEGER PRIMARY KEY, setting VARCHAR(255), value TEXT)']);
        // A v1 configurable option group linked to the product.
        $this->host->ok('sql', ["INSERT INTO tblproductconfiggroups (name, description) VALUES ('Backup options', '')"]);
        $gid = (int) $this->host->sql("SELECT id FROM tblproductconfiggroups WHERE name = 'Backup options'")[0]['id'];
        $this->host->ok('sql', ['INSERT INTO tblproductconfiglinks (gid, pid) VALUES (?, ?)', 'bind' => [$gid, $pid]]);
        foreach (['Cloud Storage' => 'TB', 'Workstations' => '1', 'Something else' => 'x'] as $name => $sub) {
            $this->host->ok('sql', ["INSERT INTO tblproductconfigoptions (gid, optionname, optiontype, qtyminimum, qtymaximum, `order`, hidden) VALUES (?, ?, 4, 0, 0, 0, 0)", 'bind' => [$gid, $name]]);
            $cid = (int) $this->host->sql('SELECT id FROM tblproductconfigoptions WHERE optionname = ?', [$name])[0]['id'];
            $this->host->ok('sql', ['INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, ?, 0, 0)', 'bind' => [$cid, $sub]]);
        }

        $r = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame(['status' => 'info', 'description' => 'Module was successfully upgraded.'], $r['activate']);

        // Server: an acroniscloud server with an API client now.
        $row = $this->serverRow($server);
        $this->assertSame('acroniscloud', $row['type']);
        $this->assertSame('client_credentials', $row['accesshash']);
        $client = $this->sim->api('GET', '/api/2/clients/' . $row['username']);
        $this->assertSame($this->sim->seed()['root_tenant_id'], $client['json']['tenant_id'] ?? $client['tenant_id'] ?? null);

        // Product: settings cleared, template + e-mail activation.
        $p = $this->host->sql('SELECT * FROM tblproducts WHERE id = ?', [$pid])[0];
        $this->assertSame('acroniscloud', $p['servertype']);
        $this->assertSame('email', $p['configoption2']);
        for ($i = 3; $i <= 24; $i++) {
            $this->assertSame('', (string) $p["configoption$i"], "configoption$i cleared");
        }
        $templateId = (int) $p['configoption1'];
        $this->assertGreaterThan(0, $templateId);

        // Service: the new fields carry the v1 group/user; the v1 fields are gone.
        $this->assertSame(
            ['cloud_login|Cloud Login (optional)' => 'jdoe', 'tenant_id|Tenant ID' => self::GROUP, 'user_id|User ID' => $user],
            $this->fieldValues($sid)
        );
        $names = array_column($this->host->sql("SELECT fieldname FROM tblcustomfields WHERE type = 'product' AND relid = ? ORDER BY fieldname", [$pid]), 'fieldname');
        $this->assertSame(['cloud_login|Cloud Login (optional)', 'tenant_id|Tenant ID', 'user_id|User ID'], $names);

        // Options renamed to the new format; others untouched.
        $this->assertSame(
            ['storage:terabytes:|Cloud Storage', 'workstations:quantity:|Workstations', 'Something else'],
            array_column($this->host->sql('SELECT optionname FROM tblproductconfigoptions WHERE gid = ? ORDER BY id', [$gid]), 'optionname')
        );
        $this->assertNotContains('AcronisBackupService_modulevars', $this->host->ok('schema:tables'), 'v1 table dropped');

        // Template: customer/admin on the server, backup/standard with the two items.
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $admin = new AdminHttp($this->host->serve());
        $t = $admin->api('GET', 'get_template', ['template_id' => $templateId])['json'];
        $this->host->stopServer();
        $this->assertSame(['Backup 100', 'customer', 'admin', $server], [$t['name'], $t['tenant_kind'], $t['user_role'], $t['server_id']]);
        $app = $t['applications'][0];
        $this->assertSame(['backup', 'active', [['name' => 'standard', 'status' => 'active']]], [$app['type'], $app['status'], $app['editions']]);
        $items = array_map(fn ($i) => [$i['name'], $i['infra_id'], $i['quota_value']], $app['offering_items']);
        $this->assertSame([['workstations', null, 10], ['storage', $this->sim->seed()['infras'][0]['id'], 107374182400]], $items);
        $this->assertNoSecretIn('activity log', json_encode($this->host->activityLog()));

        // The migrated service keeps working with this module (manual: upgrade from 1.0).
        $this->sim->clearRequests();
        $this->assertSame(true, $this->host->run('module:suspend', [$sid])['json']['ok']);
        $this->assertFalse($this->sim->api('GET', '/api/2/tenants/' . self::GROUP)['enabled']);
        $this->assertSame(true, $this->host->run('module:unsuspend', [$sid])['json']['ok']);
        $this->assertTrue($this->sim->api('GET', '/api/2/tenants/' . self::GROUP)['enabled']);
        $sync = $this->host->run('module:changepackage', [$sid]);
        $this->assertTrue($sync['json']['ok'] ?? false, json_encode($sync['json']));
        $active = [];
        foreach ($this->sim->api('GET', '/api/2/tenants/' . self::GROUP . '/offering_items?edition=*')['items'] as $i) {
            if ($i['status'] === 1 && $i['name'] === 'workstations') {
                $active[] = $i['quota']['value'];
            }
        }
        $this->assertSame([10], $active, 'the migrated template applies to the v1 tenant');
        $this->assertSame($user, $this->fieldValues($sid)['user_id|User ID'], 'the v1 user is kept, no new one');
        $this->assertSame([], array_values(array_filter($this->sim->requests(), static fn ($r) => $r['method'] === 'POST' && in_array($r['path'], ['/api/2/tenants', '/api/2/users'], true))));
    }

    public function testUnreadableVersionFileAbortsActivation(): void
    {
        $this->enableFileLog();
        $this->addV1Server();
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertStringStartsWith(
            'Cannot upgrade products and services. Error: Cannot read the version file "' . $this->host->root() . '/includes/Acronis/Vers.ion" of the previous module.',
            $r['json']['result']['description']
        );
    }

    public function testUnknownStorageAbortsWithNothingHalfMigrated(): void
    {
        $this->enableFileLog();
        $this->versionFile(177);
        $this->seedV1();
        $server = $this->addV1Server();
        $good = $this->addV1Product('Backup 100');
        $this->addV1Service($good, $server, ['GroupID' => '33001', 'AdminID' => '5002']);
        $this->addV1Product('Backup Gone', [4 => '[Acronis EU2] Retired storage (eu2-cloud.acronis.com)']);
        $before = $this->snapshot();

        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertSame(
            'Cannot upgrade products and services. Error: Cannot find an infrastructure component with the name "Retired storage" in Acronis Cyber Cloud. Please open the product "Backup Gone" and update the module setting "Storage".',
            $r['json']['result']['description']
        );
        $this->assertEquals($before, $this->snapshot(), 'the first product is not migrated alone');
        $this->assertNotContains('POST /api/2/clients', $this->calls(), 'no API client created');
    }

    public function testUnknownGroupAndServiceWithoutGroup(): void
    {
        $this->enableFileLog();
        $this->versionFile(177);
        $this->seedV1();
        $server = $this->addV1Server();
        $pid = $this->addV1Product('Backup 100');
        $this->addV1Service($pid, $server, ['GroupID' => '', 'AdminID' => '']);
        $missing = $this->addV1Service($pid, $server, ['GroupID' => '424242', 'AdminID' => '5002']);
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertSame(
            "Cannot upgrade products and services. Error: Cannot find group 424242 at server Acronis EU2. Please check server ID for service $missing or empty/update custom field \"GroupID\" if the group was manually deleted.",
            $r['json']['result']['description']
        );
        // The admin empties the field as the manual says: the migration then goes through.
        $this->host->ok('sql', ["UPDATE tblcustomfieldsvalues SET value = '' WHERE relid = ?", 'bind' => [$missing]]);
        $ok = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame('info', $ok['activate']['status']);
        $this->assertSame(
            'Module was successfully upgraded with warnings. Warnings: [1] There is no group ID specified for product Backup 100.  [2] There is no group ID specified for product Backup 100.',
            $ok['activate']['description']
        );
        // A second activation has nothing left to migrate.
        $again = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame('success', $again['activate']['status']);
    }
}
