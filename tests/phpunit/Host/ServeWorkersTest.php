<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

/**
 * `whmcs serve --workers N`: stopping the server stops the workers php -S forked too (they
 * outlive a terminated master, and the admin suite used to leave four behind per run).
 */
final class ServeWorkersTest extends HostTestCase
{
    /** @return int[] pids of php -S processes serving `$root` */
    private static function servers(string $root): array
    {
        $pids = [];
        foreach (glob('/proc/[0-9]*/cmdline') ?: [] as $file) {
            $args = explode("\0", (string) @file_get_contents($file));
            $t = array_search('-t', $args, true);
            if (in_array('-S', $args, true) && $t !== false && ($args[$t + 1] ?? '') === $root) {
                $pids[] = (int) basename(dirname($file));
            }
        }
        return $pids;
    }

    public function testStoppingTheServerStopsItsWorkers(): void
    {
        $h = self::host();
        $url = $h->serve(['workers' => 3]);
        $this->assertNotSame('', (string) @file_get_contents($url . '/index.php'), 'the server answers');
        $this->assertGreaterThanOrEqual(4, count(self::servers($h->root())), 'master and three workers');
        $h->stopServer();
        for ($i = 0; $i < 100 && self::servers($h->root()) !== []; $i++) {
            usleep(20000);
        }
        $this->assertSame([], self::servers($h->root()), 'no php -S process of this root is left');
    }
}
