<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * Suspend, unsuspend, terminate, the ServiceDelete and ClientEdit hooks and the
 * provisioning-error banner: scenarios L34–L37 and L85 (docs/behaviour.md §A.5–§A.8, §A.14,
 * §B.9, §B.11).
 */
final class LifecycleTest extends ProvisioningTestCase
{
    private function provision(): string
    {
        $this->assertSame('success', $this->module('create'));
        $this->sim->clearRequests();
        return $this->fields()['tenant_id'];
    }

    public function testL34Suspend(): void
    {
        $tid = $this->provision();
        $version = $this->cloudTenant($tid)['version'];
        $this->assertSame('success', $this->module('suspend'));
        $put = $this->requestsTo('PUT', "/api/2/tenants/$tid");
        $this->assertCount(1, $put);
        $this->assertEquals(['enabled' => false, 'version' => $version], $put[0]['json']);
        $this->assertFalse($this->cloudTenant($tid)['enabled']);
        $this->assertSame('Suspended', $this->host->ok('service:get', [$this->service])['domainstatus']);

        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('suspend'), 'suspending twice is fine');
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid"));

        $this->assertSame('success', $this->module('unsuspend'));
        $this->assertTrue($this->cloudTenant($tid)['enabled']);
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('unsuspend'), 'unsuspending twice is fine');
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid"));
    }

    public function testL35SuspendUnsuspendUnprovisioned(): void
    {
        $this->assertSame('success', $this->module('suspend'));
        $this->assertSame([], $this->sim->requests(), 'no Cloud call');
        $this->assertSame('Cannot enable a non-provisioned service.', $this->module('unsuspend'));
    }

    public function testL36Terminate(): void
    {
        $tid = $this->provision();
        $login = $this->fields()['cloud_login'];
        $version = $this->cloudTenant($tid)['version'];
        $this->assertSame('success', $this->module('terminate'));
        $put = $this->requestsTo('PUT', "/api/2/tenants/$tid");
        $this->assertEquals(['enabled' => false, 'version' => $version], $put[0]['json']);
        $delete = $this->requestsTo('DELETE', "/api/2/tenants/$tid");
        $this->assertCount(1, $delete);
        $this->assertStringContainsString('version=' . ($version + 1), $delete[0]['query']);
        $fields = $this->fields();
        $this->assertSame('', $fields['tenant_id'] ?? '');
        $this->assertSame('', $fields['user_id'] ?? '');
        $this->assertSame($login, $fields['cloud_login'], 'cloud_login is kept');
        $this->assertSame([], $this->serviceTenants());
    }

    public function testTerminateTwiceAndWithoutUserSucceeds(): void
    {
        $tid = $this->provision();
        $this->assertSame('success', $this->module('terminate'));
        $this->assertSame('success', $this->module('terminate'), 'terminating twice is success');

        // J.2 #9: a service that got a tenant but never a user.
        $service = $this->addService($this->pid);
        $this->setField('cloud_login', 'bad login', $service);
        $this->assertStringStartsWith('The login can consist', $this->module('create', $service));
        $this->assertSame('', $this->fields($service)['user_id'] ?? '');
        $this->assertSame('success', $this->module('terminate', $service));
        $this->assertSame([], $this->serviceTenants($service));
        $this->assertNotSame('', $tid);
    }

    public function testTerminateNeverDeletesAForeignTenant(): void
    {
        $this->provision();
        $foreign = $this->sim->api('POST', '/api/2/tenants', ['kind' => 'customer', 'parent_id' => $this->rootId(), 'name' => 'Not ours',
            'customer_id' => 'whmcs-version=8;whmcs-user-id=99;whmcs-product-id=9;whmcs-service-id=999']);
        $this->setField('tenant_id', $foreign['id']);
        $result = $this->module('terminate');
        $this->assertNotSame('success', $result);
        $this->assertTrue($this->cloudTenant($foreign['id'])['enabled'], 'the foreign tenant is untouched');
        $this->assertSame([], array_values(array_filter($this->sim->requests(), static fn ($r) => $r['method'] === 'DELETE')));
    }

    public function testL37ServiceDeleteOnAForeignProduct(): void
    {
        $pid = (int) $this->host->ok('product:add', ['name' => 'Hosting', 'module' => 'cpanel'])['pid'];
        $service = $this->addService($pid);
        $this->host->ok('hook:run', ['ServiceDelete', 'vars' => ['userid' => $this->client, 'serviceid' => $service]]);
        $this->assertSame([], $this->sim->requests());
    }

    public function testServiceDeleteTerminatesAnAcronisService(): void
    {
        $tid = $this->provision();
        $this->host->ok('hook:run', ['ServiceDelete', 'vars' => ['userid' => $this->client, 'serviceid' => $this->service]]);
        $this->assertCount(1, $this->requestsTo('DELETE', "/api/2/tenants/$tid"));
        $this->assertSame([], $this->serviceTenants());
    }

    public function testL85ContactSync(): void
    {
        $tid = $this->provision();
        $uid = $this->fields()['user_id'];
        $customerId = $this->cloudTenant($tid)['customer_id'];
        $second = $this->addService($this->pid);
        $this->host->sql('UPDATE tblclients SET email = ? WHERE id = ?', ['ops@acme.test', $this->client]);
        $this->host->ok('hook:run', ['ClientEdit', 'vars' => ['userid' => $this->client, 'email' => 'ops@acme.test',
            'firstname' => 'John', 'lastname' => 'Smith', 'companyname' => 'Acme Ltd', 'language' => 'german']]);
        $tenantPut = $this->requestsTo('PUT', "/api/2/tenants/$tid");
        $this->assertCount(1, $tenantPut);
        $this->assertSame('ops@acme.test', $tenantPut[0]['json']['contact']['email']);
        $userPut = $this->requestsTo('PUT', "/api/2/users/$uid");
        $this->assertCount(1, $userPut);
        $this->assertSame('ops@acme.test', $userPut[0]['json']['contact']['email']);
        $this->assertSame('ops@acme.test', $this->sim->api('GET', "/api/2/users/$uid")['contact']['email']);
        // J.2 #22: the hook has no WHMCS version; the stored one is kept.
        $this->assertSame($customerId, $this->cloudTenant($tid)['customer_id']);
        $log = json_encode($this->host->activityLog());
        $this->assertStringContainsString('service ' . $second, $log, 'the unprovisioned service is reported');
    }

    public function testProvisioningErrorBannerIsShownOnceToTheClient(): void
    {
        $this->host->sql('UPDATE tblclients SET email = ? WHERE id = ?', ['', $this->client]);
        // One client-area request: the order's CreateAccount fails, then the header hooks render.
        $code = '<?php
            require ' . var_export(dirname(__DIR__, 3) . '/php/whmcs-host/autoload.php', true) . ';
            $root = ' . var_export($this->host->root(), true) . ';
            chdir($root);
            $_SERVER["REQUEST_URI"] = "/cart.php?a=complete";
            $_SESSION = ["uid" => 1];
            require $root . "/init.php";
            $result = \\WhmcsHost\\Modules::call("servers", "acroniscloud", "CreateAccount", \\WhmcsHost\\Params::service(' . $this->service . '));
            $first = \\WhmcsHost\\Hooks::run("ClientAreaHeaderOutput", []);
            $second = \\WhmcsHost\\Hooks::run("ClientAreaHeaderOutput", []);
            echo json_encode(["result" => $result, "first" => $first, "second" => $second]);';
        $r = \AcronisCloud\Tests\Support\PhpProcess::run($code);
        $out = json_decode($r['stdout'], true);
        $this->assertIsArray($out, $r['stdout'] . $r['stderr']);
        $this->assertSame('The user email is required for provisioning.', $out['result']);
        $html = implode('', array_map('strval', (array) $out['first']));
        $this->assertStringContainsString('Acronis Cyber Cloud: Provisioning purchase failed', $html);
        $this->assertStringContainsString('Please contact the support team.', $html);
        $this->assertStringNotContainsString('email is required', $html, 'the client sees no internal detail');
        $this->assertStringNotContainsString('Provisioning purchase failed', implode('', array_map('strval', (array) $out['second'])), 'shown once');
    }

    public function testAdminAreaFailureShowsNoBanner(): void
    {
        $this->host->sql('UPDATE tblclients SET email = ? WHERE id = ?', ['', $this->client]);
        $this->assertSame('The user email is required for provisioning.', $this->module('create'));
        $out = $this->host->ok('hook:run', ['AdminAreaHeaderOutput', 'vars' => []]);
        $this->assertStringNotContainsString('Provisioning purchase failed', json_encode($out));
    }
}
