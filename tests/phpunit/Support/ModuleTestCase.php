<?php

namespace AcronisCloud\Tests\Support;

use AcronisCloud\Dev\Simulator;
use PHPUnit\Framework\TestCase;
use WhmcsHost\Testing\WhmcsHost;

/**
 * Base of the suites that drive the WHMCS entry points: a fresh emulated WHMCS root per test,
 * the shared simulator reset, and a config.yaml that trusts the simulator's CA.
 */
abstract class ModuleTestCase extends TestCase
{
    protected Simulator $sim;
    protected WhmcsHost $host;
    /** @var array<int, list<string>> calls the last addServer's ServerAdd hook made, per DC */
    protected array $hookCalls = [];
    /** @var list<string> secrets that must never appear in any log or message */
    protected array $secrets = [];

    protected function setUp(): void
    {
        $this->sim = Simulator::shared();
        $this->sim->reset();
        $dir = sys_get_temp_dir() . '/acroniscloud-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        $this->host = WhmcsHost::create($dir, ['env' => ['ACRONISCLOUD_TEST_HOOKS' => '1']]);
        $this->writeConfig();
    }

    protected function tearDown(): void
    {
        if (isset($this->host) && !$this->hasFailed()) {
            $this->host->destroy();
        }
    }

    /** config.yaml trusting the simulator CA; $cloudApi overrides cloud_api keys. */
    protected function writeConfig(array $cloudApi = [], string $sections = ''): void
    {
        $cloudApi += ['ca_file' => $this->sim->caFile(), 'retry_backoff_ms' => 50, 'timeout' => 10, 'connect_timeout' => 5];
        $yaml = "cloud_api:\n";
        foreach ($cloudApi as $k => $v) {
            $yaml .= "  $k: " . json_encode($v) . "\n";
        }
        $this->host->writeFile('includes/acroniscloud/config.yaml', $yaml . $sections);
    }

    /** Adds a server whose hostname points at the simulator; returns its id. */
    protected function addServer(array $fields = [], int $dc = 0): int
    {
        $seed = $this->sim->seed($dc);
        $this->secrets[] = $seed['admin']['password'];
        $this->secrets[] = $seed['client']['client_secret'];
        $args = $fields + [
            'name' => 'Acronis EU2',
            'hostname' => 'localhost',
            'port' => (string) $this->sim->port($dc),
            'secure' => 'on',
            'username' => $seed['client']['client_id'],
            'password' => $seed['client']['client_secret'],
            'accesshash' => 'client_credentials',
            'type' => 'acroniscloud',
        ];
        $id = (int) $this->host->ok('server:add', $args)['serverid'];
        $this->hookCalls = [$this->calls(0), $this->calls(1)];
        // Tests look at what their own step sends, not at the ServerAdd hook's calls.
        $this->sim->clearRequests();
        return $id;
    }

    protected function serverRow(int $id): array
    {
        return $this->host->ok('server:get', [$id]);
    }

    protected function enableModuleLog(bool $cloudApi = true): void
    {
        $this->host->ok('config:set', ['ModuleDebugMode', 'on']);
        $this->host->ok('addon:set', ['acroniscloud', 'logging_cloud_api', $cloudApi ? 'on' : '']);
    }

    /** Every request the simulator received on $dc, as "METHOD path". */
    protected function calls(int $dc = 0): array
    {
        return array_map(static fn ($r) => $r['method'] . ' ' . $r['path'], $this->sim->requests($dc));
    }

    protected function assertNoSecretIn(string $where, string $text): void
    {
        foreach ($this->secrets as $secret) {
            if ($secret !== '' && $secret !== null) {
                $this->assertStringNotContainsString($secret, $text, "secret leaked into $where");
            }
        }
    }
}
