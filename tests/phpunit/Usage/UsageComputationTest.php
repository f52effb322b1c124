<?php

namespace AcronisCloud\Tests\Usage;

/**
 * Per-tenant usage (docs/behaviour.md §F.4, scenarios L67-L71): crafted report files through
 * `manage.php usage-report:parse`, and simulator reports through the pipeline and the
 * MetricProvider (the values WHMCS bills, units converted).
 */
final class UsageComputationTest extends UsageTestCase
{
    private const COLUMNS = ['tenant.id', 'tenant.kind', 'application.id', 'name', 'edition', 'infra.id', 'infra.owner_id',
        'infra.backend_type', 'usage.absolute.production', 'usage.absolute.trial', 'usage.absolute.total',
        'usage.delta.production', 'usage.delta.trial', 'usage.delta.total', 'usage.effective.production',
        'usage.effective.trial', 'usage.effective.total'];
    private const C = '11111111-1111-4111-8111-111111111111';
    private const P = '22222222-2222-4222-8222-222222222222';
    private const I1 = '33333333-3333-4333-8333-333333333331';
    private const I2 = '33333333-3333-4333-8333-333333333332';

    /** A report file in the root: rows as [column => value], missing cells empty, usage 0. */
    private function csv(array $rows, array $columns = self::COLUMNS, bool $gzip = true): string
    {
        $lines = [implode(',', $columns)];
        foreach ($rows as $row) {
            $cells = [];
            foreach ($columns as $c) {
                $cells[] = $row[$c] ?? (str_starts_with($c, 'usage.') ? '0' : ($c === 'application.id' ? 'app' : ''));
            }
            $lines[] = implode(',', $cells);
        }
        $text = implode("\n", $lines) . "\n";
        $path = $this->host->root() . '/report-' . bin2hex(random_bytes(3)) . ($gzip ? '.csv.gz' : '.csv');
        file_put_contents($path, $gzip ? gzencode($text) : $text);
        return $path;
    }

    /** `usage-report:parse FILE --json OUT`: [exit, stdout, stderr, decoded JSON or null]. */
    private function parse(string $file, array $extra = []): array
    {
        $out = $file . '.json';
        $r = $this->manage(array_merge(['usage-report:parse', $file, '--json', $out], $extra));
        return [$r['exit'], $r['stdout'], $r['stderr'], is_file($out) ? json_decode((string) file_get_contents($out), true) : null];
    }

    public function testL67CsvHeaderHandling(): void
    {
        $columns = array_values(array_diff(self::COLUMNS, ['edition']));
        $this->assertCount(16, $columns);
        $file = $this->csv([
            ['tenant.id' => self::C, 'tenant.kind' => 'customer', 'name' => 'pw_workstations', 'usage.absolute.total' => '4'],
            ['tenant.id' => self::P, 'tenant.kind' => 'partner', 'name' => 'pw_servers', 'usage.absolute.production' => '2'],
        ], $columns);
        [$exit, $stdout, $stderr, $json] = $this->parse($file);
        $this->assertSame(0, $exit, $stderr);
        $this->assertSame("Rows: 2\nBad rows: 0\nTenants: 2\n", preg_replace('/^Seconds: .*\n/m', '', $stdout));
        $this->assertMatchesRegularExpression('/^Seconds: \d+\.\d{3}$/m', $stdout);
        $this->assertEquals([self::C => ['pw_workstations' => 4], self::P => ['pw_servers' => 2]], $json);

        $columns = array_values(array_diff(self::COLUMNS, ['tenant.kind']));
        [$exit, $stdout, $stderr, $json] = $this->parse($this->csv([['tenant.id' => self::C, 'name' => 'pw_servers']], $columns));
        $this->assertSame(1, $exit);
        $this->assertSame("Error: Column names (tenant.kind) must be present in CSV file.\n", $stderr);
        $this->assertNull($json, 'nothing written');
        $this->assertSame('', $stdout);
    }

    public function testParseReportsBadRowsAndSkipsBlankLines(): void
    {
        $file = $this->host->root() . '/bad.csv';
        file_put_contents($file, implode(',', self::COLUMNS) . "\n"
            . self::C . ',customer,app,pw_servers,standard,,,,1,0,1,0,0,0,1,0,1' . "\n\n"
            . self::C . ',customer,app,pw_vms,standard,,,,x,0,1,0,0,0,1,0,1' . "\n"
            . ',customer,app,pw_vms,standard,,,,1,0,1,0,0,0,1,0,1' . "\n");
        [$exit, $stdout, $stderr, $json] = $this->parse($file);
        $this->assertSame(0, $exit, $stderr);
        $this->assertStringContainsString("Rows: 1\nBad rows: 2\nTenants: 1\n", $stdout);
        $this->assertStringContainsString("First bad rows:\n", $stdout);
        $this->assertStringContainsString('Given value "x" is not numeric as expected.', $stdout);
        $this->assertStringContainsString('Column tenant.id has empty value in row', $stdout);
        $this->assertEquals([self::C => ['pw_servers' => 1]], $json);

        [$exit, , $stderr] = $this->parse($this->host->root() . '/missing.csv');
        $this->assertSame(1, $exit);
        $this->assertStringStartsWith('Error: ', $stderr);
        $this->assertStringNotContainsString('Stack trace', $stderr);
        $r = $this->manage(['usage-report:parse', $file]);
        $this->assertSame(2, $r['exit'], 'the --json output is required');
    }

