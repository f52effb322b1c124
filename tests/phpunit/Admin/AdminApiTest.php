<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Addon;
use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * The admin JSON API transport (docs/behaviour.md §D.1) and its server-scoped data sources
 * (§D.2), called the way the addon's `_output` glue calls them, against the simulator.
 */
final class AdminApiTest extends ModuleTestCase
{
    private function context(array $overrides = []): array
    {
        $seed = $this->sim->seed();
        return $overrides + [
            'admin_id' => 1, 'role_id' => 1, 'allowed_roles' => '1', 'csrf_expected' => 'tok', 'csrf_given' => '',
            'servers' => [['id' => 7, 'name' => 'Acronis EU2', 'hostname' => 'localhost', 'disabled' => 0], ['id' => 8, 'name' => 'Old', 'hostname' => 'old', 'disabled' => 1]],
            'server' => ['id' => 7, 'name' => 'Acronis EU2', 'hostname' => 'localhost', 'port' => $this->sim->port(), 'secure' => 'on',
                'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'], 'accesshash' => 'client_credentials'],
        ];
    }

    private function call(string $method, string $action, array $query = [], array $context = [], string $contentType = '', string $body = ''): array
    {
        $r = Addon::handle(
            ['method' => $method, 'action' => $action, 'query' => $query, 'content_type' => $contentType, 'body' => $body],
            $this->context($context),
            ['config_file' => $this->host->root() . '/includes/acroniscloud/config.yaml']
        );
        $this->assertIsArray($r, "$action is an API action");
        $r['json'] = json_decode($r['body'], true);
        $r['header'] = array_column($r['headers'], 1, 0);
        return $r;
    }

    public function testAddonConfigMatchesTheReference(): void
    {
        $c = $this->host->ok('module:call', ['config', 'module' => 'acroniscloud', 'addon' => true]);
        $this->assertSame('Acronis Cyber Cloud', $c['name']);
        $this->assertSame(\AcronisCloud\AcronisServer::version(), $c['version']);
        // The reference's three log switches, then issue 13's setting for moved services.
        $this->assertSame(['logging_cloud_api', 'logging_whmcs_api', 'logging_db_query', 'move_user_email'], array_keys($c['fields']));
        $this->assertSame('yesno', $c['fields']['move_user_email']['Type']);
        $this->assertSame('yesno', $c['fields']['logging_db_query']['Type']);
        $d = $this->host->ok('module:call', ['deactivate', 'module' => 'acroniscloud', 'addon' => true]);
        $this->assertSame(['status' => 'success', 'description' => 'Acronis Cyber Cloud addon deactivated successfully.'], $d);
    }

    public function testListServers(): void
    {
        $r = $this->call('GET', 'list_servers');
        $this->assertSame(200, $r['status']);
        $this->assertSame('application/json', $r['header']['Content-Type']);
        $this->assertSame([
            ['id' => 7, 'name' => 'Acronis EU2', 'hostname' => 'localhost', 'status' => 'active'],
            ['id' => 8, 'name' => 'Old', 'hostname' => 'old', 'status' => 'inactive'],
        ], $r['json']);
    }

    public function testGetLocationsListsInfrasPerLocation(): void
    {
        $r = $this->call('GET', 'get_locations', ['server_id' => '7']);
        $this->assertSame(200, $r['status'], $r['body']);
        $seed = $this->sim->seed();
        $this->assertSame(array_column($seed['locations'], 'id'), array_column($r['json'], 'location_id'));
        foreach ($r['json'] as $location) {
            $this->assertNotEmpty($location['infras']);
            foreach ($location['infras'] as $infra) {
                $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $infra['infra_id']);
                $this->assertNotEmpty($infra['capabilities']);
            }
        }
        // Memoised within one request: each catalogue read happens once.
        // (A token cached by this worker may be stale after the simulator reset: 401s repeat.)
        $ok = array_filter($this->sim->requests(), fn ($x) => $x['status'] === 200);
        $paths = array_map(fn ($x) => $x['method'] . ' ' . $x['path'] . '?' . $x['query'], $ok);
        $this->assertSame(count($paths), count(array_unique($paths)));
    }

    public function testServerIdRules(): void
    {
        $r = $this->call('GET', 'get_locations');
        $this->assertSame(400, $r['status']);
        $this->assertSame('Server ID must be present.', $r['json']['error']['message']);
        $this->assertSame('service_template_no_server_id', $r['json']['error']['details']['error_code']);
        $r = $this->call('GET', 'get_locations', ['server_id' => '99']);
        $this->assertSame(404, $r['status']);
        $r = $this->call('GET', 'get_locations', ['server_id' => '7'], ['server' => ['id' => 7, 'hostname' => 'localhost', 'username' => 'u', 'password' => '']]);
        $this->assertSame(400, $r['status']);
        $this->assertSame('Please specify Password for server 7.', $r['json']['error']['message']);
    }

    public function testPlatformErrorsKeepTheirStatusAndCode(): void
    {
        $this->sim->faults([['kind' => 'http_5xx', 'path' => '/api/2/tenants/*/locations', 'status' => 503]]);
        $r = $this->call('GET', 'get_locations', ['server_id' => '7']);
        $this->assertSame(503, $r['status']);
        $this->assertSame('api_internal_server_error', $r['json']['error']['details']['error_code']);
        $this->sim->faults([['kind' => 'connection_reset', 'path' => '/api/2/tenants/*/locations']]);
        $r = $this->call('GET', 'get_locations', ['server_id' => '7']);
        $this->assertSame(502, $r['status']);
        $this->assertSame('api_connection_problem', $r['json']['error']['details']['error_code']);
    }

    public function testOneMethodPerAction(): void
    {
        $r = $this->call('POST', 'list_servers', [], ['csrf_given' => 'tok']);
        $this->assertSame(405, $r['status']);
        $this->assertSame('GET', $r['header']['Allow']);
        $this->assertSame('Only GET requests allowed.', $r['json']['error']['message']);
    }

    public function testSessionAndAddonAccessAreChecked(): void
    {
        $this->assertSame(401, $this->call('GET', 'list_servers', [], ['admin_id' => 0])['status']);
        $this->assertSame(403, $this->call('GET', 'list_servers', [], ['role_id' => 3, 'allowed_roles' => '1,2'])['status']);
        $this->assertSame(200, $this->call('GET', 'list_servers', [], ['role_id' => 2, 'allowed_roles' => '1,2'])['status']);
    }

    public function testPageActionsAreNotApiCalls(): void
    {
        $this->assertFalse(Addon::isApiAction(''));
        $this->assertFalse(Addon::isApiAction('index'));
        $this->assertTrue(Addon::isApiAction('list_servers'));
        $this->assertNull(Addon::handle(['method' => 'GET', 'action' => 'index'], $this->context()));
    }
}
