<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * Addon activation and upgrade (L80, §A.13, §I.1): the module's tables live in the WHMCS
 * database; a 2.x installation's tables are used in place; an earlier version's SQLite files
 * are imported once and left untouched; concurrent template writers lose nothing.
 * (L79, the missing CREATE right, needs database users: see the MariaDB suite.)
 */
final class ActivationTest extends ModuleTestCase
{
    private const TABLES = [
        'acroniscloud_audit', 'acroniscloud_leases', 'acroniscloud_provisioning_progress', 'acroniscloud_schema',
        'acroniscloud_service_owners', 'acroniscloud_service_report_storage', 'acroniscloud_service_reports',
        'acroniscloud_service_template_applications', 'acroniscloud_service_template_offering_items',
        'acroniscloud_service_templates', 'acroniscloud_usage_tenant_days',
    ];

    private function mysql(): bool
    {
        return str_starts_with((string) getenv('WHMCS_DB_DSN'), 'mysql') || str_starts_with((string) getenv('WHMCS_DB_DSN'), 'mariadb');
    }

    /** The module's tables in the WHMCS database. */
    private function moduleTables(): array
    {
        $rows = $this->mysql()
            ? $this->host->sql("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'acroniscloud\\_%'")
            : $this->host->sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'acroniscloud%'");
        $names = array_map(fn ($r) => (string) ($r['name'] ?? $r['NAME'] ?? ''), $rows);
        sort($names);
        return $names;
    }

    public function testL80FreshActivation(): void
    {
        $r = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame(['status' => 'success', 'description' => 'Acronis Cyber Cloud addon activated successfully.'], $r['activate']);
        $this->assertSame(self::TABLES, $this->moduleTables(), 'the 2.x tables and the module\'s own, in the WHMCS database');
        $this->assertFileDoesNotExist($this->host->root() . '/downloads/acroniscloud/templates.sqlite', 'no SQLite file in production');
        $this->assertSame('3', (string) $this->host->sql("SELECT version FROM acroniscloud_schema WHERE component = 'schema'")[0]['version']);
        // Deactivation keeps the data.
        $this->host->ok('module:call', ['deactivate', 'module' => 'acroniscloud', 'addon' => true]);
        $this->assertSame(self::TABLES, $this->moduleTables());
    }

    public function testActivationOverANewerSchemaChangesNothing(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->host->ok('sql', ["UPDATE acroniscloud_schema SET version = 99 WHERE component = 'schema'"]);
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertStringContainsString('schema version 99, newer than this module knows', $r['json']['result']['description']);
        $this->assertSame('99', (string) $this->host->sql("SELECT version FROM acroniscloud_schema WHERE component = 'schema'")[0]['version']);
    }

    public function testUpgradeFromTheReferenceModuleUsesItsTablesInPlace(): void
    {
        // An admin replaces the 2.x files: the addon stays "active" with the old version.
        $this->createReferenceTables();
        $this->host->ok('sql', ["INSERT INTO acroniscloud_service_reports (id, date, datacenter_id, status) VALUES (3, '2024-05-30', 1, 4)"]);
        $this->host->ok('addon:set', ['acroniscloud', 'version', '2.1.0-150']);
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $this->addServer();
        $admin = new AdminHttp($this->host->serve());
        $this->assertSame([7], array_column($admin->api('GET', 'list_templates')['json'], 'id'), '_upgrade ran on the first visit');
        $this->assertSame(\AcronisCloud\AcronisServer::version(), $this->host->sql("SELECT value FROM tbladdonmodules WHERE module = 'acroniscloud' AND setting = 'version'")[0]['value']);
        $this->assertSame('7', (string) $this->host->sql('SELECT status FROM acroniscloud_service_reports WHERE id = 3')[0]['status'], 'reports downloaded before 2.2.0-183 are to be deleted');
        $this->host->stopServer();
    }

