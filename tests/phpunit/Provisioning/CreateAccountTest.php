<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * CreateAccount through the WHMCS module file against the simulator: docs/behaviour.md
 * scenarios L1–L26 and L38 (§L.1, §L.4), plus the bad-input cases of issue 4.
 */
final class CreateAccountTest extends ProvisioningTestCase
{
    public function testL1NewCustomerHappyPath(): void
    {
        $this->assertSame('success', $this->module('create'));
        $fields = $this->fields();
        $tid = $fields['tenant_id'];
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $tid);

        $post = $this->requestsTo('POST', '/api/2/tenants');
        $this->assertCount(1, $post);
        $body = $post[0]['json'];
        $this->assertSame('customer', $body['kind']);
        $this->assertSame($this->rootId(), $body['parent_id']);
        $this->assertSame('Acme Ltd', $body['name']);
        $this->assertSame('de_DE', $body['language']);
        $this->assertMatchesRegularExpression(
            '/^whmcs-version=[^;]+;whmcs-user-id=1;whmcs-product-id=' . $this->pid . ';whmcs-service-id=' . $this->service . '$/',
            $body['customer_id']
        );
        $this->assertSame('it@acme.test', $body['contact']['email']);
        $this->assertSame('John', $body['contact']['firstname']);
        $this->assertSame('Smith', $body['contact']['lastname']);
        $this->assertSame('+49.301234', $body['contact']['phone']);
        $this->assertSame('10115', $body['contact']['zipcode']);
        $this->assertSame('Berlin', $body['contact']['city']);
        $this->assertSame('DE', $body['contact']['country']);

        $backup = array_values(array_filter($this->sim->seed()['applications'], static fn ($a) => $a['type'] === 'backup'))[0]['id'];
        $this->assertContains($backup, $this->sim->api('GET', "/api/2/tenants/$tid/applications")['items']);

        $puts = $this->requestsTo('PUT', "/api/2/tenants/$tid/offering_items");
        $this->assertCount(1, $puts, 'one offering-items PUT');
        $sent = [];
        foreach ($puts[0]['json']['offering_items'] as $item) {
            $sent[$item['name']] = $item;
        }
        $this->assertSame(1, $sent['pw_workstations']['status']);
        $this->assertEquals(['value' => 10, 'overage' => 0, 'version' => 0], $sent['pw_workstations']['quota']);
        $this->assertSame($this->infra('backup'), $sent['pw_storage']['infra_id']);
        $this->assertEquals(['value' => 107374182400, 'overage' => 0, 'version' => 0], $sent['pw_storage']['quota']);

        $this->assertSame('production', $this->sim->api('GET', "/api/2/tenants/$tid/pricing")['mode']);

