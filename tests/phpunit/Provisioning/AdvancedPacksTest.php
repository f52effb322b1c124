<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * Advanced packs and Omnivoice (manual 6.1/6.2 services, 6.3 configurable options, 6.5.1/6.6
 * upgrades) against the simulator, which knows the pack items only for their edition and
 * application (catalog/catalog.yaml, docs/offering-items.md).
 */
final class AdvancedPacksTest extends ProvisioningTestCase
{
    /** Fixture F's template with `$packs` ticked and extra per-workload items. */
    private function packTemplate(string $name, array $packs, array $items = []): array
    {
        $body = $this->templateBody(['name' => $name, 'advanced_packs' => $packs]);
        foreach ($items as [$item, $quota]) {
            $body['applications'][0]['offering_items'][] = ['name' => $item, 'measurement_unit' => 'quantity',
                'infra_id' => null, 'quota_value' => $quota, 'status' => 'active'];
        }
        return $body;
    }

    /** Points the fixture's product at a new template. */
    private function useTemplate(array $body): int
    {
        $id = $this->createTemplate($body);
        $this->host->ok('product:save', [$this->pid, 'configoption1' => (string) $id, 'configoption2' => '']);
        return $id;
    }

    /** Moves the service to `$pid` carrying the module's field values, like a WHMCS upgrade. */
    private function moveTo(int $pid): void
    {
        $values = $this->fields();
        $this->host->sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [$pid, $this->service]);
        foreach (['tenant_id', 'user_id', 'cloud_login'] as $key) {
            if (($values[$key] ?? '') !== '') {
                $this->setField($key, $values[$key], $this->service, $pid);
            }
        }
    }

    public function testTemplateWithPacksEnablesThePackItemsWithTheTemplateQuotas(): void
    {
        $this->useTemplate($this->packTemplate('PW + packs', ['advanced_backup', 'advanced_security'],
            [['pw_adv_backup_servers', 5]]));
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $this->assertEquals(5, $items['pw_adv_backup_servers:']['quota']['value'], 'configured pack item: template quota');
        $this->assertArrayNotHasKey('pw_adv_backup_workstations:', $items, 'only the configured items of a configured pack');
        $this->assertArrayHasKey('pw_adv_security_workloads:', $items, 'a ticked pack without configured items: whole pack');
        $this->assertNull($items['pw_adv_security_workloads:']['quota']['value'] ?? null, 'unlimited');
        $this->assertSame('per_workload', $items['pw_adv_security_workloads:']['edition']);
        $this->assertArrayNotHasKey('pw_adv_management_workloads:', $items, 'packs not ticked stay off');
        $this->assertEquals(10, $items['pw_workstations:']['quota']['value'], 'base items unchanged');
    }

    public function testPackItemOfAnUntickedPackIsNotEnabled(): void
    {
        $this->useTemplate($this->packTemplate('PW, stray pack item', [], [['pw_adv_backup_servers', 5]]));
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $this->assertArrayNotHasKey('pw_adv_backup_servers:', $items);
        $this->assertArrayHasKey('pw_workstations:', $items);
    }

    /** Manual 6.3: a quantity option on a pack item adds to the template's quota. */
    public function testConfigurableOptionOnAPackItemAddsToTheQuota(): void
    {
        $this->useTemplate($this->packTemplate('PW + security', ['advanced_security'], [['pw_adv_security_workloads', 3]]));
        $this->setOption('pw_adv_security_workloads:quantity:|Advanced Security - Workloads', 7);
        $this->setOption('pw_adv_email_security_mailboxes:quantity:|Advanced Email Security - Mailboxes', 4);
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $this->assertEquals(10, $items['pw_adv_security_workloads:']['quota']['value']);
        $this->assertEquals(4, $items['pw_adv_email_security_mailboxes:']['quota']['value'], 'an option buys a pack item');
    }

    /** Manual 6.5.1: same edition, packs may change; a dropped pack's items are disabled. */
    public function testChangePackageAddsAndDropsPacks(): void
    {
        $this->useTemplate($this->packTemplate('PW + backup pack', ['advanced_backup'], [['pw_adv_backup_servers', 5]]));
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];

        $pid = $this->addProduct('PW + security pack', $this->createTemplate(
            $this->packTemplate('PW + security pack', ['advanced_security'], [['pw_adv_security_workloads', 8]])));
        $this->moveTo($pid);
        $this->assertSame('success', $this->module('changepackage'));
        $all = $this->cloudItems($tid, true);
        $this->assertSame(0, $all['pw_adv_backup_servers:']['status'], 'dropped pack: item disabled');
        $this->assertSame(1, $all['pw_adv_security_workloads:']['status']);
        $this->assertEquals(8, $all['pw_adv_security_workloads:']['quota']['value']);
        $this->assertSame(1, $all['pw_workstations:']['status']);
    }

    /**
     * Manual 6.6: (Legacy) Cyber Protect - Standard → per workload + Advanced Management +
     * Advanced Security, pack quotas = sum of the source workload quotas.
     */
    public function testLegacyEditionToNewLicensingWithPacks(): void
    {
        $legacy = $this->templateBody(['name' => 'Legacy CP std']);
        $legacy['applications'][0]['editions'] = [['name' => 'cyber_protect_std', 'status' => 'active']];
        $legacy['applications'][0]['offering_items'] = [
            ['name' => 'p_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 4, 'status' => 'active'],
            ['name' => 'p_servers', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 2, 'status' => 'active'],
            ['name' => 'p_storage', 'measurement_unit' => 'bytes', 'infra_id' => $this->infra('backup'), 'quota_value' => 107374182400, 'status' => 'active'],
        ];
        $this->useTemplate($legacy);
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];

        $target = $this->packTemplate('PW + mgmt + security', ['advanced_management', 'advanced_security'],
            [['pw_adv_management_workloads', 6], ['pw_adv_security_workloads', 6]]);
        $target['applications'][0]['offering_items'][0]['quota_value'] = 4;
        $pid = $this->addProduct('PW new licensing', $this->createTemplate($target));
        $this->moveTo($pid);
        $this->assertSame('success', $this->module('changepackage'));
        $all = $this->cloudItems($tid, true);
        $this->assertSame(0, $all['p_workstations:']['status'], 'legacy items disabled');
        $this->assertEquals(6, $all['pw_adv_security_workloads:']['quota']['value']);
        $this->assertEquals(6, $all['pw_adv_management_workloads:']['quota']['value']);
        $this->assertEquals(4, $all['pw_workstations:']['quota']['value']);
    }

    /** Manual 6.1: VoIP telephony by Omnivoice is a service a template can sell. */
    public function testOmnivoiceTemplateBindsTheApplicationWithQuotas(): void
    {
        $body = $this->templateBody(['name' => 'PW + Omnivoice']);
        $body['applications'][] = ['type' => 'omnivoice', 'status' => 'active', 'editions' => [], 'offering_items' => [
            ['name' => 'omnivoice_users', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 12, 'status' => 'active'],
        ]];
        $this->useTemplate($body);
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $items = $this->cloudItems($tid);
        $this->assertEquals(12, $items['omnivoice_users:']['quota']['value']);
        $app = null;
        foreach ($this->sim->seed()['applications'] as $a) {
            $app = $a['type'] === 'omnivoice' ? $a['id'] : $app;
        }
        $this->assertSame($app, $items['omnivoice_users:']['application_id']);
    }
}
