<?php

namespace AcronisCloud\Tests\Support;

use AcronisCloud\Dev\Simulator;
use PHPUnit\Framework\TestCase;
use WhmcsHost\Testing\TestDatabases;
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
    /** @var list<WhmcsHost> roots made by secondNode()/restoredFromBackup(), removed with the test's own */
    private array $moreRoots = [];

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
            foreach ($this->moreRoots as $root) {
                $root->destroy();
            }
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

    /**
     * The MySQL/MariaDB test databases when the suite runs with WHMCS_DB_DSN=mysql://… (`make
     * test-php-mariadb`), null on SQLite. This test's root has a database of its own: $this->host->database().
     */
    protected function databases(): ?TestDatabases
    {
        return TestDatabases::fromEnv();
    }

    /**
     * Switches this test's root to a new database user with only $rights on its database, e.g.
     * TestDatabases::without('CREATE') (scenario L79) or ['SELECT'] (read-only); returns the user name
     * (the account is "<name>@%"). MySQL/MariaDB only.
     */
    protected function connectAs(array $rights): string
    {
        $db = $this->requireMysql();
        $dsn = $this->databases()->createUser($db['name'], $rights);
        $this->host->useDatabase($dsn);
        return rawurldecode((string) parse_url($dsn, PHP_URL_USER));
    }

    /**
     * Backup and restore as a provider does it: mysqldump of this test's database, restored into a fresh
     * database, and a second root (same configuration.php, so the same $cc_encryption_hash) pointed at the
     * copy. MySQL/MariaDB only.
     */
    protected function restoredFromBackup(): WhmcsHost
    {
        $db = $this->requireMysql();
        $copy = $this->databases()->copy($db['name']);
        $restored = $this->host->secondNode($this->host->root() . '-restored');
        $restored->useDatabase($copy['dsn']);
        return $this->moreRoots[] = $restored;
    }

    /**
     * A second web node on this test's database (its own root directory and PHP processes); run both
     * at once with WhmcsHost::runAtOnce().
     */
    protected function secondNode(): WhmcsHost
    {
        return $this->moreRoots[] = $this->host->secondNode($this->host->root() . '-node2-' . bin2hex(random_bytes(2)));
    }

    /** @return array{name:string, user:string, password:string, dsn:string} this test's MySQL database */
    private function requireMysql(): array
    {
        $db = $this->host->database();
        if ($db === null) {
            $this->markTestSkipped('MySQL/MariaDB only: run with WHMCS_DB_DSN=mysql://… (make test-php-mariadb)');
        }
        return $db;
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
