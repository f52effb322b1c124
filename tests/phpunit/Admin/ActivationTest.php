<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;

/** Addon activation, upgrade from 2.x, and concurrent template writers (L80, §I.1). */
final class ActivationTest extends ModuleTestCase
{
    public function testL80FreshActivation(): void
    {
        $r = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame(['status' => 'success', 'description' => 'Acronis Cyber Cloud addon activated successfully.'], $r['activate']);
        $this->assertFileExists($this->host->root() . '/downloads/acroniscloud/templates.sqlite', 'templates live in the WHMCS downloads storage');
        // Deactivation keeps the data.
        $this->host->ok('module:call', ['deactivate', 'module' => 'acroniscloud', 'addon' => true]);
        $this->assertFileExists($this->host->root() . '/downloads/acroniscloud/templates.sqlite');
    }

    /**
     * L79, adapted: templates live in a SQLite file in the WHMCS storage, so activation needs
     * write access there (not the CREATE privilege); without it activation fails clearly and
     * creates nothing.
     */
    public function testL79ActivationReportsMissingStorageRights(): void
    {
        $blocker = $this->host->root() . '/not-a-directory';
        file_put_contents($blocker, 'x');
        $this->host->ok('sql', ["UPDATE tblstorageconfigurations SET settings = ?", 'bind' => [json_encode(['local_path' => $blocker])]]);
        $r = $this->host->run('addon:activate', ['acroniscloud']);
        $this->assertNotSame(0, $r['exit'], 'WHMCS reports the failed activation');
        $this->assertSame('error', $r['json']['result']['status']);
        $this->assertStringContainsString('Cannot create the directory ' . $blocker, $r['json']['result']['description']);
        $this->assertFileDoesNotExist($this->host->root() . '/downloads/acroniscloud/templates.sqlite');
    }

    public function testUpgradeFromTheReferenceModuleImportsItsTemplates(): void
    {
        // An admin replaces the 2.x files: the addon stays "active" with the old version.
        $this->createReferenceTables();
        $this->host->ok('addon:set', ['acroniscloud', 'version', '2.2.2-200']);
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $this->addServer();
        $admin = new AdminHttp($this->host->serve());
        $this->assertSame([7], array_column($admin->api('GET', 'list_templates')['json'], 'id'), '_upgrade ran on the first visit');
        $this->assertSame(\AcronisCloud\AcronisServer::version(), $this->host->sql("SELECT value FROM tbladdonmodules WHERE module = 'acroniscloud' AND setting = 'version'")[0]['value']);
        $this->host->stopServer();
    }

    private function createReferenceTables(): string
    {
        $infra = $this->sim->seed()['infras'][0]['id'];
        foreach ([
            'CREATE TABLE acroniscloud_service_templates (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, description VARCHAR(1024) NOT NULL, server_id INTEGER NOT NULL, tenant_kind VARCHAR(16) NOT NULL, user_role VARCHAR(16) NOT NULL, deleted_at TIMESTAMP NULL, created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL)',
            'CREATE TABLE acroniscloud_service_template_applications (id INTEGER PRIMARY KEY, type VARCHAR(255) NOT NULL, editions VARCHAR(1024) NOT NULL, status VARCHAR(16) NOT NULL, template_id INTEGER NOT NULL)',
            'CREATE TABLE acroniscloud_service_template_offering_items (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, infra_id VARCHAR(36) NULL, status VARCHAR(16) NOT NULL, measurement_unit VARCHAR(255) NOT NULL, quota_value BIGINT NULL, template_application_id INTEGER NOT NULL)',
            "INSERT INTO acroniscloud_service_templates VALUES (7, 'Legacy PW', 'from 2.x', 1, 'customer', 'admin', NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            "INSERT INTO acroniscloud_service_templates VALUES (8, 'Deleted one', '', 1, 'customer', 'admin', '2024-02-01 00:00:00', NULL, NULL)",
            "INSERT INTO acroniscloud_service_template_applications VALUES (70, 'backup', '[{\"name\":\"per_workload\",\"status\":\"active\"}]', 'active', 7)",
            "INSERT INTO acroniscloud_service_template_offering_items VALUES (700, 'pw_workstations', NULL, 'active', 'quantity', 10, 70)",
            "INSERT INTO acroniscloud_service_template_offering_items VALUES (701, 'pw_storage', '$infra', 'active', 'bytes', 107374182400, 70)",
        ] as $sql) {
            $this->host->ok('sql', [$sql]);
        }
        return $infra;
    }

    public function testActivationImportsTheReferenceModuleTemplates(): void
    {
        $infra = $this->createReferenceTables();
        $r = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertSame('success', $r['activate']['status']);
        $this->assertStringContainsString('Templates imported from the previous version: 2', $r['activate']['description']);
        $again = $this->host->ok('addon:activate', ['acroniscloud']);
        $this->assertStringContainsString('imported from the previous version: 0; already present: 2', $again['activate']['description']);

        $this->addServer();
        $admin = new AdminHttp($this->host->serve());
        $list = $admin->api('GET', 'list_templates')['json'];
        $this->assertSame([[7, 'Legacy PW']], array_map(fn ($t) => [$t['id'], $t['name']], $list), 'ids kept, deleted ones stay deleted');
        $t = $admin->api('GET', 'get_template', ['template_id' => 7])['json'];
        $this->assertSame(107374182400, $t['applications'][0]['offering_items'][1]['quota_value']);
        $this->assertSame($infra, $t['applications'][0]['offering_items'][1]['infra_id']);
        $this->host->stopServer();
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
