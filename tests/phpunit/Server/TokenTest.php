<?php

namespace AcronisCloud\Tests\Server;

use AcronisCloud\AcronisServer;
use AcronisCloud\ApiException;
use AcronisCloud\Dev\Simulator;
use PHPUnit\Framework\TestCase;

/**
 * Token handling inside one PHP worker (this PHPUnit process has the extension loaded, like a
 * PHP-FPM worker serving several requests): caching, the single 401 re-authentication,
 * expiry faults and clock skew.
 */
final class TokenTest extends TestCase
{
    private Simulator $sim;
    private string $config;

    protected function setUp(): void
    {
        $this->sim = Simulator::shared();
        $this->sim->reset();
        AcronisServer::clearCaches();
        $this->config = sys_get_temp_dir() . '/acl-token-config-' . getmypid() . '.yaml';
        file_put_contents($this->config, "cloud_api:\n  ca_file: \"" . $this->sim->caFile() . "\"\n  retry_backoff_ms: 20\n");
    }

    private function server(string $grant = 'client_credentials', int $dc = 0): AcronisServer
    {
        $seed = $this->sim->seed($dc);
        $creds = $grant === 'client_credentials'
            ? [$seed['client']['client_id'], $seed['client']['client_secret']]
            : [$seed['admin']['login'], $seed['admin']['password']];
        return new AcronisServer([
            'serverid' => 1, 'servername' => 'EU', 'serverhostname' => 'localhost', 'serverport' => $this->sim->port($dc),
            'serversecure' => true, 'serverusername' => $creds[0], 'serverpassword' => $creds[1],
            'serveraccesshash' => $grant === 'client_credentials' ? 'client_credentials' : 'username',
        ], ['config_file' => $this->config]);
    }

    private function calls(string $call): int
    {
        return count(array_filter($this->sim->requests(), fn ($r) => $r['method'] . ' ' . $r['path'] === $call));
    }

    public function testTokenIsCachedAcrossRequestsOfOneWorker(): void
    {
        $root = $this->server()->rootTenantId();
        $this->assertSame($this->sim->seed()['root_tenant_id'], $root);
        $this->assertSame($root, $this->server()->rootTenantId());
        $this->server()->platformVersion();
        $this->assertSame(1, $this->calls('POST /api/2/idp/token'));
        $this->assertSame(1, AcronisServer::cacheStats()['tokens']);
    }

    public function testPasswordGrantCachesTheDiscoveredDataCentre(): void
    {
        $this->assertSame($this->sim->seed()['root_tenant_id'], $this->server('password')->rootTenantId());
        $this->server('password')->rootTenantId();
        $this->assertSame(1, $this->calls('GET /api/1/accounts'));
        $this->assertSame(1, $this->calls('POST /api/2/idp/token'));
        $this->assertContains('GET /api/2/users/me', array_map(fn ($r) => $r['method'] . ' ' . $r['path'], $this->sim->requests()));
    }

    public function testRevokedTokenIsReplacedExactlyOnce(): void
    {
        $s = $this->server();
        $s->rootTenantId();
        $this->sim->faults([['kind' => 'token_expiry', 'revoke_all' => true]]);
        $this->assertMatchesRegularExpression('/^\d+\./', $s->platformVersion());
        $this->assertSame(2, $this->calls('POST /api/2/idp/token'));
        $statuses = array_map(fn ($r) => $r['status'], array_values(array_filter($this->sim->requests(), fn ($r) => $r['path'] === '/api/2/versions')));
        $this->assertSame([200, 401, 200], $statuses);
    }

    public function testSecond401IsReportedNotLooped(): void
    {
        $this->sim->faults([['kind' => 'token_expiry', 'uses' => 0]]);
        try {
            $this->server()->platformVersion();
            $this->fail('no exception');
        } catch (ApiException $e) {
            $this->assertSame(401, $e->getHttpStatus());
        }
        $this->assertSame(2, $this->calls('POST /api/2/idp/token'));
        $this->assertSame(2, $this->calls('GET /api/2/versions'));
    }

    public function testShortLivedTokensAreRefreshedBeforeExpiry(): void
    {
        // A token that lives 6 seconds is kept for at most 1 second (5 s safety margin).
        $this->sim->faults([['kind' => 'token_expiry', 'ttl' => 6]]);
        $this->server()->platformVersion();
        $this->sim->control('POST', 'clock', ['advance_seconds' => 2]);
        sleep(2);
        $this->server()->platformVersion();
        $this->assertSame(2, $this->calls('POST /api/2/idp/token'));
        $this->assertSame(0, count(array_filter($this->sim->requests(), fn ($r) => $r['status'] === 401)), 'no 401 needed');
    }

    public function testClockSkewedExpiryFallsBackToTheConfiguredTtl(): void
    {
        $this->sim->faults([['kind' => 'clock_skew', 'seconds' => 3600]]);
        $this->server()->platformVersion();
        $this->server()->platformVersion();
        $this->assertSame(1, $this->calls('POST /api/2/idp/token'), 'a past expires_on does not force a token per call');
    }

    public function testChangedSecretMissesTheCache(): void
    {
        $this->server()->platformVersion();
        $seed = $this->sim->seed();
        $bad = new AcronisServer([
            'serverid' => 1, 'serverhostname' => 'localhost', 'serverport' => $this->sim->port(), 'serversecure' => true,
            'serverusername' => $seed['client']['client_id'], 'serverpassword' => 'another-secret', 'serveraccesshash' => 'client_credentials',
        ], ['config_file' => $this->config]);
        $this->expectException(ApiException::class);
        $bad->platformVersion();
    }
}
