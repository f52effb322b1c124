<?php

namespace AcronisCloud\Tests\ClientArea;

use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * The client area of a service (docs/behaviour.md §A.10, §A.11, §E, scenarios L57-L63)
 * through the real module file and glue in emulated WHMCS requests. The tenant and user are
 * provisioned straight in the simulator and written to the service's custom fields, so these
 * tests do not depend on CreateAccount.
 */
final class ClientAreaTest extends ModuleTestCase
{
    private int $serviceId;
    private int $serverId;
    private string $tenantId;
    private string $userId;
    private string $login;

    protected function setUp(): void
    {
        parent::setUp();
        $this->serverId = $this->addServer();
        [$this->tenantId, $this->userId, $this->login] = $this->provision('customer');
        $this->serviceId = $this->service($this->tenantId, $this->userId);
    }

    /** A tenant with backup items and usage, and its user at version 3 with L58's notifications. */
    private function provision(string $kind): array
    {
        $seed = $this->sim->seed();
        $tenant = $this->sim->api('POST', '/api/2/tenants', ['kind' => $kind, 'parent_id' => $seed['root_tenant_id'],
            'name' => 'Acme ' . $kind . ' ' . bin2hex(random_bytes(3)), 'contact' => ['email' => 'it@acme.test']]);
        $tid = $tenant['id'];
        $backup = array_values(array_filter($seed['applications'], fn ($a) => $a['type'] === 'backup'))[0]['id'];
        $infra = $seed['infras'][0]['id'];
        $this->sim->api('POST', "/api/2/applications/$backup/bindings/tenants/$tid", []);
        $this->sim->api('PUT', "/api/2/tenants/$tid/offering_items", ['offering_items' => [
            ['application_id' => $backup, 'name' => 'pw_workstations', 'status' => 1, 'quota' => ['value' => 10, 'overage' => 0]],
            ['application_id' => $backup, 'name' => 'pw_storage', 'infra_id' => $infra, 'status' => 1, 'quota' => ['value' => 107374182400, 'overage' => 0]],
        ]]);
        $this->sim->control('PUT', 'usage', ['items' => [
            ['tenant_id' => $tid, 'name' => 'pw_workstations', 'value' => 3],
            ['tenant_id' => $tid, 'name' => 'pw_storage', 'infra_id' => $infra, 'value' => 5368709120],
        ]]);
        $login = 'acme-' . $kind . '-' . bin2hex(random_bytes(3));
        $user = $this->sim->api('POST', '/api/2/users', ['tenant_id' => $tid, 'login' => $login, 'contact' => ['email' => 'it@acme.test']]);
        $version = $user['version'];
        foreach ([['quota'], ['backup_error', 'quota']] as $notes) {
            $version = $this->sim->api('PUT', '/api/2/users/' . $user['id'], ['notifications' => $notes, 'version' => $version])['version'];
        }
        $this->assertSame(3, $version);
        $this->sim->clearRequests();
        return [$tid, $user['id'], $login];
    }

    /** Service of client 1 on product 1 with the L63 billing data and the Cloud ids. */
    private function service(string $tenantId, string $userId, int $client = 1): int
    {
        $this->host->ok('sql', ["INSERT INTO tblcurrencies (code, prefix, suffix, format, rate, `default`) SELECT 'EUR', '€', '', 1, 1, 0 FROM (SELECT 1 AS one) AS dual_row WHERE NOT EXISTS (SELECT 1 FROM tblcurrencies WHERE code = 'EUR')"]);
        $this->host->ok('sql', ["UPDATE tblclients SET currency = (SELECT id FROM tblcurrencies WHERE code = 'EUR') WHERE id = ?", 'bind' => [$client]]);
        $this->host->ok('sql', ["INSERT INTO tblpaymentgateways (gateway, setting, value, `order`) VALUES ('banktransfer', 'name', 'Bank Transfer', 2)"]);
        $this->host->ok('sql', ["UPDATE tblproducts SET name = 'Acronis PW 100' WHERE id = 1"]);
        $id = (int) $this->host->ok('service:add', ['pid' => 1, 'userid' => $client, 'server' => $this->serverId, 'status' => 'Active',
            'customfield' => ["tenant_id=$tenantId", "user_id=$userId"]])['serviceid'];
        $this->host->ok('sql', ["UPDATE tblhosting SET regdate = '2024-01-15', nextduedate = '2024-02-15', billingcycle = 'Monthly', amount = 25, paymentmethod = 'banktransfer' WHERE id = ?", 'bind' => [$id]]);
        return $id;
    }

