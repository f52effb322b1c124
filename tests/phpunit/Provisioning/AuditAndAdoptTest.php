<?php

namespace AcronisCloud\Tests\Provisioning;

use AcronisCloud\Dev\AdminHttp;

/**
 * Issue 13 through the emulated WHMCS and the simulator: the audit trail of the service
 * lifecycle (admin JSON action `audit`) and adopting an existing tenant (`adopt_search`,
 * `adopt_tenant`), with the bad input each must refuse without writing anything.
 */
final class AuditAndAdoptTest extends ProvisioningTestCase
{
    private ?AdminHttp $admin = null;

    protected function tearDown(): void
    {
        if ($this->admin !== null) {
            $this->host->stopServer();
            $this->admin = null;
        }
        parent::tearDown();
    }

    private function admin(): AdminHttp
    {
        return $this->admin ??= new AdminHttp($this->host->serve(['csrf' => 'off']));
    }

    /** A tenant made directly on the platform (not by the module), under `$parent` (default: root). */
    private function existingTenant(string $name, string $kind = 'customer', ?string $parent = null): string
    {
        $t = $this->sim->api('POST', '/api/2/tenants', ['name' => $name, 'kind' => $kind, 'parent_id' => $parent ?? $this->rootId()]);
        return (string) $t['id'];
    }

    private function adopt(array $body, int $service = 0, bool $token = true): array
    {
        return $this->admin()->api('POST', 'adopt_tenant', ['service_id' => $service ?: $this->service], $body, $token);
    }

    /** Nothing but reads (and the token exchange) reached the platform. */
    private function assertOnlyReads(string $what): void
    {
        foreach ($this->sim->requests() as $req) {
            if ($req['path'] !== '/api/2/idp/token') {
                $this->assertSame('GET', $req['method'], "$what only reads: " . $req['path']);
            }
        }
    }

    private function auditRows(): array
    {
        return $this->host->sql('SELECT * FROM acroniscloud_audit WHERE service_id = ? ORDER BY id', [$this->service]);
    }

    public function testAuditTrailRecordsTheLifecycleLatestFirstWithoutSecrets(): void
    {
        // Password activation: the activation password sits in a custom field during CreateAccount.
        $pid = $this->addProduct('Acronis PW password', $this->template, ['configoption2' => 'password']);
        $service = $this->addService($pid);
        $this->setField('cloud_password', 'Adm1n-Secret-Pw', $service, $pid);
        $this->secrets[] = 'Adm1n-Secret-Pw';
        $this->assertSame('success', $this->module('create', $service));
        $tenant = $this->fields($service)['tenant_id'];
        $this->assertSame('success', $this->module('suspend', $service));
        $this->assertSame('success', $this->module('unsuspend', $service));
        $this->assertSame('success', $this->module('terminate', $service));

        $r = $this->admin()->api('GET', 'audit', ['service_id' => $service, 'page' => 1]);
        $this->assertSame(200, $r['status'], $r['body']);
        $this->assertSame(4, $r['json']['total']);
        $this->assertSame(['terminate', 'unsuspend', 'suspend', 'create'], array_column($r['json']['entries'], 'action'));
        $this->assertSame(['TerminateAccount', 'UnsuspendAccount', 'SuspendAccount', 'CreateAccount'], array_column($r['json']['entries'], 'actor'));
        $create = $r['json']['entries'][3];
        $this->assertSame('', $create['before']['tenant_id']);
        $this->assertSame($tenant, $create['after']['tenant_id']);
        $this->assertSame('active', $r['json']['entries'][2]['before']['state']);
        $this->assertSame('suspended', $r['json']['entries'][2]['after']['state']);
        $this->assertSame('terminated', $r['json']['entries'][0]['after']['state']);
        $rows = $this->host->sql('SELECT * FROM acroniscloud_audit WHERE service_id = ?', [$service]);
        $this->assertCount(4, $rows);
        $this->assertNoSecretIn('the audit rows', json_encode($rows));
        $this->assertNoSecretIn('the audit answer', $r['body']);
    }

