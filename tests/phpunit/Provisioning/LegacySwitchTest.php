<?php

namespace AcronisCloud\Tests\Provisioning;

use AcronisCloud\Dev\AdminHttp;

/**
 * The addon's legacy-editions page (manual 6.6.3) through the admin API of the emulated WHMCS:
 * dry run, then the switch service by service through ChangePackage, one failing service
 * reported while the others go on.
 */
final class LegacySwitchTest extends ProvisioningTestCase
{
    private int $legacyPid;
    private int $newPid;

    private function legacyTemplate(): array
    {
        $body = $this->templateBody(['name' => 'Legacy CP std']);
        $body['applications'][0]['editions'] = [['name' => 'cyber_protect_std', 'status' => 'active']];
        $body['applications'][0]['offering_items'] = [
            ['name' => 'p_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 4, 'status' => 'active'],
            ['name' => 'p_servers', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 2, 'status' => 'active'],
            ['name' => 'p_storage', 'measurement_unit' => 'bytes', 'infra_id' => $this->infra('backup'), 'quota_value' => 107374182400, 'status' => 'active'],
        ];
        return $body;
    }

    private function newTemplate(): array
    {
        $body = $this->templateBody(['name' => 'PW + management + security',
            'advanced_packs' => ['advanced_management', 'advanced_security']]);
        $body['applications'][0]['offering_items'][0]['quota_value'] = 4;
        $body['applications'][0]['offering_items'][] = ['name' => 'pw_adv_security_workloads', 'measurement_unit' => 'quantity',
            'infra_id' => null, 'quota_value' => 6, 'status' => 'active'];
        return $body;
    }

    /** Two active services on the legacy product; returns their ids. */
    private function legacyServices(): array
    {
        $this->legacyPid = $this->addProduct('Acronis legacy CP', $this->createTemplate($this->legacyTemplate()));
        $this->newPid = $this->addProduct('Acronis PW new licensing', $this->createTemplate($this->newTemplate()));
        $ids = [];
        foreach ([1, 2] as $_) {
            $id = $this->addService($this->legacyPid);
            $this->assertSame('success', $this->module('create', $id));
            $ids[] = $id;
        }
        return $ids;
    }

    private function admin(): AdminHttp
    {
        return new AdminHttp($this->host->serve(['csrf' => 'off']));
    }

    private function productOf(int $service): int
    {
        return (int) $this->host->sql('SELECT packageid FROM tblhosting WHERE id = ?', [$service])[0]['packageid'];
    }

    public function testDryRunListsLegacyServicesWithTargetAndChangesAndChangesNothing(): void
    {
        [$s1, $s2] = $this->legacyServices();
        $tid = $this->fields($s1)['tenant_id'];
        $admin = $this->admin();
        try {
            $this->sim->clearRequests();
            $r = $admin->api('GET', 'legacy_plan');
        } finally {
            $this->host->stopServer();
        }
        $this->assertSame(200, $r['status'], $r['body']);
        $byId = array_column($r['json']['services'], null, 'service_id');
        $this->assertSame([$s1, $s2], array_keys($byId), 'only the services on legacy editions');
        $plan = $byId[$s1];
        $this->assertSame(['cyber_protect_std'], $plan['legacy_editions']);
        $this->assertSame($this->newPid, $plan['target_product_id']);
        $this->assertSame(['advanced_management', 'advanced_security'], $plan['packs_to_enable']);
        $this->assertSame(['p_workstations', 'p_servers', 'p_storage'], $plan['items_to_disable']);
        $quotas = array_column($plan['pack_quotas'], null, 'item');
        $this->assertSame(6, $quotas['pw_adv_security_workloads']['suggested'], 'manual 6.6.3: 4 workstations + 2 servers');
        $this->assertSame(6, $quotas['pw_adv_security_workloads']['target']);
        $this->assertNull($quotas['pw_adv_management_workloads']['target'], 'ticked pack alone: unlimited');
        $this->assertSame($this->legacyPid, $this->productOf($s1), 'dry run');
        $this->assertSame([], array_filter($this->sim->requests(), static fn ($q) => $q['method'] !== 'GET'),
            'the dry run writes nothing to the platform');
        $this->assertSame(1, $this->cloudItems($tid)['p_workstations:']['status']);
    }

    public function testSwitchRunsServiceByServiceAndOneFailureStopsNoOther(): void
    {
        [$s1, $s2] = $this->legacyServices();
        $tid = $this->fields($s1)['tenant_id'];
        // s2's tenant is gone from the platform: its ChangePackage fails (L32).
        $this->setField('tenant_id', 'aaaaaaaa-0000-4000-8000-00000000dead', $s2, $this->legacyPid);
        $admin = $this->admin();
        try {
            $refused = $admin->api('POST', 'legacy_switch', [], ['service_ids' => [$s1, $s2]], false);
            $r = $admin->api('POST', 'legacy_switch', [], ['service_ids' => [$s2, $s1]]);
            $empty = $admin->api('POST', 'legacy_switch', [], ['service_ids' => []]);
        } finally {
            $this->host->stopServer();
        }
        $this->assertSame(403, $refused['status'], 'CSRF token required on POST');
        $this->assertSame(422, $empty['status']);
        $this->assertSame(200, $r['status'], $r['body']);
        $results = array_column($r['json']['results'], null, 'service_id');
        $this->assertFalse($results[$s2]['ok']);
        $this->assertNotSame('', $results[$s2]['message']);
        $this->assertTrue($results[$s1]['ok'], 'the service after the failed one was still switched');
        $this->assertSame($this->newPid, $this->productOf($s1));
        $this->assertSame($this->legacyPid, $this->productOf($s2), 'the failed service is back on its product');
        $this->assertSame('aaaaaaaa-0000-4000-8000-00000000dead', $this->fields($s2)['tenant_id']);
        $this->assertSame($tid, $this->fields($s1)['tenant_id'], 'ids carried to the new product');
        $all = $this->cloudItems($tid, true);
        $this->assertSame(0, $all['p_workstations:']['status']);
        $this->assertEquals(6, $all['pw_adv_security_workloads:']['quota']['value']);
        $this->assertSame(1, $all['pw_adv_management_workloads:']['status']);
    }
}
