<?php

namespace AcronisCloud\Tests\Usage;

/**
 * Reconciliation (issue 13): the admin action `reconciliation` (JSON and CSV) and the
 * "Reconciliation" page through the addon's `_output` glue, against the simulator: a tenant no
 * service uses, a service whose tenant was deleted, a disabled tenant behind an active service,
 * usage above the quota, a billed value that differs from the report, and an unreachable server
 * that does not stop the others.
 */
final class ReconciliationTest extends UsageTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
    }

    /** `_output` with `$get` as the admin (or `$session`); returns [decoded JSON, raw output]. */
    private function output(array $get, array $session = []): array
    {
        $r = $this->runner()->run('module:call', ['output', 'module' => 'acroniscloud', 'addon' => true, 'get' => $get, 'session' => $session]);
        // An API action ends the request with exit() after its answer, as WHMCS's addon pages do.
        $ended = $r['exit'] === 0 || ($r['json']['terminated'] ?? '') === 'exit';
        $this->assertTrue($ended, $r['stdout'] . $r['stderr']);
        $out = (string) ($r['json']['output'] ?? '');
        return [json_decode($out, true), $out];
    }

    /** The findings of `reconciliation` (optionally filtered). */
    private function findings(array $query = []): array
    {
        [$json, $raw] = $this->output(['action' => 'reconciliation'] + $query);
        $this->assertIsArray($json, $raw);
        $this->assertSame(count($json['findings']), $json['count']);
        return $json['findings'];
    }

    private static function ofKind(array $findings, string $kind, string $tenant): array
    {
        return array_values(array_filter($findings, static fn ($f) => $f['kind'] === $kind && $f['tenant_id'] === $tenant));
    }

    private function tenantVersion(string $id): int
    {
        return (int) $this->sim->api('GET', "/api/2/tenants/$id")['version'];
    }

    private function disable(string $id): void
    {
        $this->sim->api('PUT', "/api/2/tenants/$id", ['enabled' => false, 'version' => $this->tenantVersion($id)]);
    }

    public function testOrphanTenantIsFoundWithTheAdoptAction(): void
    {
        $orphan = $this->tenant('customer', []);
        $used = $this->tenant('customer', []);
        $this->service($used);
        $findings = $this->findings();
        $found = self::ofKind($findings, 'orphan_tenant', $orphan);
        $this->assertCount(1, $found);
        $this->assertSame($this->server, $found[0]['server_id']);
        $this->assertSame('adopt', $found[0]['actions'][0]['kind']);
        $this->assertStringContainsString('adopt_tenant_id=' . $orphan, $found[0]['actions'][0]['href']);
        $this->assertSame([], self::ofKind($findings, 'orphan_tenant', $used), 'a tenant with a service is no orphan');
    }

    public function testChildrenAreReadPageByPage(): void
    {
        $orphans = [$this->tenant('customer', []), $this->tenant('customer', []), $this->tenant('customer', [])];
        $this->sim->faults([['kind' => 'children_paging', 'page_size' => 1]]);
        $findings = $this->findings(['kind' => 'orphan_tenant']);
        foreach ($orphans as $orphan) {
            $this->assertCount(1, self::ofKind($findings, 'orphan_tenant', $orphan), 'found on a later page too');
        }
        $this->assertGreaterThanOrEqual(3, $this->countCalls('GET', '#^/api/2/tenants/[^/]+/children$#'));
    }

    public function testServiceWithDeletedTenant(): void
    {
        $gone = $this->tenant('customer', []);
        $service = $this->service($gone);
        $this->disable($gone);
        $this->sim->api('DELETE', "/api/2/tenants/$gone?version=" . $this->tenantVersion($gone));
        $found = self::ofKind($this->findings(), 'tenant_missing', $gone);
        $this->assertCount(1, $found);
        $this->assertSame($service, $found[0]['service_id']);
        $this->assertSame('open_service', $found[0]['actions'][0]['kind']);
        $this->assertSame("clientsservices.php?userid=1&id=$service", $found[0]['actions'][0]['href']);
        $terminated = $this->service($gone, 0, 1, 'Terminated');
        $this->assertCount(1, self::ofKind($this->findings(), 'tenant_missing', $gone), "a terminated service's tenant may be gone (#$terminated)");
    }

    public function testDisabledTenantOfAnActiveService(): void
    {
        $tenant = $this->tenant('customer', []);
        $this->service($tenant);
        $suspendedTenant = $this->tenant('customer', []);
        $this->service($suspendedTenant, 0, 1, 'Suspended');
        $this->disable($tenant);
        $this->disable($suspendedTenant);
        $findings = $this->findings();
        $this->assertCount(1, self::ofKind($findings, 'tenant_disabled', $tenant));
        $this->assertSame([], self::ofKind($findings, 'tenant_disabled', $suspendedTenant), 'a suspended service has a disabled tenant');
    }

    public function testOverQuota(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 5]]);
        $service = $this->service($tenant);
        $backup = $this->app('backup');
        $items = $this->sim->api('GET', "/api/2/tenants/$tenant/offering_items?edition=*")['items'];
        $item = array_values(array_filter($items, static fn ($i) => $i['name'] === 'pw_workstations'))[0];
        $this->sim->api('PUT', "/api/2/tenants/$tenant/offering_items", ['offering_items' => [
            ['application_id' => $backup, 'name' => 'pw_workstations', 'status' => 1,
                'quota' => ['value' => 2, 'overage' => 0, 'version' => $item['quota']['version']]],
        ]]);
        $found = self::ofKind($this->findings(['kind' => 'over_quota']), 'over_quota', $tenant);
        $this->assertCount(1, $found, json_encode($this->sim->api('GET', "/api/2/tenants/$tenant/usages")));
        $this->assertSame('pw_workstations', $found[0]['metric']);
        $this->assertSame(5.0, (float) $found[0]['platform_value']);
        $this->assertSame(['open_service', 'resync'], array_column($found[0]['actions'], 'kind'));
        $this->assertSame($service, $found[0]['service_id']);
    }

    public function testBilledValueDiffersFromTheReport(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $this->assertSame(0, $this->process()['exit']);
        $now = date('Y-m-d H:i:s');
        $this->host->ok('sql', ['INSERT INTO tblserver_tenants (server_id, tenant, created_at, updated_at) VALUES (?, ?, ?, ?)',
            'bind' => [$this->server, $tenant, $now, $now]]);
        $link = (int) $this->host->ok('sql', ['SELECT id FROM tblserver_tenants WHERE tenant = ?', 'bind' => [$tenant]])[0]['id'];
        $this->host->ok('sql', ['INSERT INTO tbltenant_stats (tenant_id, metric, type, value, measured_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            'bind' => [$link, 'pw_workstations', 'snapshot', 7, self::TODAY . ' 06:00:00', $now, $now]]);
        $found = self::ofKind($this->findings(['kind' => 'billing_mismatch']), 'billing_mismatch', $tenant);
        $this->assertCount(1, $found);
        $this->assertSame(7.0, (float) $found[0]['whmcs_value']);
        $this->assertSame(4.0, (float) $found[0]['platform_value']);
        $this->assertSame(self::TODAY, $found[0]['date']);

        $this->host->ok('sql', ['UPDATE tbltenant_stats SET value = 4']);
        $this->assertSame([], self::ofKind($this->findings(), 'billing_mismatch', $tenant), 'equal values are no finding');
    }

    public function testUnreachableServerIsARowAndTheOthersAreChecked(): void
    {
        $orphan = $this->tenant('customer', []);
        $down = $this->addServer(['name' => 'Acronis down']);
        $this->host->ok('sql', ["UPDATE tblservers SET port = '1' WHERE id = ?", 'bind' => [$down]]);
        $findings = $this->findings();
        $errors = array_values(array_filter($findings, static fn ($f) => $f['kind'] === 'server_error'));
        $this->assertCount(1, $errors);
        $this->assertSame($down, $errors[0]['server_id']);
        $this->assertCount(1, self::ofKind($findings, 'orphan_tenant', $orphan), 'the reachable server is still checked');
        $this->assertNoSecretIn('reconciliation', json_encode($findings));
    }

    public function testPageFiltersAndCsvExport(): void
    {
        $orphan = $this->tenant('customer', []);
        [, $page] = $this->output(['page' => 'reconciliation']);
        $this->assertStringContainsString('aria-current="page">Reconciliation</a>', $page);
        $this->assertStringContainsString('<tr data-kind="orphan_tenant">', $page);
        $this->assertStringContainsString('data-fix="adopt"', $page);
        $this->assertStringContainsString('<select id="acroniscloud-f-kind" name="kind"', $page);
        [, $filtered] = $this->output(['page' => 'reconciliation', 'kind' => 'over_quota']);
        $this->assertStringNotContainsString('<tr data-kind="orphan_tenant">', $filtered);
        $this->assertStringContainsString('No differences found.', $filtered);

        [, $csv] = $this->output(['action' => 'reconciliation', 'format' => 'csv', 'kind' => 'orphan_tenant']);
        $lines = explode("\r\n", trim($csv));
        $this->assertSame('kind,server_id,server_name,tenant_id,tenant_name,service_id,user_id,metric,date,whmcs_value,platform_value,details,fix', $lines[0]);
        $this->assertStringContainsString("orphan_tenant,{$this->server},Acronis EU2,$orphan,", $csv);

        $this->host->ok('sql', ["UPDATE tbladmins SET language = 'german' WHERE id = 1"]);
        [, $german] = $this->output(['page' => 'reconciliation']);
        $this->assertStringContainsString('Abgleich', $german);
        $this->assertStringContainsString('Tenant übernehmen', $german);
    }

    public function testBadInputAndAccess(): void
    {
        [$json] = $this->output(['action' => 'reconciliation', 'server_id' => '999']);
        $this->assertSame(404, $json['error']['code']);
        [$json] = $this->output(['action' => 'reconciliation', 'kind' => 'nope']);
        $this->assertSame(400, $json['error']['code']);
        [$json] = $this->output(['action' => 'reconciliation', 'format' => 'xml']);
        $this->assertSame(400, $json['error']['code']);
        [$json] = $this->output(['action' => 'reconciliation'], ['adminid' => 0]);
        $this->assertSame(401, $json['error']['code'], 'no admin session');
        $this->host->ok('sql', ["DELETE FROM tbladdonmodules WHERE module = 'acroniscloud' AND setting = 'access'"]);
        [$json] = $this->output(['action' => 'reconciliation']);
        $this->assertSame(403, $json['error']['code'], 'an admin without addon access');
    }
    /**
     * Over HTTP in browser mode with WHMCS's own CSRF check off, so the module's guards are what
     * answers: both actions are GET only, a POST without the session's token is refused before
     * any Cloud API call, and the admin's GET works.
     */
    public function testPostWithoutCsrfTokenIsRefusedOverHttp(): void
    {
        $orphan = $this->tenant('customer', []);
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $served = $this->runner();
        try {
            $admin = new \AcronisCloud\Dev\AdminHttp($served->serve(['csrf' => 'off']));
            $before = count($this->sim->requests());
            foreach (['pipeline_status', 'reconciliation'] as $action) {
                $r = $admin->api('POST', $action, [], ['server_id' => $this->server], false);
                // Refused by the method check, which runs before the guards: read-only actions.
                $this->assertSame(405, $r['status'], "$action: " . $r['body']);
                $this->assertSame('GET', $r['headers']['allow'] ?? '', $action);
                $this->assertArrayHasKey('error', (array) $r['json'], $action);
                $this->assertArrayNotHasKey('findings', (array) $r['json']);
            }
            $this->assertSame($before, count($this->sim->requests()), 'a refused POST calls no Cloud API');
            $ok = $admin->api('GET', 'reconciliation', ['kind' => 'orphan_tenant']);
            $this->assertSame(200, $ok['status'], $ok['body']);
            $this->assertCount(1, self::ofKind($ok['json']['findings'], 'orphan_tenant', $orphan));
            $csv = $admin->raw('GET', '/admin/addonmodules.php?module=acroniscloud&action=reconciliation&format=csv');
            $this->assertStringStartsWith('text/csv', $csv['headers']['content-type'] ?? '');
            $this->assertStringContainsString('attachment', $csv['headers']['content-disposition'] ?? '');
        } finally {
            $served->stopServer();
        }
    }
}