    /** Runs the page API as client $client; returns [decoded JSON, raw output]. */
    private function api(string $action, array $query = [], ?array $post = null, int $client = 1, ?int $service = null): array
    {
        $args = ['ClientAreaApi', 'service' => $service ?? $this->serviceId, 'context' => 'client', 'client-id' => $client,
            'get' => ['action' => 'productdetails', 'id' => (string) ($service ?? $this->serviceId), 'modop' => 'custom', 'a' => 'ClientAreaApi', 'api' => $action] + $query];
        if ($post !== null) {
            // The page sends its session's CSRF token with every POST.
            $args['post'] = $post + ['token' => 'page-token'];
            $args['session'] = ['tkval' => 'page-token'];
        }
        $r = $this->host->run('module:call', $args);
        $out = (string) ($r['json']['output'] ?? '');
        return [json_decode($out, true), $out . $r['stderr']];
    }

    public function testL57PageRedirectsToTheManagementPage(): void
    {
        $url = $this->host->serve();
        [$status, $headers] = $this->http($url, 'clientarea.php?action=productdetails&id=' . $this->serviceId);
        $this->assertSame(303, $status);
        $this->assertSame('clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaManagement', $headers['location'] ?? null);
        [$status, , $body] = $this->http($url, 'clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaManagement');
        $this->assertSame(200, $status);
        $this->assertStringContainsString('id="acroniscloud-client"', $body);
        $this->assertStringContainsString('modules/servers/acroniscloud/assets/client.js?v=', $body);
        $this->assertStringContainsString('requires JavaScript enabled', $body);
        $this->assertStringContainsString('"serviceId":' . $this->serviceId, $body);
    }

    public function testL58DetailsAndNotifications(): void
    {
        [$json, $raw] = $this->api('get_details');
        $this->assertSame(['login' => $this->login, 'email' => 'it@acme.test', 'tenant_kind' => 'customer', 'notifications' => [
            ['application_type' => 'backup', 'items' => [
                ['type' => 'backup_info', 'status' => 'inactive'], ['type' => 'backup_error', 'status' => 'active'],
                ['type' => 'backup_warning', 'status' => 'inactive'], ['type' => 'backup_daily_report', 'status' => 'inactive']]],
            ['application_type' => 'platform', 'items' => [
                ['type' => 'quota', 'status' => 'active'], ['type' => 'reports', 'status' => 'inactive']]]],
            'version' => 3], $json, $raw);
        $this->assertSame(['GET /api/2/users/' . $this->userId, 'GET /api/2/tenants/' . $this->tenantId],
            array_values(array_filter($this->calls(), fn ($c) => !str_contains($c, '/idp/token') && !str_contains($c, '/versions'))));
    }

