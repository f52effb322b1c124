<?php

namespace AcronisCloud\Tests\Storage;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Usage\UsageTestCase;
use WhmcsHost\Testing\TestDatabases;
use WhmcsHost\Testing\WhmcsHost;

/**
 * The module's data in a real MariaDB (suite `mariadb`, run by `make test-php-mariadb` with
 * WHMCS_DB_DSN set): the activation's privilege check (L79), a read-only database user, the
 * same cron on two web nodes sharing one database, a database backup restored elsewhere, and
 * the database failing under the module (connection lost, lock wait timeout).
 */
final class MariaDbStorageTest extends UsageTestCase
{
    private function moduleTables(): array
    {
        $rows = $this->host->pdo()->query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'acroniscloud\\_%'")->fetchAll(\PDO::FETCH_COLUMN);
        sort($rows);
        return $rows;
    }

    public function testL79ActivationWithoutCreateRightCreatesNothing(): void
    {
        $this->assertSame([], $this->moduleTables());
        $user = $this->connectAs(TestDatabases::without('CREATE', 'ALTER'));
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertNotSame(0, $r['exit'], 'WHMCS reports the failed activation');
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertSame("Current database user($user@%) has missing rights: CREATE, ALTER", $r['json']['result']['description']);
        $this->assertSame([], $this->moduleTables(), 'nothing is created');
    }

