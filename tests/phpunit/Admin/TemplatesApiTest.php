<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * Template CRUD and configurable options through HTTP, as the admin UI calls them: the emulated
 * WHMCS in browser mode, the addon's `_output`, the template tables in the WHMCS database and the simulator
 * (docs/behaviour.md L46-L56).
 */
final class TemplatesApiTest extends ModuleTestCase
{
    private AdminHttp $admin;
    private int $server;

    protected function setUp(): void
    {
        parent::setUp();
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->server = $this->addServer();
        $this->admin = new AdminHttp($this->host->serve(['csrf' => $this->csrfMode()]));
    }

    protected function csrfMode(): string
    {
        return 'strict';
    }

    protected function tearDown(): void
    {
        $this->host->stopServer();
        parent::tearDown();
    }

    private function infra(string $capability, bool $platformOwned = true): string
    {
        foreach ($this->sim->seed()['infras'] as $i) {
            if (in_array($capability, $i['capabilities'], true) && $i['platform_owned'] === $platformOwned) {
                return $i['id'];
            }
        }
        $this->fail("no $capability infra in the simulator seed");
    }

    private function template(array $over = []): array
    {
        return $over + [
            'name' => 'Customers PW', 'description' => 'Per workload', 'server_id' => $this->server,
            'tenant_kind' => 'customer', 'user_role' => 'admin',
            'applications' => [[
                'type' => 'backup', 'status' => 'active',
                'editions' => [['name' => 'per_workload', 'status' => 'active']],
                'offering_items' => [
                    ['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 10, 'status' => 'active'],
                    ['name' => 'pw_storage', 'measurement_unit' => 'bytes', 'infra_id' => $this->infra('backup'), 'quota_value' => 107374182400, 'status' => 'active'],
                ],
            ]],
        ];
    }

    private function create(array $body): array
    {
        return $this->admin->api('POST', 'create_template', [], $body);
    }

    public function testL46CreatePartnerTemplateForcesAdmin(): void
    {
        $r = $this->create($this->template(['tenant_kind' => 'partner', 'user_role' => 'user', 'name' => 'Partners']));
        $this->assertSame(200, $r['status'], $r['body']);
        $id = $r['json']['id'];
        $this->assertIsInt($id);
        $t = $this->admin->api('GET', 'get_template', ['template_id' => $id])['json'];
        $this->assertSame('admin', $t['user_role']);
        $this->assertSame('partner', $t['tenant_kind']);
        $this->assertSame(10, $t['applications'][0]['offering_items'][0]['quota_value']);
        $list = $this->admin->api('GET', 'list_templates')['json'];
        $this->assertSame(['Partners'], array_column($list, 'name'));
    }

    public function testL47EmptyName(): void
    {
        $r = $this->create($this->template(['name' => '']));
        $this->assertSame(422, $r['status']);
        $this->assertSame('Invalid template data.', $r['json']['error']['message']);
        $this->assertSame(['The name field is required.'], $r['json']['error']['details']['errors']['name']);
    }

    public function testL48CustomerWithTwoEditions(): void
    {
        $body = $this->template();
        $body['applications'][0]['editions'][] = ['name' => 'per_gigabyte', 'status' => 'active'];
        $r = $this->create($body);
        $this->assertSame(422, $r['status']);
        $this->assertStringStartsWith('Applications can have only one edition when the tenant kind is customer. Details: ', $r['json']['error']['details']['errors']['applications'][0]);
    }

    public function testL49CustomerWithTwoInfrasForOneItem(): void
    {
        $body = $this->template();
        $body['applications'][0]['offering_items'][] = ['name' => 'pw_storage', 'measurement_unit' => 'bytes', 'infra_id' => $this->infra('backup', false), 'quota_value' => 1, 'status' => 'active'];
        $r = $this->create($body);
        $this->assertSame(422, $r['status']);
        $this->assertStringStartsWith('Only one infrastructure component can be enabled for a tenant of the "Customer" type.', $r['json']['error']['details']['errors']['applications'][0]);
    }

    /** @dataProvider l50Cases */
    public function testL50ItemRules(array $items, string $message): void
    {
        $body = $this->template();
        $body['applications'][0]['offering_items'] = $items;
        $r = $this->create($body);
        $this->assertSame(422, $r['status'], $r['body']);
        $this->assertStringStartsWith($message, $r['json']['error']['details']['errors']['applications'][0]);
    }

    public function l50Cases(): array
    {
        $seats = ['name' => 'pw_o365_seats', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => 5, 'status' => 'active'];
        $mail = ['name' => 'pw_o365_mailboxes', 'measurement_unit' => 'feature', 'infra_id' => null, 'status' => 'active'];
        return [
            'feature with quota' => [[$seats, $mail + ['quota_value' => 5]], 'Offering item that is a feature cannot have quota value.'],
            'child without parent' => [[['status' => 'inactive'] + $seats, $mail], 'Offering item is a child of an offering item that is inactive or missing.'],
            'string quota' => [[['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => '10', 'status' => 'active']], 'Offering item quota value (if set) must be a positive integer.'],
        ];
    }

    public function testL51ImmutableFieldsOnUpdate(): void
    {
        $id = $this->create($this->template())['json']['id'];
        $r = $this->admin->api('POST', 'update_template', ['template_id' => $id], $this->template(['tenant_kind' => 'partner', 'user_role' => 'user', 'name' => 'New name']));
        $this->assertSame(200, $r['status'], $r['body']);
        $this->assertSame('New name', $r['json']['name'], 'fresh data is returned (J.2 #15)');
        $t = $this->admin->api('GET', 'get_template', ['template_id' => $id])['json'];
        $this->assertSame(['New name', 'customer', 'admin'], [$t['name'], $t['tenant_kind'], $t['user_role']]);
    }

    public function testL52DeleteProtection(): void
    {
        $id = $this->create($this->template())['json']['id'];
        $pid = (int) $this->host->ok('product:add', ['name' => 'Acronis PW 100', 'module' => 'acroniscloud'])['pid'];
        $this->host->ok('sql', ['UPDATE tblproducts SET configoption1 = ? WHERE id = ?', 'bind' => [(string) $id, $pid]]);
        $r = $this->admin->api('POST', 'delete_template', ['template_id' => $id]);
        $this->assertSame(400, $r['status']);
        $this->assertSame('Cannot delete template because it is still used by the following products: Acronis PW 100.', $r['json']['error']['message']);
        $this->assertSame(['products' => ['Acronis PW 100'], 'error_code' => 'service_template_is_used'], $r['json']['error']['details']);
        $this->host->ok('sql', ['DELETE FROM tblproducts WHERE id = ?', 'bind' => [$pid]]);
        $r = $this->admin->api('POST', 'delete_template', ['template_id' => $id]);
        $this->assertSame(['success' => true], $r['json']);
        $this->assertSame([], $this->admin->api('GET', 'list_templates')['json']);
    }

    public function testL53TemplateIdParsing(): void
    {
        $r = $this->admin->api('GET', 'get_template', ['template_id' => 'abc']);
        $this->assertSame(422, $r['status']);
        $this->assertSame('The id field is required and must be a positive number.', $r['json']['error']['message']);
        $this->assertSame(400, $this->admin->api('GET', 'get_template')['status']);
        $r = $this->admin->api('GET', 'get_template', ['template_id' => '999']);
        $this->assertSame(200, $r['status']);
        $this->assertSame('null', $r['body']);
    }

    public function testL54WrongMethod(): void
    {
        $r = $this->admin->api('GET', 'create_template');
        $this->assertSame(405, $r['status']);
        $this->assertSame('POST', $r['headers']['allow']);
        $this->assertSame(['error' => ['code' => 405, 'message' => 'Only POST requests allowed.', 'details' => ['Allow' => ['POST']]]], $r['json']);
    }

    public function testCopyTemplate(): void
    {
        $id = $this->create($this->template())['json']['id'];
        $r = $this->admin->api('POST', 'copy_template', ['template_id' => $id], ['name' => 'Customers PW (copy)']);
        $this->assertSame(200, $r['status'], $r['body']);
        $copy = $this->admin->api('GET', 'get_template', ['template_id' => $r['json']['id']])['json'];
        $this->assertSame('Customers PW (copy)', $copy['name']);
        $this->assertSame($this->template()['applications'][0]['offering_items'][1]['quota_value'], $copy['applications'][0]['offering_items'][1]['quota_value']);
    }

    public function testL55ConfigurableOptionsAreCreatedOnceAndUpdatedOnRerun(): void
    {
        $body = ['name' => 'PW extras', 'server_id' => $this->server, 'edition' => 'per_workload'];
        $r = $this->admin->api('POST', 'create_options', ['product_id' => 1], $body);
        $this->assertSame(200, $r['status'], $r['body']);
        $gid = $r['json']['id'];
        $options = $this->host->sql('SELECT id, optionname, optiontype, qtyminimum, qtymaximum, hidden FROM tblproductconfigoptions WHERE gid = ? ORDER BY `order`', [$gid]);
        $names = array_column($options, 'optionname');
        $this->assertNotEmpty($names);
        $this->assertSame(count($names), count(array_unique(array_map(fn ($n) => explode(':', $n)[0], $names))), 'one option per item');
        $this->assertEmpty(array_filter($names, fn ($n) => str_starts_with($n, 'pg_')), 'other editions are left out');
        $storage = array_values(array_filter($options, fn ($o) => str_starts_with($o['optionname'], 'pw_storage:')))[0];
        $this->assertSame('pw_storage:gigabytes:|', substr($storage['optionname'], 0, 22));
        $this->assertSame(4, (int) $storage['optiontype']);
        $feature = array_values(array_filter($options, fn ($o) => str_contains($o['optionname'], ':feature:')))[0];
        $this->assertSame(3, (int) $feature['optiontype']);
        $sub = $this->host->sql('SELECT optionname FROM tblproductconfigoptionssub WHERE configid = ?', [$storage['id']]);
        $this->assertSame('Gb', $sub[0]['optionname']);
        $this->assertNotEmpty($this->host->sql("SELECT id FROM tblpricing WHERE type = 'configoptions'"));
        $this->assertCount(1, $this->host->sql('SELECT * FROM tblproductconfiglinks WHERE gid = ? AND pid = 1', [$gid]));
        // Re-running updates the same group instead of creating a second one.
        $again = $this->admin->api('POST', 'create_options', ['product_id' => 1], $body);
        $this->assertSame($gid, $again['json']['id']);
        $this->assertCount(1, $this->host->sql("SELECT id FROM tblproductconfiggroups WHERE name = 'PW extras'"));
        $this->assertCount(count($options), $this->host->sql('SELECT id FROM tblproductconfigoptions WHERE gid = ?', [$gid]));
    }

    public function testL56InvalidEdition(): void
    {
        $r = $this->admin->api('POST', 'create_options', [], ['name' => 'X', 'server_id' => $this->server, 'edition' => 'super']);
        $this->assertSame(422, $r['status']);
        $this->assertSame('Invalid configurable option data.', $r['json']['error']['message']);
        $this->assertSame([], $this->host->sql('SELECT id FROM tblproductconfiggroups'));
    }

    public function testL84ProductSettingsListTheTemplates(): void
    {
        $id = $this->create($this->template(['name' => 'Gold']))['json']['id'];
        $opts = $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud']);
        $this->assertSame([(string) $id => 'Gold'], $opts['templateId']['Options']);
    }

    public function testCorruptTemplateRowIsReportedAndKept(): void
    {
        $id = $this->create($this->template(['name' => 'Damaged']))['json']['id'];
        $this->host->sql("UPDATE acroniscloud_service_template_applications SET editions = 'not json' WHERE template_id = ?", [$id]);
        $r = $this->admin->api('GET', 'get_template', ['template_id' => $id]);
        $this->assertSame(500, $r['status']);
        $this->assertStringContainsString('The template tables hold an invalid editions "not json"', $r['json']['error']['message']);
        $this->assertSame('not json', $this->host->sql('SELECT editions FROM acroniscloud_service_template_applications WHERE template_id = ?', [$id])[0]['editions'], 'the damaged row is left untouched');
        // The rest keeps working: the list and Module Settings show the template.
        $this->assertSame(200, $this->admin->api('GET', 'list_templates')['status']);
        $cfg = $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud']);
        $this->assertSame('Damaged', $cfg['templateId']['Options'][(string) $id]);
    }

    /** A template row whose server was deleted in WHMCS stays readable and can be moved to a live server. */
    public function testTemplateWhoseServerIsGoneStaysReadable(): void
    {
        $id = $this->create($this->template(['name' => 'Orphaned']))['json']['id'];
        $this->host->sql('UPDATE acroniscloud_service_templates SET server_id = 999 WHERE id = ?', [$id]);
        $list = $this->admin->api('GET', 'list_templates');
        $this->assertSame(200, $list['status'], $list['body']);
        $this->assertContains('Orphaned', array_column($list['json'], 'name'));
        $get = $this->admin->api('GET', 'get_template', ['template_id' => $id]);
        $this->assertSame(200, $get['status'], $get['body']);
        $this->assertSame(999, (int) $get['json']['server_id']);
        $moved = $this->admin->api('POST', 'update_template', ['template_id' => $id], ['server_id' => $this->server] + $get['json']);
        $this->assertSame(200, $moved['status'], $moved['body']);
        $this->assertSame((string) $this->server, (string) $this->host->sql('SELECT server_id FROM acroniscloud_service_templates WHERE id = ?', [$id])[0]['server_id']);
    }

    public function testPostWithoutCsrfTokenIsRefused(): void
    {
        $r = $this->admin->api('POST', 'create_template', [], $this->template(), false);
        $this->assertSame(403, $r['status']);
        $this->assertSame([], $this->admin->api('GET', 'list_templates')['json']);
    }

    public function testUnsupportedBodyIs415(): void
    {
        $path = '/admin/addonmodules.php?module=acroniscloud&action=create_template';
        $r = $this->admin->raw('POST', $path, 'name=x', ['Content-Type: text/plain', 'X-CSRF-Token: ' . $this->admin->csrf]);
        $this->assertSame(415, $r['status']);
    }
}
