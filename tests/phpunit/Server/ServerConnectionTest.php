<?php

namespace AcronisCloud\Tests\Server;

use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * Servers and connection through the WHMCS entry points (TestConnection, ServerAdd/Edit/Delete
 * hooks) against the simulator: docs/behaviour.md L39-L42 and the auth-related faults.
 */
final class ServerConnectionTest extends ModuleTestCase
{
    private function testServer(int $serverId): array
    {
        return $this->host->ok('server:test', [$serverId]);
    }

    public function testClientCredentialsServerConnects(): void
    {
        $id = $this->addServer();
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
        $calls = $this->calls();
        $this->assertContains('POST /api/2/idp/token', $calls);
        $this->assertContains('GET /api/2/versions', $calls);
        $this->assertContains('GET /api/2/clients/' . $this->sim->seed()['client']['client_id'], $calls);
        $this->assertNotContains('GET /api/1/accounts', $calls, 'no discovery for client credentials');
        foreach ($this->sim->requests() as $r) {
            $this->assertMatchesRegularExpression('#^acroniscloud-whmcs/\d+\.\d+\.\d+#', $r['headers']['user-agent']);
            $this->assertSame('1', $r['headers']['x-acronis-api']);
        }
    }

    public function testL39IncompleteServerRecords(): void
    {
        $id = $this->addServer(['password' => '']);
        $this->assertSame(['success' => false, 'error' => "Please specify Password for server $id."], $this->testServer($id));
        $id = $this->addServer(['hostname' => '']);
        $this->assertSame(['success' => false, 'error' => "Please specify Hostname for server $id."], $this->testServer($id));
        $id = $this->addServer(['username' => '']);
        $this->assertSame(['success' => false, 'error' => "Please specify Username for server $id."], $this->testServer($id));
        $id = $this->addServer(['hostname' => 'not a host']);
        $this->assertStringContainsString('is not a valid host name, IP address or URL', $this->testServer($id)['error']);
        $this->assertSame([], $this->calls(), 'nothing is sent for an invalid record');
    }

    public function testL40OldPlatformIsRefused(): void
    {
        $id = $this->addServer();
        $this->sim->faults([['kind' => 'old_platform']]);
        $this->assertSame([
            'success' => false,
            'error' => 'The platform version of the server "Acronis EU2" is earlier than the minimum supported version "8.0".',
        ], $this->testServer($id));
    }

    public function testL41InsecureServerIsRefused(): void
    {
        $id = $this->addServer(['secure' => '']);
        $this->assertSame([
            'success' => false,
            'error' => 'Cannot connect over insecure channel. Please, enable the SSL Mode for Connections bellow.',
        ], $this->testServer($id));
    }

    public function testL41UnsavedServerHonoursThePostedSecureFlag(): void
    {
        $seed = $this->sim->seed();
        $form = ['hostname' => 'localhost', 'port' => (string) $this->sim->port(), 'username' => $seed['client']['client_id'],
            'password' => $seed['client']['client_secret'], 'accesshash' => 'client_credentials', 'type' => 'acroniscloud'];
        $r = $this->host->ok('server:test', $form + ['secure' => '']);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('insecure channel', $r['error']);
        $this->assertSame(['success' => true, 'error' => ''], $this->host->ok('server:test', $form + ['secure' => 'on']));
    }

    public function testL41TokenEndpointErrorShowsItsDescription(): void
    {
        $id = $this->addServer();
        $this->sim->faults([['kind' => 'token_endpoint_fail', 'status' => 401, 'error' => 'invalid_client', 'error_description' => 'Client authentication failed']]);
        $this->assertSame(['success' => false, 'error' => 'Client authentication failed'], $this->testServer($id));
    }

    public function testWrongSecretIsReportedWithoutTheSecret(): void
    {
        $id = $this->addServer(['password' => 'Wrong-Secret-123']);
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertNotSame('', $r['error']);
        $this->assertStringNotContainsString('Wrong-Secret-123', $r['error']);
    }

