<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * The admin API through the real addon `_output` glue in an emulated WHMCS request
 * (docs/behaviour.md L43-L45): WHMCS tables, session, access rows and server rows.
 */
final class AdminGlueTest extends ModuleTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
    }

    /** Runs `_output` with `$get`; returns [decoded JSON, raw output]. */
    private function output(array $get): array
    {
        $r = $this->host->run('module:call', ['output', 'module' => 'acroniscloud', 'addon' => true, 'get' => $get]);
        $out = $r['json']['output'] ?? '';
        return [json_decode($out, true), $out];
    }

    public function testL43ListServers(): void
    {
        $one = $this->addServer(['name' => 'Acronis EU2']);
        $two = $this->addServer(['name' => 'Acronis old']);
        $this->host->ok('sql', ['UPDATE tblservers SET disabled = 1 WHERE id = ?', 'bind' => [$two]]);
        $this->host->ok('server:add', ['name' => 'Web', 'hostname' => 'web.example', 'username' => 'u', 'password' => 'p', 'type' => 'cpanel', 'no-hook' => true]);
        [$json] = $this->output(['action' => 'list_servers']);
        $this->assertSame([
            ['id' => $one, 'name' => 'Acronis EU2', 'hostname' => 'localhost', 'status' => 'active'],
            ['id' => $two, 'name' => 'Acronis old', 'hostname' => 'localhost', 'status' => 'inactive'],
        ], $json);
    }

    public function testL44MissingServerId(): void
    {
        [$json] = $this->output(['action' => 'get_applications']);
        $this->assertSame(['error' => ['code' => 400, 'message' => 'Server ID must be present.',
            'details' => ['request_params' => ['server_id' => null], 'error_code' => 'service_template_no_server_id']]], $json);
    }

    public function testL45ApplicationsList(): void
    {
        $id = $this->addServer();
        [$json, $raw] = $this->output(['action' => 'get_applications', 'server_id' => (string) $id]);
        $this->assertIsArray($json, $raw);
        $types = array_column($json, 'type');
        $this->assertNotContains('platform', $types, 'platform is never offered');
        $this->assertSame('backup', $types[0], 'catalog order');
        $hci = array_values(array_filter($json, fn ($a) => $a['type'] === 'hci'))[0];
        $this->assertSame(['partner'], $hci['tenant_kinds']);
        $this->assertSame([], $hci['editions']);
        $backup = $json[0];
        $this->assertSame(['partner', 'customer'], $backup['tenant_kinds']);
        $this->assertSame('per_workload', $backup['editions'][0], 'editions in catalog order');
        $this->assertContains('per_gigabyte', $backup['editions']);
    }

    public function testOfferingItemsCarryKindsAndLocations(): void
    {
        $id = $this->addServer();
        [$json, $raw] = $this->output(['action' => 'get_offering_items', 'server_id' => (string) $id]);
        $this->assertIsArray($json, $raw);
        $storage = array_values(array_filter($json, fn ($i) => $i['name'] === 'pw_storage'));
        $this->assertNotEmpty($storage);
        foreach ($storage as $item) {
            $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $item['infra_id']);
            $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $item['location_id']);
            $this->assertSame('bytes', $item['measurement_unit']);
            $this->assertSame('backup', $item['application_type']);
        }
        $names = array_column($json, 'name');
        $this->assertLessThan(array_search('pw_storage', $names, true), array_search('pw_workstations', $names, true), 'catalog order');
    }

    public function testNoAccessRowMeansNoAccess(): void
    {
        $this->host->ok('sql', ["DELETE FROM tbladdonmodules WHERE module = 'acroniscloud' AND setting = 'access'"]);
        [$json] = $this->output(['action' => 'list_servers']);
        $this->assertSame(403, $json['error']['code']);
    }

    public function testPageWithoutAction(): void
    {
        [, $raw] = $this->output([]);
        $this->assertStringContainsString('<div id="acroniscloud-admin">', $raw);
        $this->assertStringContainsString('requires JavaScript enabled', $raw);
        $this->assertStringContainsString('assets/admin.js?v=' . \AcronisCloud\AcronisServer::version(), $raw);
        $this->assertStringContainsString('"strings":{}', $raw, 'English needs no translations');
    }

    public function testPageCarriesTheAdminsLanguage(): void
    {
        $this->host->ok('sql', ["UPDATE tbladmins SET language = 'german' WHERE id = 1"]);
        [, $raw] = $this->output([]);
        $this->assertStringContainsString('"locale":"de', $raw);
        $this->assertMatchesRegularExpression('/"General info":"[^"]+"/', $raw);
        $this->assertStringNotContainsString('"General info":"General info"', $raw);
    }
}