    public function testL68CustomerPartnerCountingAndDelta(): void
    {
        // The rows of L68, through the offline aggregation.
        [$exit, , $stderr, $json] = $this->parse($this->csv([
            ['tenant.id' => self::C, 'tenant.kind' => 'customer', 'name' => 'pw_workstations', 'usage.absolute.total' => '4', 'usage.absolute.production' => '3'],
            ['tenant.id' => self::P, 'tenant.kind' => 'partner', 'name' => 'pw_workstations', 'usage.absolute.total' => '9', 'usage.absolute.production' => '7'],
            ['tenant.id' => self::C, 'tenant.kind' => 'customer', 'name' => 'pw_compute_points', 'usage.delta.total' => '7200', 'usage.absolute.total' => '99999'],
        ]));
        $this->assertSame(0, $exit, $stderr);
        $this->assertEquals([self::C => ['pw_workstations' => 4, 'pw_compute_points' => 7200], self::P => ['pw_workstations' => 7]], $json);

        // The same rules on a simulator report, up to what WHMCS is given. A trial customer's
        // usage is in the trial and total counters only (production 0). Partners are always in
        // production on the platform, so their production and total counters agree there.
        $dr = $this->infra('disaster_recovery');
        $c = $this->tenant('customer', [['pw_workstations', null, 4], ['pw_compute_points', $dr, 99999, 7200]], 'trial');
        $p = $this->tenant('partner', [['pw_workstations', null, 7]]);
        foreach ([$c, $p] as $t) {
            $this->service($t);
        }
        $this->enableMetrics(['pw_workstations', 'pw_compute_points']);
        $this->assertSame(0, $this->process()['exit']);
        $dump = $this->metricsDump();
        $labels = $dump[$c] ?? [];
        ksort($labels);
        $this->assertSame(['pw_compute_points: Compute points' => '7200', 'pw_workstations: Cyber Backup Standard - Workstations' => '4'], $labels,
            'raw values under "<offering item>: <friendly name>"');
        $this->assertSame('7', $dump[$p]['pw_workstations: Cyber Backup Standard - Workstations'] ?? null);
        $this->assertSame(['pw_workstations' => 4.0, 'pw_compute_points' => 2.0], $this->billed($c), '7200 s = 2.0 hours');
        $this->assertSame(['pw_workstations' => 7.0], $this->billed($p));
    }

    public function testL69BackendSuffixAndInfraSum(): void
    {
        [$exit, , $stderr, $json] = $this->parse($this->csv([
            ['tenant.id' => self::C, 'tenant.kind' => 'customer', 'name' => 'pw_storage', 'infra.id' => self::I1, 'infra.backend_type' => 'acronis', 'usage.absolute.total' => '10737418240'],
            ['tenant.id' => self::C, 'tenant.kind' => 'customer', 'name' => 'pw_storage', 'infra.id' => self::I2, 'infra.backend_type' => 'acronis', 'usage.absolute.total' => '5368709120'],
        ]));
        $this->assertSame(0, $exit, $stderr);
        $this->assertEquals([self::C => ['pw_storage_acronis' => 16106127360]], $json, 'summed over infras; no pw_storage');

        $c = $this->tenant('customer', [['pw_storage', $this->infra('backup'), 16106127360]]);
        $this->service($c);
        $this->enableMetrics(['pw_storage_acronis', 'pw_storage']);
        $this->assertSame(0, $this->process()['exit']);
        $list = $this->provider(0, $c, ['no-usage' => true])['tenantUsage'];
        $this->assertSame(['pw_storage_acronis' => 15.0], self::valuesOf($list), '16106127360 bytes = 15.0 GB; pw_storage gets no value');
        $storage = array_values(array_filter($list, static fn ($m) => $m['systemName'] === 'pw_storage_acronis'))[0];
        $this->assertSame('WHMCS\UsageBilling\Metrics\Units\GigaBytes', $storage['units']['__class']);
    }

    public function testL70PartnerOwnedStorageRemap(): void
    {
        $partnerInfra = $this->infra('backup', false);
        $p = $this->tenant('partner', [['pg_storage', $partnerInfra, 2 * self::GIB]]);
        $c = $this->tenant('customer', [['pw_storage', $partnerInfra, 3 * self::GIB], ['pw_storage', $this->infra('backup'), self::GIB]]);
        $this->service($p);
        $this->service($c);
        $this->enableMetrics(['pg_child_storages']);
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(['pg_child_storages' => 2.0], $this->billed($p), 'pg_storage on a partner-owned infra');
        $this->assertSame(['pw_storage_acronis' => 1.0, 'pg_child_storages' => 3.0], $this->billed($c));
    }

    public function testL71UnknownTenantsIgnored(): void
    {
        $known = $this->tenant('customer', [['pw_workstations', null, 1]]);
        $unknown = $this->tenant('customer', [['pw_workstations', null, 8]]);
        $emptyField = $this->tenant('customer', [['pw_workstations', null, 5]]);
        $this->service($known, 0, 1, 'Terminated');
        $this->service('');
        $this->enableMetrics(['pw_workstations']);
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame([$known], array_keys($this->metricsDump()), 'services of any status count; unknown tenants are left out');
        $usage = $this->provider(0, $unknown)['usage'];
        $this->assertSame([$known], array_keys($usage));
        $this->assertSame([], self::valuesOf($this->provider(0, $unknown, ['no-usage' => true])['tenantUsage']));

        // usage-report:parse keeps every tenant of the file unless told otherwise.
        $files = glob($this->reportsDir() . '/' . self::TODAY . '/*.csv.gz');
        $this->assertCount(1, $files);
        [, , , $all] = $this->parse($files[0]);
        $this->assertArrayHasKey($unknown, $all);
        [, , , $knownOnly] = $this->parse($files[0], ['--known-tenants']);
        $this->assertSame([$known], array_keys($knownOnly));
    }
}