    public function testReadOnlyDatabaseUserGetsAClearErrorAndNothingIsWritten(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $this->connectAs(['SELECT']);
        $admin = new AdminHttp($this->host->serve());
        $this->assertSame(200, $admin->api('GET', 'list_templates')['status'], 'reading still works');
        $r = $admin->api('POST', 'create_template', [], ['name' => 'Nope', 'description' => '', 'server_id' => $this->server,
            'tenant_kind' => 'customer', 'user_role' => 'admin', 'applications' => [['type' => 'backup', 'status' => 'active',
            'editions' => [['name' => 'per_workload', 'status' => 'active']], 'offering_items' => [['name' => 'pw_workstations',
            'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 1, 'status' => 'active']]]]]);
        $this->host->stopServer();
        $this->assertSame(500, $r['status']);
        $this->assertStringContainsString('lacks a right the module needs', $r['json']['error']['message']);
        $this->assertSame([], $this->host->sql('SELECT id FROM acroniscloud_service_templates'));
        $this->assertSame([], $this->host->sql('SELECT id FROM acroniscloud_service_template_applications'), 'no half-written tree');
    }

    public function testTwoNodesRunningTheSameCronOrderAndDownloadEachDayOnce(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 7]]);
        $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $node2 = $this->secondNode();
        // A slow order makes the two runs overlap where it matters.
        $this->sim->faults([['kind' => 'latency', 'method' => 'POST', 'path' => '/api/2/reports', 'ms' => 300]]);
        $days = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06'];
        $runs = 0;
        foreach ($days as $day) {
            $this->today = $day;
            $a = WhmcsHost::open($this->host->root(), ['env' => $this->env()]);
            $b = WhmcsHost::open($node2->root(), ['env' => $this->env()]);
            for ($i = 0; $i < 3; $i++) {
                $out = WhmcsHost::runAtOnce([[$a, 'hook:run', ['AfterCronJob', 'context' => 'cron']], [$b, 'hook:run', ['AfterCronJob', 'context' => 'cron']]]);
                foreach ($out as $r) {
                    $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
                }
                $runs += 2;
            }
            $rows = $this->host->sql('SELECT id, status FROM acroniscloud_service_reports WHERE datacenter_id = ? AND date = ?', [$this->server, $day]);
            $this->assertCount(1, $rows, "one report row for $day");
            $this->assertSame('4', (string) $rows[0]['status'], "the report of $day is stored");
        }
        $this->assertSame(count($days), $this->countCalls('POST', '~^/api/2/reports$~'), "$runs cron runs, one order per day");
        $this->assertSame(count($days), $this->countCalls('GET', '~^/api/2/reports/[^/]+/stored/[^/]+$~'), 'one download per day');
        $this->assertSame(['pw_workstations' => 7.0], $this->billed($tenant));
    }

    public function testABackupRestoredIntoAnotherDatabaseHasEverything(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $tenant = $this->tenant('customer', [['pw_workstations', null, 5]]);
        $service = $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $this->cron('AfterCronJob');
        $this->cron('AfterCronJob');
        $this->host->ok('sql', ["INSERT INTO acroniscloud_provisioning_progress (service_id, server_id, template_id, tenant_id, user_id, step, option_groups, module_tenant) VALUES (?, ?, 3, ?, 'u-1', 'done', '', 1)",
            'bind' => [$service, $this->server, $tenant]]);
        $this->host->ok('sql', ["INSERT INTO acroniscloud_service_templates (name, description, server_id, tenant_kind, user_role, mode) VALUES ('Backed up', '', ?, 'customer', 'admin', 'trial')",
            'bind' => [$this->server]]);
        $before = $this->provider();
        $restored = $this->restoredFromBackup();
        $this->host = $restored;
        $this->assertSame($before, $this->provider(), 'usage() answers the same from the restored database');
        $this->assertSame('Backed up', $restored->sql("SELECT name FROM acroniscloud_service_templates WHERE mode = 'trial'")[0]['name']);
        $this->assertSame('done', $restored->sql('SELECT step FROM acroniscloud_provisioning_progress WHERE service_id = ?', [$service])[0]['step']);
        $field = $restored->sql("SELECT v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.fieldname LIKE 'tenant_id%'", [$service]);
        $this->assertSame($tenant, $field[0]['value'], 'service fields are in the backup');
        $this->assertSame('4', (string) $restored->sql('SELECT status FROM acroniscloud_service_reports')[0]['status']);
    }

    public function testALostConnectionIsAClearErrorAndTheNextRequestWorks(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $pdo = $this->host->pdo();
        $db = new \AcronisCloud\Whmcs\Database($pdo);
        $id = (int) $pdo->query('SELECT CONNECTION_ID()')->fetchColumn();
        $this->databases()->admin()->exec("KILL CONNECTION $id");
        try {
            \AcronisCloud\TemplateStore::list(['db' => $db]);
            $this->fail('a lost connection must fail');
        } catch (\AcronisCloud\Exception $e) {
            $this->assertStringContainsString('connection to the WHMCS database was lost', $e->getMessage());
        }
        $this->assertSame([], \AcronisCloud\TemplateStore::list(['db' => new \AcronisCloud\Whmcs\Database($this->host->pdo())]));
    }

    public function testALockHeldByAnotherNodeTimesOutWithoutHalfAWrite(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 5]]);
        $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $this->cron('AfterCronJob');
        $this->cron('AfterCronJob');
        $this->assertCount(1, $this->host->sql('SELECT tenant_id FROM acroniscloud_usage_tenant_days'));
        // Another node holds a lock on the report row.
        $other = $this->host->pdo();
        $other->beginTransaction();
        $other->query('SELECT * FROM acroniscloud_service_reports FOR UPDATE')->fetchAll();
        $mine = $this->host->pdo();
        $mine->exec('SET SESSION innodb_lock_wait_timeout = 1');
        try {
            \AcronisCloud\UsageMetrics::flushAll(['db' => new \AcronisCloud\Whmcs\Database($mine), 'storage_dir' => $this->host->root() . '/downloads']);
            $this->fail('flushall must not succeed while the rows are locked');
        } catch (\AcronisCloud\Exception $e) {
            $this->assertStringContainsString('The database was busy; nothing was changed', $e->getMessage());
        } finally {
            $other->rollBack();
        }
        $this->assertCount(1, $this->host->sql('SELECT tenant_id FROM acroniscloud_usage_tenant_days'), 'the per-tenant days were not deleted alone');
        $this->assertCount(1, $this->host->sql('SELECT id FROM acroniscloud_service_reports'));
    }
}