    private function createReferenceTables(): string
    {
        $infra = $this->sim->seed()['infras'][0]['id'];
        $auto = $this->mysql() ? 'INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY';
        $engine = $this->mysql() ? ' ENGINE=InnoDB' : '';
        foreach ([
            "CREATE TABLE acroniscloud_service_templates (id $auto, name VARCHAR(255) NOT NULL, description VARCHAR(1024) NOT NULL, server_id INT NOT NULL, tenant_kind VARCHAR(16) NOT NULL, user_role VARCHAR(16) NOT NULL, deleted_at TIMESTAMP NULL, created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL, legacy_note VARCHAR(20) NULL)$engine",
            "CREATE TABLE acroniscloud_service_template_applications (id $auto, type VARCHAR(255) NOT NULL, editions VARCHAR(255) NOT NULL, status VARCHAR(16) NOT NULL, template_id INT NOT NULL)$engine",
            "CREATE TABLE acroniscloud_service_template_offering_items (id $auto, name VARCHAR(255) NOT NULL, infra_id VARCHAR(36) NULL, status VARCHAR(16) NOT NULL, measurement_unit VARCHAR(255) NOT NULL, quota_value BIGINT NULL, template_application_id INT NOT NULL)$engine",
            "CREATE TABLE acroniscloud_service_reports (id $auto, date DATE NOT NULL, datacenter_id INT NOT NULL, status INT NOT NULL, report_id VARCHAR(36) NULL, stored_report_id VARCHAR(36) NULL, file_path VARCHAR(255) NULL, instance_id INT NULL, created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL)$engine",
            "INSERT INTO acroniscloud_service_templates (id, name, description, server_id, tenant_kind, user_role, deleted_at, created_at, updated_at) VALUES (7, 'Legacy PW', 'from 2.x', 1, 'customer', 'admin', NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            "INSERT INTO acroniscloud_service_templates (id, name, description, server_id, tenant_kind, user_role, deleted_at) VALUES (8, 'Deleted one', '', 1, 'customer', 'admin', '2024-02-01 00:00:00')",
            "INSERT INTO acroniscloud_service_template_applications VALUES (70, 'backup', '[{\"name\":\"per_workload\",\"status\":\"active\"}]', 'active', 7)",
            "INSERT INTO acroniscloud_service_template_offering_items VALUES (700, 'pw_workstations', NULL, 'active', 'quantity', 10, 70)",
            "INSERT INTO acroniscloud_service_template_offering_items VALUES (701, 'pw_storage', '$infra', 'active', 'bytes', 107374182400, 70)",
        ] as $sql) {
            $this->host->ok('sql', [$sql]);
        }
        return $infra;
    }

    public function testActivationUsesTheReferenceModuleTemplatesWithoutImport(): void
    {
        $infra = $this->createReferenceTables();
        $r = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame(['status' => 'success', 'description' => 'Acronis Cyber Cloud addon activated successfully.'], $r['activate']);
        $this->assertSame('from 2.x', $this->host->sql('SELECT description FROM acroniscloud_service_templates WHERE id = 7')[0]['description'], '2.x rows untouched');
        $this->assertNull($this->host->sql('SELECT mode FROM acroniscloud_service_templates WHERE id = 7')[0]['mode'], 'new columns are added, NULL for 2.x rows');

        $this->addServer();
        $admin = new AdminHttp($this->host->serve());
        $list = $admin->api('GET', 'list_templates')['json'];
        $this->assertSame([[7, 'Legacy PW']], array_map(fn ($t) => [$t['id'], $t['name']], $list), 'ids kept, deleted ones stay deleted');
        $t = $admin->api('GET', 'get_template', ['template_id' => 7])['json'];
        $this->assertSame('production', $t['mode'], 'a 2.x template reads as production');
        $this->assertSame(107374182400, $t['applications'][0]['offering_items'][1]['quota_value']);
        $this->assertSame($infra, $t['applications'][0]['offering_items'][1]['infra_id']);
        // A template written by this module is readable by the 2.x layout's columns too.
        $copy = $admin->api('POST', 'copy_template', ['template_id' => 7], ['name' => 'Copy of legacy']);
        $this->assertSame(200, $copy['status'], json_encode($copy['json']));
        $row = $this->host->sql('SELECT name, tenant_kind, user_role FROM acroniscloud_service_templates WHERE id = ?', [$copy['json']['id']])[0];
        $this->assertSame(['name' => 'Copy of legacy', 'tenant_kind' => 'customer', 'user_role' => 'admin'], $row);
        $this->host->stopServer();
    }