    public function testL59UpdateNotifications(): void
    {
        [$details] = $this->api('get_details');
        $groups = $details['notifications'];
        $groups[0]['items'][0]['status'] = 'active';
        $groups[1]['items'][0]['status'] = 'inactive';
        [$json, $raw] = $this->api('update_details', ['version' => '3'], ['notifications' => $groups]);
        $this->assertSame(4, $json['version'] ?? null, $raw);
        $put = array_values(array_filter($this->sim->requests(), fn ($r) => $r['method'] === 'PUT'));
        $this->assertSame(['notifications' => ['backup_info', 'backup_error'], 'version' => 3], json_decode($put[0]['body'], true));
        $user = $this->sim->control('GET', 'state/users/' . $this->userId);
        $this->assertSame(['backup_info', 'backup_error'], $user['notifications']);

        [$json] = $this->api('update_details', [], ['notifications' => $groups]);
        $this->assertSame(['code' => 400, 'message' => 'Version number must be present.'], $json['error']);
        $groups[0]['items'][0]['type'] = 'backup_critical';
        [$json] = $this->api('update_details', ['version' => '4'], ['notifications' => $groups]);
        $this->assertSame(['code' => 400, 'message' => 'Notification has invalid type "backup_critical"'], $json['error'], 'J.2 #20: 400, not 500');
        [$json] = $this->api('update_details', ['version' => '4'], ['other' => 1]);
        $this->assertSame(400, $json['error']['code']);
        $this->assertSame('POST data parameter "notifications" must be present.', $json['error']['message']);
        $this->assertSame(['backup_info', 'backup_error'], $this->sim->control('GET', 'state/users/' . $this->userId)['notifications'], 'nothing written');
    }