    /** `$n` entries for the service, one a minute from `$from` (unix seconds), action `step-<i>`. */
    private function seedAudit(int $n, int $from): void
    {
        for ($i = 1; $i <= $n; $i++) {
            $this->host->sql(
                "INSERT INTO acroniscloud_audit (service_id, created_at, actor, admin_id, action, before_json, after_json, state_json, result) VALUES (?, ?, 'ChangePackage', 0, ?, '{}', '{}', '{}', 'success')",
                [$this->service, $from + 60 * $i, "step-$i"]
            );
        }
    }

    public function testAuditIsPagedTwentyPerPageLatestFirst(): void
    {
        $this->seedAudit(25, time() - 3600);
        $first = $this->admin()->api('GET', 'audit', ['service_id' => $this->service, 'page' => 1]);
        $this->assertSame(200, $first['status'], $first['body']);
        $this->assertSame([25, 2, 1], [$first['json']['total'], $first['json']['pages'], $first['json']['page']]);
        $this->assertCount(20, $first['json']['entries']);
        $this->assertSame('step-25', $first['json']['entries'][0]['action']);
        $this->assertSame('step-6', $first['json']['entries'][19]['action']);
        $second = $this->admin()->api('GET', 'audit', ['service_id' => $this->service, 'page' => 2]);
        $this->assertSame(['step-5', 'step-4', 'step-3', 'step-2', 'step-1'], array_column($second['json']['entries'], 'action'));
        // Out of range or not a number: the nearest page, never an error or an empty page.
        $this->assertSame(2, $this->admin()->api('GET', 'audit', ['service_id' => $this->service, 'page' => 99])['json']['page']);
        $this->assertSame(1, $this->admin()->api('GET', 'audit', ['service_id' => $this->service, 'page' => 'x'])['json']['page']);
        // Another service's trail is not mixed in.
        $other = $this->addService($this->pid);
        $this->assertSame(0, $this->admin()->api('GET', 'audit', ['service_id' => $other])['json']['total']);
    }

    public function testDailyCronPrunesEntriesOlderThanTheRetention(): void
    {
        $this->writeConfig([], "audit:\n  retention_days: 30\n");
        $this->seedAudit(3, time() - 40 * 86400);
        $this->seedAudit(2, time() - 86400);
        $r = $this->host->run('hook:run', ['DailyCronJob', 'context' => 'cron']);
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        $left = $this->auditRows();
        $this->assertCount(2, $left, 'only the entries of the last 30 days stay');
        foreach ($left as $row) {
            $this->assertGreaterThan(time() - 30 * 86400, (int) $row['created_at']);
        }

        // 0 keeps everything.
        $this->writeConfig([], "audit:\n  retention_days: 0\n");
        $this->seedAudit(1, time() - 4000 * 86400);
        $this->assertSame(0, $this->host->run('hook:run', ['DailyCronJob', 'context' => 'cron'])['exit']);
        $this->assertCount(3, $this->auditRows());
    }

    public function testAuditOfAnUnknownServiceIs404(): void
    {
        $r = $this->admin()->api('GET', 'audit', ['service_id' => 999]);
        $this->assertSame(404, $r['status']);
        $this->assertSame('service_not_found', $r['json']['error']['details']['error_code']);
    }

    public function testAdoptSearchFindsTenantsUnderTheRootByNameAndId(): void
    {
        $id = $this->existingTenant('Legacy Customer GmbH');
        $r = $this->admin()->api('GET', 'adopt_search', ['service_id' => $this->service, 'q' => 'legacy cust']);
        $this->assertSame(200, $r['status'], $r['body']);
        $this->assertSame([$id], array_column($r['json']['tenants'], 'id'));
        $r = $this->admin()->api('GET', 'adopt_search', ['service_id' => $this->service, 'q' => $id]);
        $this->assertSame('Legacy Customer GmbH', $r['json']['tenants'][0]['name']);
    }