    /** Files of this project's earlier versions, as they kept them in the downloads storage. */
    private function writeEarlierFiles(): array
    {
        $dir = $this->host->root() . '/downloads/acroniscloud';
        @mkdir($dir, 0777, true);
        $t = new \PDO('sqlite:' . $dir . '/templates.sqlite');
        $t->exec("CREATE TABLE templates (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', server_id INTEGER NOT NULL, tenant_kind TEXT NOT NULL, user_role TEXT NOT NULL, mode TEXT NOT NULL DEFAULT 'production', management_mode TEXT NOT NULL DEFAULT 'self_service', two_factor_auth INTEGER NOT NULL DEFAULT 0, enhanced_security INTEGER NOT NULL DEFAULT 0, advanced_packs TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT NULL);
            CREATE TABLE template_applications (id INTEGER PRIMARY KEY AUTOINCREMENT, template_id INTEGER NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, editions TEXT NOT NULL DEFAULT '[]');
            CREATE TABLE template_offering_items (id INTEGER PRIMARY KEY AUTOINCREMENT, application_id INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, infra_id TEXT NULL, status TEXT NOT NULL, measurement_unit TEXT NOT NULL, quota_value INTEGER NULL);
            CREATE TABLE provisioning_progress (service_id BIGINT NOT NULL PRIMARY KEY, server_id BIGINT NOT NULL, template_id BIGINT NOT NULL, tenant_id VARCHAR(36) NOT NULL DEFAULT '', user_id VARCHAR(36) NOT NULL DEFAULT '', step VARCHAR(32) NOT NULL, option_groups VARCHAR(1024) NOT NULL DEFAULT '', module_tenant SMALLINT NOT NULL DEFAULT 0, updated_at VARCHAR(19) NOT NULL);
            PRAGMA user_version = 2;
            INSERT INTO templates VALUES (12, 'Trial partners', 'earlier build', 1, 'partner', 'admin', 'trial', 'self_service', 1, 0, '[]', '2026-01-02 03:04:05', '2026-01-02 03:04:05', NULL);
            INSERT INTO template_applications VALUES (1, 12, 0, 'backup', 'active', '[{\"name\":\"per_workload\",\"status\":\"active\"}]');
            INSERT INTO template_offering_items VALUES (1, 1, 0, 'pw_workstations', NULL, 'active', 'quantity', 25);
            INSERT INTO provisioning_progress VALUES (45, 1, 12, 'tenant-45', 'user-45', 'done', '2,3', 1, '2026-01-03 00:00:00');");
        $u = new \PDO('sqlite:' . $dir . '/usage.sqlite');
        $u->exec("CREATE TABLE usage_reports (id INTEGER PRIMARY KEY AUTOINCREMENT, server_id INTEGER NOT NULL, date TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 1, report_id TEXT NULL, stored_report_id TEXT NULL, file_path TEXT NULL, rows_read INTEGER NOT NULL DEFAULT 0, bad_rows INTEGER NOT NULL DEFAULT 0, tenants INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '', last_poll_at INTEGER NOT NULL DEFAULT 0, aggregated_at INTEGER NOT NULL DEFAULT 0, lease_owner TEXT NULL, lease_until INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE usage_tenant_days (tenant_id TEXT NOT NULL, date TEXT NOT NULL, server_id INTEGER NOT NULL, report_row INTEGER NOT NULL, metrics TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, date)) WITHOUT ROWID;
            INSERT INTO usage_reports VALUES (5, 1, '2026-01-03', 4, 'r', 's', '/x/5.csv.gz', 10, 0, 1, 0, '', 0, 1767400000, NULL, 0, '2026-01-03 01:00:00', '2026-01-03 01:00:00');
            INSERT INTO usage_tenant_days VALUES ('tenant-45', '2026-01-03', 1, 5, '{\"pw_workstations\":3.0}', 1767400000);");
        $t = $u = null;
        return [$dir . '/templates.sqlite', $dir . '/usage.sqlite'];
    }

    public function testUpgradeImportsTheEarlierSqliteFilesOnceAndLeavesThemUntouched(): void
    {
        $files = $this->writeEarlierFiles();
        $before = array_map('md5_file', $files);
        $this->host->ok('addon:set', ['acroniscloud', 'version', '0.0.9']);
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $this->addServer();
        $admin = new AdminHttp($this->host->serve());
        $list = $admin->api('GET', 'list_templates')['json'];
        $this->assertSame([[12, 'Trial partners']], array_map(fn ($t) => [$t['id'], $t['name']], $list), 'template id kept');
        $t = $admin->api('GET', 'get_template', ['template_id' => 12])['json'];
        $this->assertSame(['trial', true, 25], [$t['mode'], $t['two_factor_auth'], $t['applications'][0]['offering_items'][0]['quota_value']]);
        $this->host->stopServer();
        $progress = $this->host->sql('SELECT service_id, tenant_id, step, option_groups FROM acroniscloud_provisioning_progress');
        $this->assertSame([['service_id' => 45, 'tenant_id' => 'tenant-45', 'step' => 'done', 'option_groups' => '2,3']], array_map(fn ($r) => ['service_id' => (int) $r['service_id']] + array_diff_key($r, ['service_id' => 1]), $progress));
        $days = $this->host->sql('SELECT tenant_id, metrics FROM acroniscloud_usage_tenant_days');
        $this->assertSame([['tenant_id' => 'tenant-45', 'metrics' => '{"pw_workstations":3.0}']], $days);
        $this->assertSame('4', (string) $this->host->sql('SELECT status FROM acroniscloud_service_reports')[0]['status']);
        $this->assertSame($before, array_map('md5_file', $files), 'the files are left in place, untouched');
        // A second upgrade imports nothing again.
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertCount(1, $this->host->sql('SELECT id FROM acroniscloud_service_templates'));
        $this->assertCount(1, $this->host->sql('SELECT id FROM acroniscloud_service_reports'));
    }

    public function testParallelWritersLoseNothing(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $server = $this->addServer();
        $base = $this->host->serve(['workers' => 4]);
        $admin = new AdminHttp($base);
        $writers = 12;
        $multi = curl_multi_init();
        $handles = [];
        for ($i = 0; $i < $writers; $i++) {
            $body = json_encode([
                'name' => "Parallel $i", 'description' => '', 'server_id' => $server, 'tenant_kind' => 'partner', 'user_role' => 'admin',
                'applications' => [['type' => 'backup', 'status' => 'active', 'editions' => [['name' => 'per_workload', 'status' => 'active']],
                    'offering_items' => [['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => $i, 'status' => 'active']]]],
            ]);
            $ch = curl_init($base . '/admin/addonmodules.php?module=acroniscloud&action=create_template');
            curl_setopt_array($ch, [
                CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 120,
                CURLOPT_HTTPHEADER => ['Content-Type: application/json', 'X-CSRF-Token: ' . $admin->csrf],
                CURLOPT_COOKIEFILE => $admin->cookieFile(),
            ]);
            curl_multi_add_handle($multi, $ch);
            $handles[] = $ch;
        }
        do {
            curl_multi_exec($multi, $running);
            curl_multi_select($multi, 1.0);
        } while ($running > 0);
        $ids = [];
        foreach ($handles as $ch) {
            $this->assertSame(200, curl_getinfo($ch, CURLINFO_RESPONSE_CODE), (string) curl_multi_getcontent($ch));
            $ids[] = json_decode((string) curl_multi_getcontent($ch), true)['id'];
        }
        $this->assertCount($writers, array_unique($ids));
        $list = $admin->api('GET', 'list_templates')['json'];
        $this->assertCount($writers, $list);
        foreach ($ids as $id) {
            $t = $admin->api('GET', 'get_template', ['template_id' => $id])['json'];
            $this->assertCount(1, $t['applications'][0]['offering_items'], 'each tree is complete');
        }
        $this->host->stopServer();
    }
}