    public function testL60Usages(): void
    {
        [$json, $raw] = $this->api('get_usages');
        $this->assertSame([['application_type' => 'backup', 'offering_items' => [
            ['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'usage_value' => 3, 'quota_value' => 10, 'resource_type' => 'data'],
            ['name' => 'pw_storage', 'measurement_unit' => 'bytes', 'usage_value' => 5368709120, 'quota_value' => 107374182400, 'resource_type' => 'cloud'],
        ]]], $json, $raw);
    }

    public function testL60EmptyTenantId(): void
    {
        $id = $this->service('', $this->userId);
        [$json] = $this->api('get_usages', [], null, 1, $id);
        $this->assertSame(['code' => 404, 'message' => "Tenant Id is missing from the product's custom fields. Please, activate the purchase.",
            'details' => ['product_id' => 1, 'service_id' => $id]], $json['error']);
    }

    public function testL61ForeignServiceIs404WithoutData(): void
    {
        $this->host->ok('sql', ["INSERT INTO tblclients (id, firstname, lastname, email, country, currency, status) VALUES (13, 'Eve', 'Other', 'eve@example.test', 'US', 1, 'Active')"]);
        foreach (['get_details', 'get_subscription', 'get_usages'] as $action) {
            [$json, $raw] = $this->api($action, [], null, 13);
            $this->assertSame(['code' => 404, 'message' => 'Client has no service with this id'], $json['error'] ?? null, $raw);
            $this->assertStringNotContainsString($this->login, $raw);
            $this->assertStringNotContainsString('Acronis PW 100', $raw);
        }
        $this->assertSame([], $this->sim->requests(), 'no Cloud call for a foreign service');
    }

    public function testMissingServiceIdIs400(): void
    {
        $r = $this->host->run('module:call', ['ClientAreaApi', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1,
            'get' => ['api' => 'get_subscription']]);
        $json = json_decode((string) $r['json']['output'], true);
        $this->assertSame(400, $json['error']['code']);
        $this->assertSame('Service ID must be present.', $json['error']['message']);
    }

    public function testL62SingleSignOnLandsInTheConsoleAsTheUser(): void
    {
        $r = $this->host->run('module:call', ['ServiceSingleSignOn', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $result = $r['json']['result'];
        $this->assertTrue($result['success']);
        $base = 'https://localhost:' . $this->sim->port();
        $this->assertStringStartsWith($base . '/api/2/idp/external-login#ott=', $result['redirectTo']);
        $this->assertStringEndsWith('&targetURI=' . rawurlencode($base . '/ui/'), $result['redirectTo']);
        $this->assertSame('POST /api/2/idp/ott', $this->calls()[count($this->calls()) - 1]);

        // Another client's service: refused.
        $this->host->ok('sql', ["INSERT INTO tblclients (id, firstname, lastname, email, country, currency, status) VALUES (13, 'Eve', 'Other', 'eve@example.test', 'US', 1, 'Active')"]);
        $r = $this->host->run('module:call', ['ServiceSingleSignOn', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 13]);
        $this->assertSame(['success' => false, 'errorMsg' => 'Client has no service with this id'], $r['json']['result']);
    }

    /** An admin viewing the service is not let into the customer's console as the customer. */
    public function testL62SingleSignOnIsRefusedInTheAdminArea(): void
    {
        $before = count($this->calls());
        $r = $this->host->run('module:call', ['ServiceSingleSignOn', 'service' => $this->serviceId, 'context' => 'admin']);
        $this->assertSame(['success' => false, 'errorMsg' => 'Single sign-on is only available in the client area.'], $r['json']['result']);
        $this->assertCount($before, $this->calls(), 'no platform call');
    }

    public function testL62SingleSignOnFallsBackToTheConsoleUrl(): void
    {
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'POST', 'path' => '/api/2/idp/ott', 'status' => 403]]);
        $r = $this->host->run('module:call', ['ServiceSingleSignOn', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $this->assertSame(['success' => true, 'redirectTo' => 'https://localhost:' . $this->sim->port()], $r['json']['result']);
    }

    /** Security finding 7: the client gets a short text and a reference; the logs keep the details. */
    public function testPlatformErrorsReachTheClientAsAReference(): void
    {
        $this->enableModuleLog();
        $logFile = $this->host->root() . '/acroniscloud.log';
        $this->writeConfig([], "logger:\n  enabled: true\n  filename: \"$logFile\"\n  level: debug\n");
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/users/' . $this->userId, 'status' => 400]]);
        [$json, $raw] = $this->api('get_details');
        $message = (string) ($json['error']['message'] ?? '');
        $this->assertMatchesRegularExpression('/^The Acronis Cyber Cloud service could not complete the request\. Please try again later\. \(reference ([0-9a-f]{7})\)$/', $message, $raw);
        preg_match('/reference ([0-9a-f]{7})/', $message, $m);
        $this->assertStringNotContainsString('Injected server error', $raw);
        $this->assertStringNotContainsString('Service unavailable', $raw);
        $this->assertStringNotContainsString('localhost', $raw);
        $this->assertSame($m[1], $json['error']['details']['reference']);
        $this->assertSame('api_bad_request', $json['error']['details']['error_code']);
        $file = (string) file_get_contents($logFile);
        $this->assertMatchesRegularExpression('/reference ' . $m[1] . '\): .*(Injected server error|Service unavailable)/', $file, 'the file log has the details under the reference');
        $this->assertStringContainsString('Request ID: ' . $m[1], json_encode($this->host->moduleLog()), 'the module log has the exchange under the same id');
    }

    /**
     * The interactive retry budget (crates/core/src/retry_policy.rs): in a burst of two 503 answers the
     * client's JSON call gives up after its one quick retry, with the short "temporarily unavailable" text
     * and a reference, while a provisioning callback meeting the same burst retries on and succeeds.
     */
    public function testInteractiveCallGivesUpInA503BurstWhileProvisioningRetriesLonger(): void
    {
        $tenantPath = '/api/2/tenants/' . $this->tenantId;
        $burst = [['kind' => 'http_5xx', 'method' => 'GET', 'path' => $tenantPath, 'status' => 503, 'body' => 'html', 'next' => 2]];
        $tenantReads = fn (): int => count(array_keys($this->calls(), "GET $tenantPath", true));

        $this->sim->faults($burst);
        $this->sim->clearRequests();
        [$json, $raw] = $this->api('get_details');
        $this->assertSame(2, $tenantReads(), 'the client call tries twice (one capped retry), then answers');
        $message = (string) ($json['error']['message'] ?? '');
        $this->assertStringContainsString('temporarily unavailable', $message, $raw);
        $this->assertMatchesRegularExpression('/\(reference [0-9a-f]+\)$/', $message);
        $this->assertStringNotContainsString('Injected', $raw);

        $this->sim->faults($burst);
        $this->sim->clearRequests();
        $r = $this->host->run('module:suspend', [$this->serviceId]);
        $this->assertTrue((bool) ($r['json']['ok'] ?? false), json_encode($r['json']));
        $this->assertGreaterThanOrEqual(3, $tenantReads(), 'the provisioning callback retries past the burst');
        $this->assertFalse($this->sim->tenant($this->tenantId)['enabled']);
    }

    public function testSingleSignOnTokenNeverReachesTheLogs(): void
    {
        $this->enableModuleLog();
        $logFile = $this->host->root() . '/acroniscloud.log';
        $this->writeConfig([], "logger:\n  enabled: true\n  filename: \"$logFile\"\n  level: debug\n");
        $r = $this->host->run('module:call', ['ServiceSingleSignOn', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $url = $r['json']['result']['redirectTo'];
        parse_str((string) parse_url($url, PHP_URL_FRAGMENT), $fragment);
        $ott = $fragment['ott'];
        $this->assertNotSame('', $ott);
        $log = json_encode($this->host->moduleLog());
        $this->assertStringContainsString('idp\/ott', $log, 'the call is logged');
        $this->assertStringNotContainsString($ott, $log);
        $this->assertStringNotContainsString(json_encode($ott), $log);
        $file = (string) @file_get_contents($logFile);
        $this->assertStringContainsString('idp/ott', $file, 'the file log saw the call');
        $this->assertStringNotContainsString($ott, $file);
        $this->assertNoSecretIn('module log', $log);
    }

    public function testL63Subscription(): void
    {
        [$json, $raw] = $this->api('get_subscription');
        $this->assertSame(['name' => 'Acronis PW 100', 'status' => 'active', 'registration_date' => '2024-01-15T00:00:00Z',
            'due_date' => '2024-02-15T00:00:00Z', 'billing_cycle' => 'monthly', 'billing_amount' => '25.00',
            'billing_currency' => 'EUR', 'payment_method' => 'Bank Transfer'], $json, $raw);
    }

    public function testAdminServiceTabShowsIdsAndLiveUsage(): void
    {
        $r = $this->host->run('module:call', ['AdminServicesTabFields', 'service' => $this->serviceId]);
        $tab = $r['json']['result'];
        $this->assertSame('<code>' . $this->tenantId . '</code>', $tab['Cloud tenant ID'] ?? null, json_encode($r));
        $this->assertSame('<code>' . $this->userId . '</code>', $tab['Cloud user ID']);
        $this->assertSame('<code>' . $this->login . '</code>', $tab['Cloud login']);
        $this->assertStringContainsString('<td>5 GB</td><td>100 GB</td>', $tab['Current usage']);
    }

    public function testButtonsAndAllowedFunctions(): void
    {
        $r = $this->host->run('module:call', ['ClientAreaCustomButtonArray', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $this->assertSame(['Management' => 'ClientAreaManagement'], $r['json']['result']);
        $r = $this->host->run('module:call', ['ClientAreaAllowedFunctions', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $this->assertSame(['ClientAreaApi'], $r['json']['result']);
    }

    public function testHttpApiStatusesAndCsrf(): void
    {
        $url = $this->host->serve();
        $cookie = $this->login($url);
        $api = 'clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaApi&api=';
        [$status, $headers, $body] = $this->http($url, $api . 'get_details&id=' . $this->serviceId, $cookie);
        $this->assertSame(200, $status, $body);
        $this->assertStringContainsString('application/json', $headers['content-type'] ?? '');
        [$status, $headers] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId, $cookie);
        $this->assertSame(405, $status, 'update_details is POST only');
        $this->assertSame('POST', $headers['allow'] ?? null);
        $groups = json_decode($this->http($url, $api . 'get_details&id=' . $this->serviceId, $cookie)[2], true)['notifications'];
        $post = json_encode(['notifications' => $groups]);
        [$status] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId, $cookie, $post);
        $this->assertSame(403, $status, 'no CSRF token: refused before the module runs');
        $page = $this->http($url, 'clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaManagement', $cookie)[2];
        $this->assertMatchesRegularExpression('/"token":"([0-9a-f]+)"/', $page);
        preg_match('/"token":"([0-9a-f]+)"/', $page, $m);
        [$status, , $body] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId . '&token=' . $m[1], $cookie, $post);
        $this->assertSame(200, $status, $body);
        $groups[0]['items'][0]['type'] = 'nope';
        [$status] = $this->http($url, $api . 'update_details&version=4&id=' . $this->serviceId . '&token=' . $m[1], $cookie, json_encode(['notifications' => $groups]));
        $this->assertSame(400, $status);
    }

    /** Security finding 1: the module checks the page's token itself, even when the host does not. */
    public function testUpdateDetailsWithoutCsrfTokenIsRefusedByTheModule(): void
    {
        $url = $this->host->serve(['csrf' => 'off']);
        $cookie = $this->login($url);
        $api = 'clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaApi&api=';
        $groups = json_decode($this->http($url, $api . 'get_details&id=' . $this->serviceId, $cookie)[2], true)['notifications'];
        $groups[0]['items'][0]['status'] = 'active';
        $post = json_encode(['notifications' => $groups]);
        [$status, , $body] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId, $cookie, $post);
        $this->assertSame(403, $status, $body);
        $this->assertSame('csrf_token_invalid', json_decode($body, true)['error']['details']['error_code'] ?? null, $body);
        [$status, , $body] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId . '&token=forged', $cookie, $post);
        $this->assertSame(403, $status, $body);
        $this->assertSame(['backup_error', 'quota'], $this->sim->control('GET', 'state/users/' . $this->userId)['notifications'], 'nothing written');
        $page = $this->http($url, 'clientarea.php?action=productdetails&id=' . $this->serviceId . '&modop=custom&a=ClientAreaManagement', $cookie)[2];
        preg_match('/"token":"([0-9a-f]+)"/', $page, $m);
        [$status, , $body] = $this->http($url, $api . 'update_details&version=3&id=' . $this->serviceId . '&token=' . $m[1], $cookie, $post);
        $this->assertSame(200, $status, $body);
        $this->host->stopServer();
    }

    /** Logs client 1 in through the emulation's autologin switch; returns the session cookie. */
    private function login(string $url): string
    {
        [, $headers] = $this->http($url, 'login.php?autologin=1&goto=clientarea.php');
        preg_match('/WHMCSHOSTSID=[^;]+/', $headers['set-cookie'] ?? '', $m);
        $this->assertNotEmpty($m, 'session cookie');
        return $m[0];
    }

    /** @return array{0:int,1:array<string,string>,2:string} status, lower-case headers, body */
    private function http(string $url, string $path, string $cookie = '', ?string $json = null): array
    {
        if ($cookie === '' && str_starts_with($path, 'clientarea.php')) {
            $cookie = $this->login($url);
        }
        $ch = curl_init($url . '/' . $path);
        $headers = [];
        curl_setopt_array($ch, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => array_filter([$cookie !== '' ? 'Cookie: ' . $cookie : null, $json !== null ? 'Content-Type: application/json' : null]),
            CURLOPT_HEADERFUNCTION => function ($ch, string $line) use (&$headers): int {
                if (str_contains($line, ':')) {
                    [$k, $v] = explode(':', $line, 2);
                    $headers[strtolower(trim($k))] = trim($v);
                }
                return strlen($line);
            },
        ]);
        if ($json !== null) {
            curl_setopt($ch, CURLOPT_POST, true);
            curl_setopt($ch, CURLOPT_POSTFIELDS, $json);
        }
        $body = curl_exec($ch);
        $this->assertIsString($body, curl_error($ch));
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return [$status, $headers, $body];
    }
}