    public function testL42CredentialConversionOnSave(): void
    {
        // The login lives in the second data centre; the admin enters the first one as router.
        $dc2 = $this->sim->seed(1);
        $this->sim->setRootTag('foo=bar', 1);
        $id = $this->addServer([
            'port' => (string) $this->sim->port(0),
            'username' => $dc2['admin']['login'],
            'password' => $dc2['admin']['password'],
            'accesshash' => 'username',
        ]);
        $log = $this->hookCalls;
        $this->assertContains('GET /api/1/accounts', $log[0], 'discovery asked the configured host');
        $this->assertContains('POST /api/2/clients', $log[1], 'the API client is created in the discovered data centre');
        $this->assertNotContains('POST /api/2/clients', $log[0]);
        $row = $this->serverRow($id);
        $this->assertSame('client_credentials', $row['accesshash']);
        $this->assertNotSame($dc2['admin']['login'], $row['username']);
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $row['username']);
        $this->assertNotSame($dc2['admin']['password'], $row['password']);
        $this->assertSame('127.0.0.1', $row['hostname']);
        $this->assertSame($this->sim->port(1), (int) $row['port']);
        $this->secrets[] = $row['password'];
        // The root tenant is tagged, keeping the foreign pair.
        $tag = $this->sim->rootTag(1);
        $this->assertStringStartsWith('foo=bar;', $tag);
        $this->assertStringContainsString("whmcs-server-id=$id", $tag);
        $this->assertStringContainsString('whmcs-version=8.10.1-release.1', $tag);
        $this->assertStringContainsString('whmcs-module-version=' . \AcronisCloud\AcronisServer::version(), $tag);
        // The converted server works without discovery.
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
        $this->assertNotContains('GET /api/1/accounts', $this->calls(1));
        $this->assertNoSecretIn('activity log', json_encode($this->host->activityLog()));
    }

    public function testL42ConversionFailureKeepsTheLogin(): void
    {
        $seed = $this->sim->seed();
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'POST', 'path' => '/api/2/clients', 'status' => 500]]);
        $id = $this->addServer(['username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username']);
        $row = $this->serverRow($id);
        $this->assertSame($seed['admin']['login'], $row['username']);
        $this->assertSame($seed['admin']['password'], $row['password']);
        $this->assertSame('username', $row['accesshash']);
        $this->assertSame(1, count(array_filter($this->hookCalls[0], fn ($c) => $c === 'POST /api/2/clients')), 'a POST is never retried');
        $log = json_encode($this->host->activityLog());
        $this->assertStringContainsString('could not convert the login into an API client', $log);
        $this->assertNoSecretIn('activity log', $log);
        // The login still works for Test Connection.
        $this->sim->faults([]);
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
    }

    public function testServerEditRetagsAndDeleteCleansTheTagWhenTheRowIsReadable(): void
    {
        $this->sim->setRootTag('foo=bar');
        $id = $this->addServer();
        $this->assertStringContainsString("whmcs-server-id=$id", $this->sim->rootTag());
        $this->host->ok('server:edit', [$id, 'name' => 'Renamed']);
        $this->assertStringContainsString("whmcs-server-id=$id", $this->sim->rootTag());
        $this->host->ok('server:delete', [$id, 'hook-first' => true]);
        $this->assertSame('foo=bar', $this->sim->rootTag());
    }

    public function testServerDeleteAfterTheRowIsGoneIsHarmless(): void
    {
        $id = $this->addServer();
        $tag = $this->sim->rootTag();
        $r = $this->host->run('server:delete', [$id]);
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        $this->assertSame($tag, $this->sim->rootTag());
    }

    public function testTransient5xxIsRetriedForSafeCalls(): void
    {
        $id = $this->addServer();
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/versions', 'status' => 503, 'body' => 'html', 'next' => 2]]);
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
        $this->assertSame(3, count(array_filter($this->calls(), fn ($c) => $c === 'GET /api/2/versions')));
    }

    public function testPersistent5xxIsReportedWithItsStatus(): void
    {
        $id = $this->addServer();
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/versions', 'status' => 502, 'body' => 'html']]);
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('HTTP 502 Bad Gateway', $r['error']);
        $this->assertStringNotContainsString('<html', $r['error']);
        $this->assertSame(3, count(array_filter($this->calls(), fn ($c) => $c === 'GET /api/2/versions')), 'two retries, then give up');
    }

    public function testRateLimitHonoursRetryAfterSecondsAndDate(): void
    {
        $id = $this->addServer();
        foreach (['seconds', 'date', 'none'] as $style) {
            $this->sim->clearRequests();
            $this->sim->faults([['kind' => 'rate_limit', 'path' => '/api/2/versions', 'retry_after' => $style, 'seconds' => 1, 'next' => 1]]);
            $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id), $style);
            $this->assertSame(2, count(array_filter($this->calls(), fn ($c) => $c === 'GET /api/2/versions')), $style);
        }
    }

    public function testRateLimitLongerThanTheCapFailsClearly(): void
    {
        $id = $this->addServer();
        $this->writeConfig(['retry_after_max' => 2]);
        $this->sim->faults([['kind' => 'rate_limit', 'path' => '/api/2/versions', 'retry_after' => 'seconds', 'seconds' => 3600]]);
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('Too many requests', $r['error']);
        $this->assertSame(1, count(array_filter($this->calls(), fn ($c) => $c === 'GET /api/2/versions')));
    }

    public function testMalformedJsonIsAClearError(): void
    {
        $id = $this->addServer();
        foreach (['invalid_json', 'truncated_json'] as $kind) {
            $this->sim->faults([['kind' => $kind, 'path' => '/api/2/versions']]);
            $r = $this->testServer($id);
            $this->assertFalse($r['success'], $kind);
            $this->assertStringContainsString('Unexpected answer from the platform to GET /api/2/versions: the body is not valid JSON', $r['error'], $kind);
        }
    }

    public function testReadTimeoutIsReportedAndBounded(): void
    {
        $id = $this->addServer();
        $this->writeConfig(['timeout' => 1, 'retries' => 0]);
        $this->sim->faults([['kind' => 'latency', 'path' => '/api/2/versions', 'ms' => 2000]]);
        $r = $this->testServer($id);
        // Let the simulator finish the abandoned request so it does not land in the next test's log.
        usleep(1500000);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('Error connecting to the API (GET https://localhost:' . $this->sim->port() . '/api/2/versions)', $r['error']);
        $this->assertStringContainsString('timed out', $r['error']);
    }

    public function testConnectionResetIsRetriedForSafeCalls(): void
    {
        $id = $this->addServer();
        $this->sim->faults([['kind' => 'connection_reset', 'path' => '/api/2/versions', 'next' => 1]]);
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
    }

    public function testDiscoveryFailures(): void
    {
        $seed = $this->sim->seed();
        $id = $this->addServer(['username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username', 'no-hook' => true]);
        $this->sim->faults([['kind' => 'discovery', 'mode' => '5xx', 'status' => 503]]);
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('Service unavailable', $r['error']);
        $this->sim->faults([['kind' => 'discovery', 'mode' => 'url', 'url' => 'http://127.0.0.1:9']]);
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('insecure URL', $r['error']);
        $this->sim->faults([]);
        $this->assertSame(['success' => true, 'error' => ''], $this->testServer($id));
    }

    public function testTlsIsVerifiedAgainstTheConfiguredCa(): void
    {
        $id = $this->addServer();
        $this->host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  retries: 0\n");
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertMatchesRegularExpression('/certificate|UnknownIssuer|invalid peer/i', $r['error']);
        $this->host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  verify_ssl: false\n  retries: 0\n");
        $this->assertFalse($this->testServer($id)['success'], 'verify_ssl: false does not switch verification off');
        $this->host->writeFile('includes/acroniscloud/config.yaml', "cloud_api:\n  ca_file: /nonexistent/ca.pem\n");
        $this->assertStringContainsString('cloud_api.ca_file: cannot read "/nonexistent/ca.pem"', $this->testServer($id)['error']);
    }

    public function testBrokenConfigIsReportedWithKeyAndLine(): void
    {
        $id = $this->addServer();
        $this->host->writeFile('includes/acroniscloud/config.yaml', "logger:\n  enabled: true\ncloud_api:\n  timeout: soon\n");
        $r = $this->testServer($id);
        $this->assertFalse($r['success']);
        $this->assertStringContainsString('timeout', $r['error']);
        $this->assertStringContainsString('line 4', $r['error']);
        $this->assertSame([], $this->calls());
    }
}