        $users = $this->requestsTo('POST', '/api/2/users');
        $this->assertCount(1, $users);
        $this->assertMatchesRegularExpression('/^W[0-9A-F]{8}$/', $users[0]['json']['login']);
        $this->assertSame($tid, $users[0]['json']['tenant_id']);
        $activation = $this->requestsTo('POST', '/api/1/actions/mail/activate');
        $this->assertCount(1, $activation);
        $this->assertSame(['login' => $users[0]['json']['login'], 'email' => 'it@acme.test'], $activation[0]['json']);
        $uid = $fields['user_id'];
        $policies = $this->requestsTo('PUT', "/api/2/users/$uid/access_policies");
        $this->assertCount(1, $policies);
        $this->assertCount(1, $policies[0]['json']['items']);
        $this->assertSame('company_admin', $policies[0]['json']['items'][0]['role_id']);
        $this->assertSame('user', $policies[0]['json']['items'][0]['trustee_type']);
        $this->assertSame($users[0]['json']['login'], $fields['cloud_login']);
        $this->assertSame('Active', $this->host->ok('service:get', [$this->service])['domainstatus']);
    }

    /** Enhanced security mode travels as `settings.enhanced_security` (docs/platform-calls.md). */
    public function testEnhancedSecurityIsSentInTheSettingsObject(): void
    {
        $pid = $this->addProduct('Secure PW', $this->createTemplate($this->templateBody(['name' => 'Secure', 'enhanced_security' => true])));
        $service = $this->addService($pid);
        $this->assertSame('success', $this->module('create', $service));
        $body = $this->requestsTo('POST', '/api/2/tenants')[0]['json'];
        $this->assertSame(['enhanced_security' => true], $body['settings']);
        $this->assertArrayNotHasKey('enhanced_security', $body);
        $this->assertTrue($this->cloudTenant($this->fields($service)['tenant_id'])['settings']['enhanced_security']);

        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('create'));
        $this->assertArrayNotHasKey('settings', $this->requestsTo('POST', '/api/2/tenants')[0]['json'], 'off: nothing sent');
    }

    /** Template role "user": the user gets the default roles of the tenant's applications. */
    public function testUserRoleUserGetsTheApplicationsDefaultRoles(): void
    {
        $pid = $this->addProduct('PW users', $this->createTemplate($this->templateBody(['name' => 'Users', 'user_role' => 'user'])));
        $service = $this->addService($pid);
        $this->assertSame('success', $this->module('create', $service));
        $fields = $this->fields($service);
        $this->assertCount(1, $this->requestsTo('GET', "/api/2/tenants/{$fields['tenant_id']}/applications/roles"));
        $policies = $this->requestsTo('PUT', "/api/2/users/{$fields['user_id']}/access_policies");
        $this->assertCount(1, $policies);
        $roles = array_column($policies[0]['json']['items'], 'role_id');
        $this->assertSame(['backup_user'], $roles);
        foreach ($policies[0]['json']['items'] as $p) {
            $this->assertSame('user', $p['trustee_type']);
            $this->assertSame($fields['tenant_id'], $p['tenant_id']);
            $this->assertSame($fields['user_id'], $p['trustee_id']);
        }
        $state = $this->sim->control('GET', 'state/users/' . $fields['user_id']);
        $this->assertSame(['backup_user'], array_column($state['access_policies'], 'role_id'));
    }

    public function testL2TenantNameDeduplication(): void
    {
        foreach (['Acme Ltd', 'acme ltd /2', 'Acme Ltd Group'] as $name) {
            $this->sim->api('POST', '/api/2/tenants', ['kind' => 'customer', 'parent_id' => $this->rootId(), 'name' => $name]);
        }
        $this->assertSame('success', $this->module('create'));
        $this->assertSame('Acme Ltd /3', $this->cloudTenant($this->fields()['tenant_id'])['name']);
    }

    public function testL3NameFromPerson(): void
    {
        $this->host->sql('UPDATE tblclients SET companyname = ? WHERE id = ?', ['', $this->client]);
        $this->assertSame('success', $this->module('create'));
        $this->assertSame('John Smith', $this->cloudTenant($this->fields()['tenant_id'])['name']);
    }

    public function testL4RequestedLogin(): void
    {
        $this->setField('cloud_login', 'john.doe@acme');
        $this->assertSame('success', $this->module('create'));
        $this->assertSame('john.doe@acme', $this->requestsTo('POST', '/api/2/users')[0]['json']['login']);
        $this->assertSame('john.doe@acme', $this->fields()['cloud_login']);
    }

    /**
     * L5 with issue 4's rule: the requested login is checked before the first write, so a bad
     * login creates nothing (the reference created the tenant first and left it behind).
     */
    public function testL5InvalidRequestedLoginCreatesNothing(): void
    {
        $this->setField('cloud_login', 'john doe');
        $result = $this->module('create');
        $this->assertSame(
            'The login can consist of uppercase and lowercase Latin letters (a-z, A-Z) (ASCII:65-90, 97-122), digits 0 to 9 (ASCII: 48-57), special characters: period symbol ("."), underscore symbol ("_"), hyphen symbol ("-"), plus symbol ("+"), and symbol "@"',
            $result
        );
        $this->assertSame([], $this->serviceTenants(), 'nothing created on the platform');
        $this->assertSame('', $this->fields()['tenant_id'] ?? '');

        $this->setField('cloud_login', 'john.doe');
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('create'));
        $this->assertCount(1, $this->requestsTo('POST', '/api/2/tenants'));
        $this->assertSame('john.doe', $this->requestsTo('POST', '/api/2/users')[0]['json']['login']);
        $this->assertCount(1, $this->serviceTenants());
    }

    /** L5's re-sync half: a stored tenant without a user gets only the user on the next run. */
    public function testL5StoredTenantWithoutUserGetsOnlyTheUser(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $this->setField('user_id', '');
        $this->setField('cloud_login', 'second.admin');
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('create'));
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
        $this->assertCount(1, $this->requestsTo('PUT', "/api/2/tenants/$tid"));
        $this->assertCount(1, $this->requestsTo('POST', '/api/2/users'));
        $this->assertSame($tid, $this->fields()['tenant_id']);
    }

    public function testL6LoginTaken(): void
    {
        $this->sim->api('POST', '/api/2/users', ['tenant_id' => $this->rootId(), 'login' => 'admin1', 'contact' => ['email' => 'a@b.test']]);
        $this->setField('cloud_login', 'admin1');
        $this->assertSame('The login "admin1" is already used for another client.', $this->module('create'));
        $this->assertSame([], $this->serviceTenants(), 'nothing created on the platform');
    }

    public function testL7GeneratedLoginRetries(): void
    {
        $this->sim->faults([['kind' => 'check_login_taken', 'next' => 1]]);
        $this->assertSame('success', $this->module('create'));
        $checks = $this->requestsTo('GET', '/api/2/users/check_login');
        $this->assertCount(2, $checks);
        $this->assertNotSame($checks[0]['query'], $checks[1]['query']);
        $this->assertSame($this->fields()['cloud_login'], $this->requestsTo('POST', '/api/2/users')[0]['json']['login']);

        $other = $this->addService($this->pid);
        $this->sim->faults([['kind' => 'check_login_taken']]);
        $this->assertSame('Cannot generate the login for the user.', $this->module('create', $other));
    }

    public function testL8PasswordActivation(): void
    {
        $this->writeConfig([], "product:\n  ask_user_credentials: true\n");
        $pid = $this->addProduct('Acronis PW with password', $this->template, ['configoption2' => 'password']);
        $service = $this->addService($pid);
        $this->setField('cloud_password', 'Secret12', $service, $pid);
        $this->assertSame('success', $this->module('create', $service));
        $login = $this->fields($service)['cloud_login'];
        $get = $this->requestsTo('GET', '/api/1/actions/mail/activate');
        $this->assertCount(1, $get);
        $this->assertStringContainsString('email=it%40acme.test', $get[0]['query']);
        $activate = $this->requestsTo('POST', '/api/1/actions/activate');
        $this->assertCount(1, $activate);
        $this->assertSame(['password' => 'Secret12'], $activate[0]['json']);
        $this->assertArrayNotHasKey('cloud_password', $this->fields($service), 'the password is not kept');
        $this->assertCount(0, $this->requestsTo('POST', '/api/1/actions/mail/activate'));
        $this->assertTrue($this->sim->api('GET', '/api/2/users/' . $this->fields($service)['user_id'])['activated']);
        $this->assertNotSame('', $login);
        $this->secrets[] = 'Secret12';
        $this->assertNoSecretIn('module log', json_encode($this->host->moduleLog()));
        $this->assertNoSecretIn('activity log', json_encode($this->host->activityLog()));
    }

    public function testL9PasswordActivationWithoutPassword(): void
    {
        $this->writeConfig([], "product:\n  ask_user_credentials: true\n");
        $pid = $this->addProduct('Acronis PW with password', $this->template, ['configoption2' => 'password']);
        $service = $this->addService($pid);
        $this->assertSame('Cannot activate the user without a password.', $this->module('create', $service));
        // Checked before the first write (the reference created tenant and user first).
        $this->assertSame('', $this->fields($service)['user_id'] ?? '');
        $this->assertSame([], $this->serviceTenants($service));
    }

    public function testL10MissingEmail(): void
    {
        $this->host->sql('UPDATE tblclients SET email = ? WHERE id = ?', ['', $this->client]);
        $this->assertSame('The user email is required for provisioning.', $this->module('create'));
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
    }

    public function testL11TrialForFreeProducts(): void
    {
        $pid = $this->addProduct('Acronis trial', $this->template, ['paytype' => 'free']);
        $service = $this->addService($pid);
        $this->assertSame('success', $this->module('create', $service));
        $tid = $this->fields($service)['tenant_id'];
        $this->assertSame('trial', $this->sim->api('GET', "/api/2/tenants/$tid/pricing")['mode']);
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid/pricing"), 'already trial: no PUT');

        $this->assertSame('success', $this->module('create'));
        $paid = $this->fields()['tenant_id'];
        $put = $this->requestsTo('PUT', "/api/2/tenants/$paid/pricing");
        $this->assertCount(1, $put);
        $this->assertSame('production', $put[0]['json']['mode']);
    }

    public function testL12OverageRatioForCustomers(): void
    {
        $this->writeConfig([], "product:\n  overage_ratio: 1.5\n");
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $this->assertEquals(10, $items['pw_workstations:']['quota']['value']);
        $this->assertEquals(5, $items['pw_workstations:']['quota']['overage']);
        $storage = $items['pw_storage:' . $this->infra('backup')]['quota'];
        $this->assertEquals(107374182400, $storage['value']);
        $this->assertEquals(53687091200, $storage['overage']);
    }

    public function testL13NoOverageForPartnersAndClamping(): void
    {
        $this->writeConfig([], "product:\n  overage_ratio: 1.5\n");
        $partner = $this->createTemplate($this->templateBody(['name' => 'Partners PW', 'tenant_kind' => 'partner']));
        $pid = $this->addProduct('Acronis partner', $partner);
        $service = $this->addService($pid);
        $this->assertSame('success', $this->module('create', $service));
        $tid = $this->fields($service)['tenant_id'];
        $this->assertSame('partner', $this->cloudTenant($tid)['kind']);
        $this->assertEquals(0, $this->cloudItems($tid)['pw_workstations:']['quota']['overage']);

        $this->writeConfig([], "product:\n  overage_ratio: 0.8\n");
        $this->assertSame('success', $this->module('create'));
        $this->assertEquals(0, $this->cloudItems($this->fields()['tenant_id'])['pw_workstations:']['quota']['overage']);
    }

    public function testL14TemplatePlusConfigurableOptionQuantity(): void
    {
        $this->writeConfig([], "product:\n  overage_ratio: 1.5\n");
        $this->setOption('pw_workstations:quantity:|Workstations', 5);
        $this->assertSame('success', $this->module('create'));
        $q = $this->cloudItems($this->fields()['tenant_id'])['pw_workstations:']['quota'];
        $this->assertEquals(15, $q['value']);
        $this->assertEquals(7.5, $q['overage']);
    }

    public function testL15UnlimitedWins(): void
    {
        $body = $this->templateBody(['name' => 'Unlimited workstations']);
        $body['applications'][0]['offering_items'][0]['quota_value'] = null;
        $pid = $this->addProduct('Unlimited', $this->createTemplate($body));
        $service = $this->addService($pid);
        $this->setOption('pw_workstations:quantity:|Workstations', 5, '4', $service, $pid);
        $this->assertSame('success', $this->module('create', $service));
        $put = $this->requestsTo('PUT', '/api/2/tenants/' . $this->fields($service)['tenant_id'] . '/offering_items')[0]['json'];
        $ws = array_values(array_filter($put['offering_items'], static fn ($i) => $i['name'] === 'pw_workstations'))[0];
        $this->assertNull($ws['quota']['value'] ?? null);
        $this->assertEquals(0, $ws['quota']['overage'] ?? 0);
    }

    public function testL16OptionDisabledRemovesItem(): void
    {
        $this->setOption('pw_servers:quantity:|Servers', 3);
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $this->assertEquals(3, $this->cloudItems($tid)['pw_servers:']['quota']['value']);

        $this->setOption('pw_servers:quantity:|Servers', 0);
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('changepackage'));
        $put = $this->requestsTo('PUT', "/api/2/tenants/$tid/offering_items")[0]['json']['offering_items'];
        $servers = array_values(array_filter($put, static fn ($i) => $i['name'] === 'pw_servers'));
        $this->assertCount(1, $servers);
        $this->assertSame(0, $servers[0]['status']);
        $this->assertArrayNotHasKey('quota', $servers[0]);
        $this->assertSame([], array_values(array_filter($put, static fn ($i) => $i['status'] === 0 && $i['name'] !== 'pw_servers')),
            'only active catalog items are disabled');
        $this->assertArrayNotHasKey('pw_servers:', $this->cloudItems($tid));
    }

    public function testL17FeatureUnitYesNoOption(): void
    {
        $this->setOption('pw_servers:feature:|Servers', 1, '3');
        $this->assertSame('success', $this->module('create'));
        $put = $this->requestsTo('PUT', '/api/2/tenants/' . $this->fields()['tenant_id'] . '/offering_items')[0]['json']['offering_items'];
        $servers = array_values(array_filter($put, static fn ($i) => $i['name'] === 'pw_servers'))[0];
        $this->assertSame(1, $servers['status']);
        $this->assertArrayNotHasKey('quota', $servers);
    }

    /** Manual 6.3 (J.2 #24 fixed): a ticked Yes/No option on a countable item adds no quota. */
    public function testYesNoOptionOnCountableItemUsesTheTemplateQuota(): void
    {
        $this->setOption('pw_workstations:quantity:|Workstations', 1, '3');
        $this->assertSame('success', $this->module('create'));
        $this->assertEquals(10, $this->cloudItems($this->fields()['tenant_id'])['pw_workstations:']['quota']['value']);
    }

    /** The same value from a quantity option still adds (L14), so the option type is what counts. */
    public function testQuantityOptionOfOneStillAddsOne(): void
    {
        $this->setOption('pw_workstations:quantity:|Workstations', 1, '4');
        $this->assertSame('success', $this->module('create'));
        $this->assertEquals(11, $this->cloudItems($this->fields()['tenant_id'])['pw_workstations:']['quota']['value']);
    }

    public function testYesNoOptionOnCountableItemOutsideTheTemplateIsRefused(): void
    {
        $this->setOption('pw_servers:quantity:|Servers', 1, '3');
        $result = $this->module('create');
        $this->assertStringContainsString('does not contain this offering item', $result);
        $this->assertStringContainsString('pw_servers:quantity:', $result);
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'), 'checked before anything is created');
    }

    public function testL18StorageOptionForCustomerResolvesTemplateInfra(): void
    {
        $this->setOption('pw_storage:gigabytes:|Cloud Storage', 50);
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $storage = array_values(array_filter($items, static fn ($i) => $i['name'] === 'pw_storage'));
        $this->assertCount(1, $storage, 'one merged storage item');
        $this->assertSame($this->infra('backup'), $storage[0]['infra_id']);
        $this->assertEquals(161061273600, $storage[0]['quota']['value']);
    }

    public function testL19DrInfraResolutionByLocation(): void
    {
        $this->setOption('pw_dr_storage:gigabytes:|Disaster recovery storage', 20);
        $this->assertSame('success', $this->module('create'));
        $items = $this->cloudItems($this->fields()['tenant_id']);
        $dr = $items['pw_dr_storage:' . $this->infra('disaster_recovery')] ?? null;
        $this->assertNotNull($dr, 'DR storage on the DR infra of the backup location');
        $this->assertEquals(21474836480, $dr['quota']['value']);
    }

    public function testL20PartnerStorageOptionWithoutInfra(): void
    {
        $partner = $this->createTemplate($this->templateBody(['name' => 'Partners PW', 'tenant_kind' => 'partner']));
        $pid = $this->addProduct('Acronis partner', $partner);
        $service = $this->addService($pid);
        $this->setOption('pw_storage:gigabytes:|Cloud Storage', 50, '4', $service, $pid);
        $this->assertSame(
            'The infrastructure component ID is required for the configurable option "pw_storage:gigabytes:". Please specify the ID for the configurable option.',
            $this->module('create', $service)
        );
        $this->assertSame([], $this->serviceTenants($service), 'nothing created on the platform');

        $other = $this->addService($pid);
        $this->setOption('pw_storage:gigabytes:' . $this->infra('backup') . '|Cloud Storage', 50, '4', $other, $pid);
        $this->assertSame('success', $this->module('create', $other));
        $items = $this->cloudItems($this->fields($other)['tenant_id']);
        $this->assertEquals(107374182400 + 53687091200, $items['pw_storage:' . $this->infra('backup')]['quota']['value']);
    }

    public function testL21UnsupportedOptionItemEvenWithValueZero(): void
    {
        $this->setOption('foo_bar:quantity:|Foo', 0);
        $this->assertSame('The unsupported offering item "foo_bar" is used for the configurable option "foo_bar:quantity:".', $this->module('create'));
        $this->assertSame([], $this->serviceTenants());
    }

    public function testL22UnsupportedOptionUnit(): void
    {
        $this->setOption('pw_servers:pieces:|Servers', 2);
        $this->assertSame('The unsupported measurement unit "pieces" is used for the configurable option "pw_servers:pieces:".', $this->module('create'));
    }

    public function testL23QuotaOnAFeatureItem(): void
    {
        $this->setOption('pw_o365_mailboxes:quantity:|Mailboxes', 3);
        $result = $this->module('create');
        $this->assertSame(
            'Unable to specify any quota for the feature offering item "pw_o365_mailboxes". Please change the measurement unit "quantity" to "feature" for the configurable option "pw_o365_mailboxes:quantity:".',
            $result
        );
    }

    public function testL24UnitKindMismatch(): void
    {
        $this->setOption('pw_workstations:gigabytes:|W', 2);
        $this->assertSame(
            'Unable to convert the configurable option measurement unit "gigabytes" to the offering item measurement unit "quantity" for the configurable option "pw_workstations:gigabytes:".',
            $this->module('create')
        );
    }

    public function testL25ChildItemWithoutParent(): void
    {
        $this->setOption('pw_o365_mailboxes:feature:|Mailboxes', 1, '3');
        $this->assertSame('The selected configurable option(s) belong to one or more offering items that are disabled.', $this->module('create'));
        $this->assertSame([], array_filter($this->sim->requests(), static fn ($r) => $r['method'] === 'PUT' && str_ends_with($r['path'], '/offering_items')));
    }

    public function testL26RootTenantLacksTheItem(): void
    {
        $dr = $this->infra('disaster_recovery');
        $this->sim->control('POST', 'seed', ['root_disabled_items' => [['name' => 'pw_public_ips', 'infra_id' => $dr]]]);
        $this->setOption('pw_public_ips:quantity:|IPs', 1);
        $result = $this->module('create');
        $this->assertSame(
            'The offering item "pw_public_ips" is not enabled. Please enable this offering item for your root tenant or edit the configurable option "pw_public_ips:quantity:" for the product.',
            $result
        );
        $this->assertSame([], $this->serviceTenants());
    }

    public function testL38CloudValidationErrorPassthrough(): void
    {
        // The simulator's error envelope carries `details: {"info": …}`: the result is exactly that JSON.
        $this->sim->faults([['kind' => 'http_5xx', 'status' => 400, 'method' => 'POST', 'path' => '/api/2/tenants', 'next' => 1]]);
        $this->assertSame('{"info":"Injected server error"}', $this->module('create'));
        $this->assertSame([], $this->serviceTenants());
    }

    public function testMissingOrDeletedTemplateIsAClearError(): void
    {
        $this->host->sql('UPDATE tblproducts SET configoption1 = ? WHERE id = ?', ['999', $this->pid]);
        $this->assertSame('Template 999 not found.', $this->module('create'));
        $this->host->sql('UPDATE tblproducts SET configoption1 = ? WHERE id = ?', ['', $this->pid]);
        $this->assertStringContainsString('Template', $this->module('create'));
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
    }

    public function testNonUuidInfraIdInOptionIsRefused(): void
    {
        $this->setOption('pw_storage:gigabytes:storage-1|Storage', 5);
        $this->assertSame(
            'The invalid infrastructure component ID "storage-1" is specified for the configurable option "pw_storage:gigabytes:storage-1". Please specify UUID or leave blank.',
            $this->module('create')
        );
        $this->assertSame([], $this->serviceTenants());
    }

    public function testDropdownOptionValueIsRefusedWithTheOptionName(): void
    {
        $gid = null;
        $this->setOption('pw_servers:quantity:|Servers', 1);
        $option = $this->host->sql('SELECT id, gid FROM tblproductconfigoptions WHERE optionname = ?', ['pw_servers:quantity:|Servers'])[0];
        $this->host->sql('UPDATE tblproductconfigoptions SET optiontype = ? WHERE id = ?', ['1', $option['id']]);
        $this->host->sql('INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, ?, 0, 0)', [$option['id'], 'Three|3 servers']);
        $result = $this->module('create');
        $this->assertStringContainsString('"pw_servers:quantity:" has the value "Three"', $result);
        $this->assertSame([], $this->serviceTenants());
        $this->assertNull($gid);
    }

    public function testOptionsThatAreNotTheModulesAreIgnored(): void
    {
        $this->setOption('pw_servers:quantity:|Servers', 2);
        $this->setOption('Support level', 1);
        $option = $this->host->sql('SELECT id FROM tblproductconfigoptions WHERE optionname = ?', ['Support level'])[0];
        $this->host->sql('UPDATE tblproductconfigoptions SET optiontype = ? WHERE id = ?', ['1', $option['id']]);
        $this->host->sql('INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, ?, 0, 0)', [$option['id'], 'Gold|Gold support']);
        $this->assertSame('success', $this->module('create'));
        $this->assertEquals(2, $this->cloudItems($this->fields()['tenant_id'])['pw_servers:']['quota']['value']);
    }

    public function testSecondCreateAccountResyncsWithoutDuplicates(): void
    {
        $this->assertSame('success', $this->module('create'));
        $first = $this->fields();
        $this->sim->clearRequests();
        $this->assertSame('success', $this->module('create'));
        $this->assertSame($first['tenant_id'], $this->fields()['tenant_id']);
        $this->assertSame($first['user_id'], $this->fields()['user_id']);
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/tenants'));
        $this->assertCount(0, $this->requestsTo('POST', '/api/2/users'));
        $this->assertCount(1, $this->serviceTenants());
    }
}
