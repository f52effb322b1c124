<?php

namespace AcronisCloud\Tests\Usage;

use AcronisCloud\UsageMetrics;
use AcronisCloud\ValidationException;
use PHPUnit\Framework\TestCase;

/** `UsageMetrics::summarizeReport` through the PHP class (issue 5 groundwork; F.4 rules). */
final class SummarizeReportTest extends TestCase
{
    private const HEADER = 'tenant.id,tenant.kind,application.id,name,edition,infra.id,infra.owner_id,infra.backend_type,'
        . 'usage.absolute.production,usage.absolute.trial,usage.absolute.total,usage.delta.production,usage.delta.trial,'
        . 'usage.delta.total,usage.effective.production,usage.effective.trial,usage.effective.total';

    private string $dir;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/acl-usage-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
    }

    protected function tearDown(): void
    {
        array_map('unlink', glob($this->dir . '/*') ?: []);
        rmdir($this->dir);
    }

    private function report(array $lines, bool $gzip = true): string
    {
        $csv = implode("\r\n", $lines) . "\r\n";
        $path = $this->dir . '/report.csv' . ($gzip ? '.gz' : '');
        file_put_contents($path, $gzip ? gzencode($csv) : $csv);
        return $path;
    }

    public function testCustomerTotalsSummedOverStoragesAndBadRowsSkipped(): void
    {
        $t = '11111111-1111-4111-8111-111111111111';
        $i1 = '22222222-2222-4222-8222-222222222221';
        $i2 = '22222222-2222-4222-8222-222222222222';
        $path = $this->report([
            self::HEADER,
            "$t,customer,app,pw_storage,per_workload,$i1,,acronis,1,0,100,0,0,0,0,0,0",
            '',
            "$t,customer,app,pw_storage,per_workload,$i2,,acronis,1,0,50,0,0,0,0,0,0",
            "$t,customer,app,pw_compute_points,per_workload,,,,0,0,999,0,0,7200,0,0,0",
            "$t,customer,app,pw_workstations,per_workload,,,,0,0,not-a-number,0,0,0,0,0,0",
            "\"$t\",customer,app,\"pw_servers\",per_workload,,,,0,0,3,0,0,0,0,0,0",
        ]);
        $out = $this->dir . '/summary.json';
        $r = UsageMetrics::summarizeReport($path, $out);
        $this->assertSame(4, $r['rows']);
        $this->assertSame(1, $r['bad_rows']);
        $this->assertSame(1, $r['tenants']);
        $json = json_decode((string) file_get_contents($out), true);
        $this->assertEquals(['pw_storage_acronis' => 150, 'pw_compute_points' => 7200, 'pw_servers' => 3], $json[$t]);

        $none = UsageMetrics::summarizeReport($path, $out, ['known_tenants' => ['33333333-3333-4333-8333-333333333333']]);
        $this->assertSame(0, $none['tenants']);
    }

    public function testMissingColumnsRejectTheFile(): void
    {
        $path = $this->report(['tenant.id,name', 'a,b'], false);
        $this->expectException(ValidationException::class);
        $this->expectExceptionMessageMatches('/^Column names \(.*\) must be present in CSV file\.$/');
        UsageMetrics::summarizeReport($path, $this->dir . '/x.json');
    }

    public function testTruncatedGzipIsAClearError(): void
    {
        $path = $this->report([self::HEADER, str_repeat("t,customer,app,pw_servers,e,,,,1,1,1,1,1,1,1,1,1\n", 2000)]);
        file_put_contents($path, substr((string) file_get_contents($path), 0, 200));
        try {
            UsageMetrics::summarizeReport($path, $this->dir . '/x.json');
            $this->fail('a truncated report must not be summarized');
        } catch (\AcronisCloud\Exception $e) {
            $this->assertStringContainsString('not a valid gzip stream or is truncated', $e->getMessage());
        }
        $this->assertFileDoesNotExist($this->dir . '/x.json');
    }
}