    public function testDryRunReportsThePlanAndChangesNothing(): void
    {
        $id = $this->existingTenant('Legacy Dry Run');
        $this->sim->clearRequests();
        $r = $this->adopt(['tenant_id' => $id, 'dry_run' => true]);
        $this->assertSame(200, $r['status'], $r['body']);
        $this->assertTrue($r['json']['dry_run']);
        $this->assertStringContainsString('whmcs-service-id=' . $this->service, $r['json']['customer_id']);
        $this->assertSame(['backup'], $r['json']['applications_to_bind']);
        $this->assertArrayNotHasKey('tenant_id', $this->fields());
        $this->assertSame([], $this->auditRows());
        $this->assertOnlyReads('a dry run');
    }

    public function testAdoptWritesFieldsAndTagsWithoutRecreatingOrTouchingQuotas(): void
    {
        $id = $this->existingTenant('Legacy Adopted');
        $user = $this->sim->api('POST', '/api/2/users', ['tenant_id' => $id, 'login' => 'legacy-admin', 'contact' => ['email' => 'legacy@acme.test']]);
        $this->sim->clearRequests();
        $r = $this->adopt(['tenant_id' => $id, 'user_id' => $user['id']]);
        $this->assertSame(200, $r['status'], $r['body']);
        $fields = $this->fields();
        $this->assertSame($id, $fields['tenant_id']);
        $this->assertSame($user['id'], $fields['user_id']);
        $this->assertSame('legacy-admin', $fields['cloud_login']);
        $tag = (string) $this->cloudTenant($id)['customer_id'];
        $this->assertStringContainsString('whmcs-service-id=' . $this->service, $tag);
        $this->assertMatchesRegularExpression('/(^|;)whmcs-version=[^;]+/', $tag, 'tagged with the WHMCS version like a tenant the module created');
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$id/offering_items"));
        $rows = $this->auditRows();
        $this->assertCount(1, $rows);
        $this->assertSame('adopt', $rows[0]['action']);
        $this->assertSame('adopt_tenant', $rows[0]['actor']);
        $this->assertSame($id, json_decode($rows[0]['after_json'], true)['tenant_id']);

        // From now on the module manages it: a suspend disables the adopted tenant.
        $this->assertSame('success', $this->module('suspend'));
        $this->assertFalse($this->cloudTenant($id)['enabled']);

        $again = $this->adopt(['tenant_id' => $id]);
        $this->assertSame(422, $again['status'], 'a service with a tenant cannot adopt another');
        $this->assertStringContainsString('already has a tenant', $again['json']['error']['message']);
    }

    public function testAdoptRefusesBadInputAndWritesNothing(): void
    {
        // A tenant already used by another service.
        $this->assertSame('success', $this->module('create'));
        $used = $this->fields()['tenant_id'];
        $other = $this->addService($this->pid);
        $partner = $this->existingTenant('Legacy Partner', 'partner');
        $cases = [
            'used by another service' => [['tenant_id' => $used], 'is already used by the WHMCS service ' . $this->service],
            'wrong kind' => [['tenant_id' => $partner], 'is a partner tenant'],
            'another root' => [['tenant_id' => $this->sim->seed()['platform_root_id']], 'tenant'],
            'not a tenant id' => [['tenant_id' => 'nope'], 'Invalid tenant id'],
        ];
        $this->sim->clearRequests();
        foreach ($cases as $case => [$body, $message]) {
            $r = $this->adopt($body, $other);
            $this->assertGreaterThanOrEqual(400, $r['status'], "$case: " . $r['body']);
            $this->assertStringContainsString($message, (string) $r['json']['error']['message'], $case);
            $this->assertArrayNotHasKey('tenant_id', $this->fields($other), $case);
        }
        $this->assertOnlyReads('a refused adoption');
        $this->assertSame([], $this->host->sql('SELECT id FROM acroniscloud_audit WHERE service_id = ?', [$other]));

        $r = $this->adopt(['tenant_id' => $partner], 999);
        $this->assertSame(404, $r['status'], 'unknown service');
    }

    public function testAdoptWithoutCsrfTokenIsRefused(): void
    {
        $id = $this->existingTenant('Legacy CSRF');
        $r = $this->adopt(['tenant_id' => $id], 0, false);
        $this->assertSame(403, $r['status']);
        $this->assertSame('csrf_token_invalid', $r['json']['error']['details']['error_code']);
        $this->assertArrayNotHasKey('tenant_id', $this->fields());
    }
}
