<?php

namespace AcronisCloud\Tests\Usage;

/**
 * Faults in the report pipeline: 5xx and 429 answers while ordering, polling and downloading, a
 * failed or never finishing report, a connection reset in the middle of the download and an
 * unwritable download directory. Each leaves a status and a message in view-list, keeps the
 * other server's tenants and the earlier days untouched, and the next run recovers.
 */
final class ReportFaultsTest extends UsageTestCase
{
    private string $tenant;
    private string $other;
    private int $server2;

    protected function setUp(): void
    {
        parent::setUp();
        $this->tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($this->tenant);
        $this->server2 = $this->addServer(['name' => 'Acronis US1'], 1);
        $this->other = $this->tenant('customer', [['pw_workstations', null, 9]], 'production', 1);
        $this->service($this->other, $this->server2);
        $this->enableMetrics(['pw_workstations']);
        // Yesterday's report of server 1 is in; today server 2 works and server 1 meets the fault.
        $this->today = '2024-05-30';
        $this->assertSame(0, $this->process()['exit']);
        $this->setUsage($this->tenant, 'pw_workstations', null, 5);
        $this->today = self::TODAY;
        $this->sim->clearRequests();
    }

    /** @return iterable<string, array{0: list<array>, 1: string, 2: string}> faults, expected status, message part */
    public static function faults(): iterable
    {
        yield '5xx on order' => [[['kind' => 'http_5xx', 'method' => 'POST', 'path' => '/api/2/reports', 'status' => 503]], 'New', 'Injected server error'];
        yield '429 on order' => [[['kind' => 'rate_limit', 'method' => 'POST', 'path' => '/api/2/reports', 'retry_after' => 'none']], 'New', 'Rate limit exceeded'];
        yield '5xx on poll' => [[['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/reports/*/stored', 'status' => 500]], 'Ordered', 'Injected server error'];
        yield '429 on poll' => [[['kind' => 'rate_limit', 'method' => 'GET', 'path' => '/api/2/reports/*/stored', 'retry_after' => 'none']], 'Ordered', 'Rate limit exceeded'];
        yield 'no csv_v2_0 entry' => [[['kind' => 'report_empty_list']], 'Ordered', 'There are no stored reports of format "csv_v2_0"'];
        yield '5xx on download' => [[['kind' => 'http_5xx', 'method' => 'GET', 'path' => '/api/2/reports/*/stored/*', 'status' => 502]], 'Ready for downloading', 'Injected server error'];
        yield 'reset mid-body' => [[['kind' => 'connection_reset', 'method' => 'GET', 'path' => '/api/2/reports/*/stored/*', 'when' => 'mid_body']], 'Ready for downloading', ''];
    }

    /** @dataProvider faults */
    public function testFaultLeavesStatusAndMessageAndTheNextRunRecovers(array $faults, string $status, string $message): void
    {
        $this->sim->faults($faults);
        $r = $this->manage(['usage-report:master']);
        $this->assertSame(1, $r['exit'], "a server's error fails the run\n" . $r['stdout']);
        $this->assertStringContainsString('Server #' . $this->server . ' (Acronis EU2)', $r['stderr']);
        $this->assertStringContainsString($message, $r['stderr']);
        $this->assertStringNotContainsString('Stack trace', $r['stderr']);
        $this->assertStringNotContainsString('Server #' . $this->server2, $r['stderr'], 'server 2 did fine');

        $row = $this->viewRow(self::TODAY);
        $this->assertNotNull($row, 'the row of today exists');
        $this->assertSame($status, $row[4]);
        $list = $this->manageOk(['usage-report:view-list'])['stdout'];
        $this->assertStringContainsString($message, $list, 'view-list shows the message');
        $this->assertSame([], glob($this->reportsDir() . '/2024-05-31/' . $row[0] . '.*') ?: [], 'no file, no partial file');
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($this->tenant), "yesterday's values are still served");
        $this->assertSame(['pw_workstations' => 9.0], $this->billed($this->other, $this->server2), "the other server's tenants are in");
        $this->assertSame('Downloaded and saved', $this->viewRow('2024-05-30')[4]);

