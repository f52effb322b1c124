<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use PHPUnit\Framework\TestCase;
use WhmcsHost\Testing\WhmcsHost;

/**
 * Base class: one fresh WHMCS root per test class, with the fake module
 * fixture (tests/fixtures/fakemodule) installed next to the repo's modules.
 */
abstract class HostTestCase extends TestCase
{
    /** @var array<string, WhmcsHost> */
    private static array $hosts = [];

    /** Install options for this class's root. */
    protected static function installOptions(): array
    {
        return [];
    }

    protected static function fixtureDir(): string
    {
        return dirname(__DIR__, 2) . '/fixtures/fakemodule';
    }

    protected static function host(): WhmcsHost
    {
        $class = static::class;
        if (!isset(self::$hosts[$class])) {
            $dir = sys_get_temp_dir() . '/whmcs-host-test-' . substr(strrchr($class, '\\'), 1) . '-' . bin2hex(random_bytes(4));
            self::$hosts[$class] = WhmcsHost::create($dir, static::installOptions() + [
                'extra' => [self::fixtureDir()],
                'repo' => static::repoDir(),
            ]);
        }
        return self::$hosts[$class];
    }

    /** Repository linked into the root: an empty dir so the tests do not depend on the module being built. */
    protected static function repoDir(): string
    {
        $dir = sys_get_temp_dir() . '/whmcs-host-empty-repo';
        if (!is_dir($dir)) {
            mkdir($dir, 0777, true);
        }
        return $dir;
    }

    public static function tearDownAfterClass(): void
    {
        if (isset(self::$hosts[static::class])) {
            if (getenv('WHMCSHOST_KEEP_ROOTS') === false) {
                self::$hosts[static::class]->destroy();
            }
            unset(self::$hosts[static::class]);
        }
    }

    /** Adds a fakemodule product + server + service; returns [pid, serverid, serviceid]. */
    protected static function addFakeService(string $mode = 'ok', array $serviceArgs = []): array
    {
        $h = self::host();
        $pid = $h->ok('product:add', ['--name' => 'Fake ' . $mode, '--module' => 'fakemodule', '--configoption1' => $mode])['pid'];
        $sid = $h->ok('server:add', ['--name' => 'Fake', '--hostname' => 'ok.example.test', '--username' => 'srv-user',
            '--password' => 'srv-pass', '--type' => 'fakemodule'])['serverid'];
        $svc = $h->ok('service:add', ['--pid' => $pid, '--server' => $sid] + $serviceArgs)['serviceid'];
        return [$pid, $sid, $svc];
    }

    protected static function assertCommandFails(array $r, int $exit = 1): void
    {
        self::assertSame($exit, $r['exit'], 'exit code; stdout: ' . $r['stdout'] . ' stderr: ' . $r['stderr']);
        self::assertIsArray($r['json'], 'JSON on stdout');
        self::assertFalse($r['json']['ok']);
    }
}
