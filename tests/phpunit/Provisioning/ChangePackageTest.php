<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * ChangePackage and its hooks (docs/behaviour.md §B.10, manual 6.5.1): scenarios L27–L33.
 * A package change is simulated the way WHMCS does it: the service row is moved to the new
 * product (custom-field values carried over), then ChangePackage runs.
 */
final class ChangePackageTest extends ProvisioningTestCase
{
    /** Moves the service to `$pid` carrying the module's field values, like a WHMCS upgrade. */
    private function moveTo(int $pid, int $service = 0): void
    {
        $service = $service ?: $this->service;
        $values = $this->fields($service);
        $this->host->ok('hook:run', ['OrderProductUpgradeOverride', 'vars' => ['newproductid' => $pid]]);
        $this->host->sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [$pid, $service]);
        foreach (['tenant_id', 'user_id', 'cloud_login'] as $key) {
            if (($values[$key] ?? '') !== '') {
                $this->setField($key, $values[$key], $service, $pid);
            }
        }
    }

    public function testUpgradeAddsQuotaAndKeepsTenant(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $body = $this->templateBody(['name' => 'Customers PW 50']);
        $body['applications'][0]['offering_items'][0]['quota_value'] = 50;
        $pid = $this->addProduct('Acronis PW 500', $this->createTemplate($body));
        $this->moveTo($pid);
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('changepackage'));
        $this->assertSame($tid, $this->fields()['tenant_id']);
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
        $this->assertEquals(50, $this->cloudItems($tid)['pw_workstations:']['quota']['value']);
        $this->assertStringContainsString('whmcs-product-id=' . $pid, $this->cloudTenant($tid)['customer_id']);
    }

    /**
     * Manual 6.1: a trial tenant is switched to production by the platform after 30 days. It
     * stays there: re-running CreateAccount writes no pricing, and a change to another trial
     * template (more resources) goes through without a pricing write.
     */
    public function testTrialTenantSwitchedToProductionByThePlatformStaysThere(): void
    {
        $trial = $this->createTemplate($this->templateBody(['name' => 'Trial PW', 'mode' => 'trial']));
        $pid = $this->addProduct('Acronis trial PW', $trial);
        $service = $this->addService($pid);
        $this->assertSame('success', $this->module('create', $service));
        $tid = $this->fields($service)['tenant_id'];
        $this->assertSame('trial', $this->sim->api('GET', "/api/2/tenants/$tid/pricing")['mode']);

        $this->sim->control('POST', 'clock', ['advance_seconds' => 30 * 24 * 3600]);
        $this->assertSame('production', $this->sim->api('GET', "/api/2/tenants/$tid/pricing")['mode']);

        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('create', $service), 're-run CreateAccount');
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid/pricing"), 'no PUT pricing mode=trial');

        $body = $this->templateBody(['name' => 'Trial PW, more', 'mode' => 'trial']);
        $body['applications'][0]['offering_items'][0]['quota_value'] = 50;
        $bigger = $this->addProduct('Acronis trial PW 50', $this->createTemplate($body));
        $this->moveTo($bigger, $service);
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('changepackage', $service));
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid/pricing"));
        $this->assertEquals(50, $this->cloudItems($tid)['pw_workstations:']['quota']['value']);
        $this->assertSame('production', $this->sim->api('GET', "/api/2/tenants/$tid/pricing")['mode']);
    }

    /** Manual 6.5.1: only a template change from production to trial is refused. */
    public function testProductionToTrialTemplateChangeRefused(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $trial = $this->addProduct('Acronis trial PW', $this->createTemplate($this->templateBody(['name' => 'Trial PW', 'mode' => 'trial'])));
        $this->moveTo($trial);
        $this->sim->clearRequests();
        $result = $this->module('changepackage');
        $this->assertStringContainsString('only a switch from trial to production is possible', $result);
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid/pricing"));
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid/offering_items"));
    }

    public function testL27TenantKindChangeRefused(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $before = $this->cloudTenant($tid);
        $partner = $this->createTemplate($this->templateBody(['name' => 'Partners PW', 'tenant_kind' => 'partner']));
        $pid = $this->addProduct('Acronis partner', $partner);
        $this->moveTo($pid);
        $this->sim->clearRequests();
        $result = $this->module('changepackage');
        $this->assertStringStartsWith(
            "Unable to change the tenant type from \"customer\" to \"partner\" for the tenant \"$tid\". Please use another template for the product.",
            $result
        );
        $this->assertSame([], array_filter($this->sim->requests(), static fn ($r) => $r['method'] !== 'GET' && $r['path'] !== '/api/2/idp/token'), 'nothing changed on the platform');
        $this->assertSame($before['version'], $this->cloudTenant($tid)['version']);
    }

    public function testL28ServerChangeRefused(): void
    {
        $this->assertSame('success', $this->module('create'));
        $second = $this->addServer(['name' => 'Acronis EU3']);
        $other = $this->createTemplate($this->templateBody(['name' => 'Other server', 'server_id' => $second]));
        $pid = $this->addProduct('Acronis other server', $other);
        $this->moveTo($pid);
        $result = $this->module('changepackage');
        $this->assertStringStartsWith(
            "Product upgrade/downgrade cannot be performed using a different server than the order (order server: {$this->server}, used server: $second).",
            $result
        );
    }

    public function testL29NameKeptOnResync(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $this->sim->api('PUT', "/api/2/tenants/$tid", ['version' => $this->cloudTenant($tid)['version'], 'name' => 'Acme Ltd /3']);
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('changepackage'));
        $this->assertSame('Acme Ltd /3', $this->cloudTenant($tid)['name']);
        $this->assertCount(0, $this->requestsTo('GET', '/api/2/tenants/' . $this->rootId() . '/children'), 'no children listing needed');
    }

    public function testL30FailedUpgradeIsRevertedInWhmcs(): void
    {
        $this->assertSame('success', $this->module('create'));
        $values = $this->fields();
        $partner = $this->createTemplate($this->templateBody(['name' => 'Partners PW', 'tenant_kind' => 'partner']));
        $pid = $this->addProduct('Acronis partner', $partner);
        $this->host->sql(
            'INSERT INTO tblupgrades (userid, orderid, type, date, relid, originalvalue, newvalue, amount, status, paid) VALUES (?, 0, ?, ?, ?, ?, ?, 0, ?, ?)',
            [$this->client, 'package', date('Y-m-d'), $this->service, (string) $this->pid, "$pid,monthly", 'Completed', 'Y']
        );
        $this->moveTo($pid);
        // The runner fires AfterModuleChangePackageFailed when ChangePackage does not return success.
        $this->assertStringStartsWith('Unable to change the tenant type', $this->module('changepackage'));
        $this->assertSame($this->pid, (int) $this->host->ok('service:get', [$this->service])['packageid']);
        $now = $this->fields();
        foreach (['tenant_id', 'user_id', 'cloud_login'] as $key) {
            $this->assertSame($values[$key], $now[$key], "$key restored on the original product");
        }
        $this->assertSame('Pending', $this->host->sql('SELECT status FROM tblupgrades WHERE relid = ?', [$this->service])[0]['status']);
    }

    public function testL31UpgradeTargetFields(): void
    {
        $pid = (int) $this->host->ok('product:add', ['name' => 'Target', 'module' => 'acroniscloud'])['pid'];
        $this->host->sql('DELETE FROM tblcustomfields WHERE relid = ? AND type = ?', [$pid, 'product']);
        $this->host->ok('hook:run', ['OrderProductUpgradeOverride', 'vars' => ['newproductid' => $pid]]);
        $names = array_column($this->host->sql('SELECT fieldname FROM tblcustomfields WHERE relid = ? AND type = ? ORDER BY id', [$pid, 'product']), 'fieldname');
        $this->assertContains('tenant_id|Tenant ID', $names);
        $this->assertContains('user_id|User ID', $names);
        $this->assertContains('cloud_login|Cloud Login (optional)', $names);
    }

    public function testL32StoredTenantVanished(): void
    {
        $this->setField('tenant_id', '44444444-0000-4000-8000-000000000001');
        $this->assertSame(
            "Unable to find the tenant \"44444444-0000-4000-8000-000000000001\" on the server {$this->server}. Please check that the correct server is selected. If the tenant has been manually removed, please empty the custom field \"tenant_id\" and continue the operation.",
            $this->module('changepackage')
        );
    }

    public function testL33UserOfAnotherTenant(): void
    {
        $this->assertSame('success', $this->module('create'));
        $other = $this->sim->api('POST', '/api/2/tenants', ['kind' => 'customer', 'parent_id' => $this->rootId(), 'name' => 'Somebody else']);
        $stranger = $this->sim->api('POST', '/api/2/users', ['tenant_id' => $other['id'], 'login' => 'stranger1', 'contact' => ['email' => 's@x.test']]);
        $this->setField('user_id', $stranger['id']);
        $tid = $this->fields()['tenant_id'];
        $this->assertSame("The user \"{$stranger['id']}\" does not belong to the tenant \"$tid\".", $this->module('changepackage'));
    }

    public function testL33bStoredUserVanishedNamesTheField(): void
    {
        $this->assertSame('success', $this->module('create'));
        $this->setField('user_id', '55555555-0000-4000-8000-000000000001');
        $result = $this->module('changepackage');
        $this->assertStringStartsWith('Unable to find the user "55555555-0000-4000-8000-000000000001".', $result);
        $this->assertStringContainsString('"user_id"', $result, 'placeholder filled (J.2 #2)');
        $this->assertStringNotContainsString('{2}', $result);
    }

    public function testManagementModeChangeRefusedWithNothingChanged(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $other = $this->createTemplate($this->templateBody(['name' => 'Managed', 'management_mode' => 'managed_by_service_provider']));
        $pid = $this->addProduct('Managed product', $other);
        $this->moveTo($pid);
        $this->sim->clearRequests();
        $result = $this->module('changepackage');
        $this->assertNotSame('success', $result);
        $this->assertStringContainsStringIgnoringCase('management mode', $result);
        $this->assertSame([], array_values(array_filter($this->sim->requests(), static fn ($r) => $r['method'] !== 'GET' && $r['path'] !== '/api/2/idp/token')));
        $this->assertArrayHasKey('pw_workstations:', $this->cloudItems($tid));
    }
}