        $this->sim->control('DELETE', 'faults');
        $this->sim->clearRequests();
        $r = $this->manage(['usage-report:master']);
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
        $this->assertSame(['pw_workstations' => 9.0], $this->billed($this->other, $this->server2));
        $this->assertSame(0, $this->countCalls('POST', '#^/api/2/reports$#', 1), 'server 2 is not ordered again');
        $this->assertLessThanOrEqual(1, $this->countCalls('POST', '#^/api/2/reports$#'), 'no new order after a retryable failure once ordered');
    }

    public function testReportThatNeverFinishesStaysOrdered(): void
    {
        $this->sim->faults([['kind' => 'report_delay']]);
        for ($i = 0; $i < 3; $i++) {
            $r = $this->process();
            $this->assertSame(0, $r['exit'], 'a report still being generated is not an error: ' . $r['stderr']);
        }
        $this->assertSame('Ordered', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#'), 'ordered once, polled by each run');
        $this->assertSame(3, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored$#'));
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($this->tenant));

        $this->sim->control('DELETE', 'faults');
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
    }

    public function testReportFailedIsReordered(): void
    {
        $this->sim->faults([['kind' => 'report_failed']]);
        $this->assertSame(1, $this->process()['exit']);
        $this->assertSame('Error', $this->viewRow(self::TODAY)[4]);
        $this->assertStringContainsString('Report generation failed or something went wrong.', $this->manageOk(['usage-report:view-list'])['stdout']);
        $this->sim->control('DELETE', 'faults');
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(2, $this->countCalls('POST', '#^/api/2/reports$#'));
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
    }

    public function testJsonListedFirstAndPlainOrRedirectedDownloadsWork(): void
    {
        $this->sim->faults([['kind' => 'report_format_order'], ['kind' => 'report_encoding', 'variant' => 'plain'], ['kind' => 'download_redirect', 'host' => 'same']]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
    }

    /** @return iterable<string, array{0: string}> */
    public static function readableVariants(): iterable
    {
        yield 'gzip without Content-Encoding' => ['gzip_no_header'];
        yield 'plain CSV' => ['plain'];
        yield 'trailing blank line' => ['trailing_blank_line'];
    }

    /** @dataProvider readableVariants */
    public function testReadableReportVariants(string $variant): void
    {
        $this->sim->faults([['kind' => 'report_encoding', 'variant' => $variant]]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
    }

    public function testReportWithoutARequiredColumnIsNotAggregated(): void
    {
        $this->sim->faults([['kind' => 'report_encoding', 'variant' => 'missing_column']]);
        $r = $this->process();
        $this->assertSame(1, $r['exit'], $r['stdout']);
        $this->assertStringContainsString('usage.delta.trial', $r['stderr']);
        $row = $this->viewRow(self::TODAY);
        $this->assertNotSame('Downloaded and saved', $row[4]);
        $this->assertStringContainsString('usage.delta.trial', $this->manageOk(['usage-report:view-list'])['stdout']);
        $this->assertSame([], glob($this->reportsDir() . '/2024-05-31/' . $row[0] . '.*') ?: []);
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($this->tenant));
        $this->sim->control('DELETE', 'faults');
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
    }

    public function testEmptyNumericCellIsABadRowOnly(): void
    {
        $other = $this->tenant('customer', [['pw_servers', null, 2]]);
        $this->service($other);
        $this->sim->faults([['kind' => 'report_encoding', 'variant' => 'empty_numeric']]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $row = $this->viewRow(self::TODAY);
        $this->assertSame('Downloaded and saved', $row[4]);
        $this->assertSame('1', $row[7], 'one bad row');
        $this->assertSame(['pw_servers' => 2.0], $this->billed($other), 'the other row is billed');
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($this->tenant), 'no value of today: the latest day (yesterday) is served');
    }

    public function testUnwritableDownloadDirectory(): void
    {
        $blocker = $this->host->writeFile('blocker', 'a file where the reports folder should be');
        $this->writeUsageConfig(['download_path' => $blocker . '/reports']);
        $r = $this->manage(['usage-report:master']);
        $this->assertSame(1, $r['exit'], $r['stdout']);
        $this->assertStringContainsString('Server #' . $this->server . ' (Acronis EU2)', $r['stderr']);
        $this->assertStringContainsString($blocker, $r['stderr'], 'the message names the path');
        $this->assertStringContainsString($blocker, $this->manageOk(['usage-report:view-list'])['stdout']);
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($this->tenant));

        $this->writeUsageConfig();
        $this->sim->clearRequests();
        $r = $this->manage(['usage-report:master']);
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame(['pw_workstations' => 5.0], $this->billed($this->tenant));
        $this->assertSame(['pw_workstations' => 9.0], $this->billed($this->other, $this->server2));
    }
}
