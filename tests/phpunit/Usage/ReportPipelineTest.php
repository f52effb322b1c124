<?php

namespace AcronisCloud\Tests\Usage;

/**
 * The report lifecycle through `manage.php` (docs/behaviour.md §F.3, scenarios L65, L66,
 * L72-L74): order, poll, download and aggregation against the simulator, the daily values,
 * erase, flushall and view-list, overlapping runs and faults.
 */
final class ReportPipelineTest extends UsageTestCase
{
    private string $tenant;

    protected function setUp(): void
    {
        parent::setUp();
        $this->tenant = $this->tenant('customer', [['pw_workstations', null, 4], ['pw_storage', $this->infra('backup'), 10 * self::GIB]]);
        $this->service($this->tenant);
        $this->enableMetrics(['pw_workstations', 'pw_storage_acronis']);
        $this->sim->clearRequests();
    }

    public function testL65ProcessHappyPath(): void
    {
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('', $r['stderr']);
        $this->assertMatchesRegularExpression('/^Server #' . $this->server . ' \(Acronis EU2\): 2024-05-31 report #\d+: Downloaded and saved/', $r['stdout']);

        $orders = array_values(array_filter($this->sim->requests(), static fn ($q) => $q['method'] === 'POST' && $q['path'] === '/api/2/reports'));
        $this->assertCount(1, $orders);
        $this->assertSame(['recipients' => [], 'result_action' => 'save', 'parameters' => [
            'tenant_id' => $this->sim->seed()['root_tenant_id'], 'kind' => 'usage_current', 'level' => 'accounts'],
            'schedule' => ['type' => 'once']], json_decode($orders[0]['body'], true));
        $calls = $this->apiCalls();
        $reportId = null;
        foreach ($calls as $c) {
            if (preg_match('#^GET /api/2/reports/([^/]+)/stored/([^/]+)$#', $c, $m)) {
                $reportId = $m[1];
            }
        }
        $this->assertNotNull($reportId, 'the stored report was downloaded: ' . json_encode($calls));
        $this->assertContains("GET /api/2/reports/$reportId/stored", $calls);

        $row = $this->viewRow(self::TODAY);
        $this->assertNotNull($row);
        [$id, $date, $dcName, $dcId, $status, $path] = $row;
        $this->assertSame(['2024-05-31', 'Acronis EU2', (string) $this->server, 'Downloaded and saved'], [$date, $dcName, $dcId, $status]);
        $this->assertSame($this->reportsDir() . "/2024-05-31/$id.csv.gz", $path);
        $csv = gzdecode((string) file_get_contents($path));
        $this->assertIsString($csv, 'the file holds the gzip bytes as downloaded');
        $this->assertStringStartsWith('tenant.id,tenant.kind,', $csv);
        $this->assertStringContainsString($this->tenant . ',customer,', $csv);
        $this->assertSame(['2024-05-31/', "2024-05-31/$id.csv.gz"], $this->reportFiles(), 'no partial files left');

        // The next run has nothing to do: no second order, no second download.
        $this->sim->clearRequests();
        $again = $this->process();
        $this->assertSame(0, $again['exit'], $again['stderr']);
        $this->assertSame(0, $this->countCalls('POST', '#^/api/2/reports$#'));
        $this->assertSame(0, $this->countCalls('GET', '#^/api/2/reports/#'));
        $this->assertSame(['pw_workstations' => 4.0, 'pw_storage_acronis' => 10.0], $this->billed($this->tenant));
    }

    public function testProcessNeedsAnAcronisServerIdAndReportsErrors(): void
    {
        $r = $this->manage(['usage-report:process']);
        $this->assertSame(2, $r['exit']);
        $this->assertStringContainsString('usage-report:process <SERVER_ID>', $r['stderr']);
        $r = $this->manage(['usage-report:process', 'abc']);
        $this->assertSame(2, $r['exit']);
        $r = $this->manage(['usage-report:process', '99']);
        $this->assertSame(1, $r['exit']);
        $this->assertSame("Server #99 is not an Acronis Cyber Cloud server.\n", $r['stderr']);
        $this->assertSame([], $this->sim->requests());

        // A disabled server is skipped, not an error.
        $this->host->sql('UPDATE tblservers SET disabled = 1 WHERE id = ?', [$this->server]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertStringContainsString('skipped', $r['stdout']);
        $this->assertSame([], $this->apiCalls());
    }

    public function testL66ReportGenerationFailed(): void
    {
        $this->sim->faults([['kind' => 'report_failed']]);
        $r = $this->process();
        $this->assertSame(1, $r['exit'], $r['stdout']);
        $this->assertStringContainsString('Report generation failed or something went wrong.', $r['stderr']);
        $this->assertSame('Error', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(0, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored/[^/]+$#'), 'no download attempt (J.2 #4)');
        $this->assertSame([], array_filter($this->reportFiles(), static fn ($f) => substr($f, -1) !== '/'), 'no file, not even an empty one');
        $this->assertSame([], $this->billed($this->tenant));

        // The next run orders a new report (the row was in error) and recovers.
        $this->sim->control('DELETE', 'faults');
        $this->sim->clearRequests();
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#'));
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(['pw_workstations' => 4.0, 'pw_storage_acronis' => 10.0], $this->billed($this->tenant));
    }

    public function testReportNotReadyIsPolledAgainByTheNextRun(): void
    {
        $this->sim->control('PUT', 'settings', ['report_polls' => 2]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], 'not ready yet is not a failure: ' . $r['stderr']);
        $this->assertSame('Ordered', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(1, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored$#'), 'one poll per run, no sleeping');
        $this->process();
        $this->assertSame('Ordered', $this->viewRow(self::TODAY)[4]);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#'), 'ordered once (J.2 #3)');
        $this->assertSame(3, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored$#'));
    }

    public function testRetryTimeoutSpacesThePollsOfARunningReport(): void
    {
        $this->writeUsageConfig(['retry_timeout' => 3600]);
        $this->sim->control('PUT', 'settings', ['report_polls' => 1]);
        $this->process();
        $this->process();
        $this->assertSame(1, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored$#'), 'the second run waits for retry_timeout');
        $this->assertSame('Ordered', $this->viewRow(self::TODAY)[4]);
    }

    public function testL72DailyValuesAndFlush(): void
    {
        $server2 = $this->addServer(['name' => 'Acronis US1'], 1);
        $tenant2 = $this->tenant('customer', [['pw_workstations', null, 12]], 'production', 1);
        $this->service($tenant2, $server2);
        $this->sim->clearRequests();

        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(['pw_workstations' => 4.0, 'pw_storage_acronis' => 10.0], $this->billed($this->tenant));
        $this->assertSame([], $this->billed($tenant2, $server2), 'no report of server 2 yet');

        // A report of another server downloaded later the same day adds its tenants (J.2 #18:
        // nothing is frozen); the first server's values stay as they were.
        $this->assertSame(0, $this->process($server2)['exit']);
        $this->assertSame(['pw_workstations' => 12.0], $this->billed($tenant2, $server2));
        $this->assertSame(['pw_workstations' => 4.0, 'pw_storage_acronis' => 10.0], $this->billed($this->tenant));
        $dump = $this->metricsDump();
        $this->assertEqualsCanonicalizing([$this->tenant, $tenant2], array_keys($dump));
        $this->assertSame('10737418240', $dump[$this->tenant]['pw_storage_acronis'] ?? null, 'raw bytes; a metric name that is no offering item stays as it is');

        // Today's report is not ordered again: new usage shows after flushall only.
        $this->setUsage($this->tenant, 'pw_workstations', null, 6);
        $this->process();
        $this->assertSame(4.0, $this->billed($this->tenant)['pw_workstations']);

        $this->sim->clearRequests();
        $r = $this->manageOk(['usage-report:flushall']);
        $this->assertSame('', $r['stdout'] . $r['stderr'], 'no output when not on a terminal');
        $this->assertSame("There are no reports to be processed.\n", $this->manageOk(['usage-report:view-list'])['stdout']);
        $this->assertSame([], $this->reportFiles(), 'files and date folders gone');
        $this->assertDirectoryExists($this->reportsDir(), 'the base path stays');
        $this->assertSame([], $this->billed($this->tenant));
        $this->assertSame([], $this->billed($tenant2, $server2));

        $this->assertSame(0, $this->manage(['usage-report:master'])['exit']);
        $this->assertSame(['pw_workstations' => 6.0, 'pw_storage_acronis' => 10.0], $this->billed($this->tenant), 'the next run re-reads the reports');
        $this->assertSame(['pw_workstations' => 12.0], $this->billed($tenant2, $server2));
    }

    public function testUsageIsKeptPerDay(): void
    {
        $this->today = '2024-05-30';
        $this->assertSame(0, $this->process()['exit']);
        $this->setUsage($this->tenant, 'pw_workstations', null, 5);
        $this->today = self::TODAY;
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(5.0, $this->billed($this->tenant)['pw_workstations']);
        // A day in the past sees that day's values.
        $this->today = '2024-05-30';
        $this->assertSame(4.0, $this->billed($this->tenant)['pw_workstations']);
    }

    public function testL73Erase(): void
    {
        $this->writeUsageConfig(['downloaded_files_ttl_in_days' => 2]);
        $this->today = '2024-05-28';
        $this->assertSame(0, $this->process()['exit']);
        $this->today = self::TODAY;
        $this->assertSame(0, $this->process()['exit']);
        [$oldId, , , , $oldStatus, $oldPath] = $this->viewRow('2024-05-28');
        $this->assertSame('Downloaded and saved', $oldStatus);
        $this->assertFileExists($oldPath);
        $new = $this->viewRow(self::TODAY);

        // TTL -1: nothing is erased.
        $this->writeUsageConfig(['downloaded_files_ttl_in_days' => -1]);
        $this->manageOk(['usage-report:erase']);
        $this->assertSame('Downloaded and saved', $this->viewRow('2024-05-28')[4]);
        $this->assertFileExists($oldPath);

        $this->writeUsageConfig(['downloaded_files_ttl_in_days' => 2]);
        $r = $this->manageOk(['usage-report:erase']);
        $this->assertSame('', $r['stdout'] . $r['stderr']);
        $old = $this->viewRow('2024-05-28');
        $this->assertSame([$oldId, 'Erased'], [$old[0], $old[4]]);
        $this->assertSame('', trim($old[5], ' -'), 'file_path cleared');
        $this->assertFileDoesNotExist($oldPath);
        $this->assertDirectoryDoesNotExist($this->reportsDir() . '/2024-05-28');
        $this->assertSame($new, $this->viewRow(self::TODAY), 'today\'s report untouched');
        $this->assertFileExists($new[5]);
        $this->assertSame(4.0, $this->billed($this->tenant)['pw_workstations'], 'erasing files keeps the usage');

        // Erasing again changes nothing (J.2 #6) and is quiet.
        $r = $this->manageOk(['usage-report:erase']);
        $this->assertSame('', $r['stdout'] . $r['stderr']);
        $this->assertSame('Erased', $this->viewRow('2024-05-28')[4]);
    }

    public function testL74ViewList(): void
    {
        $r = $this->manageOk(['usage-report:view-list']);
        $this->assertSame("There are no reports to be processed.\n", $r['stdout']);

        $this->process();
        $out = $this->manageOk(['usage-report:view-list'])['stdout'];
        $this->assertStringStartsWith('List of reports:', $out);
        foreach (['ID', 'Date', 'Datacenter name', 'Datacenter ID', 'Report status', 'File path'] as $column) {
            $this->assertStringContainsString($column, $out);
        }
        $row = $this->viewRow(self::TODAY);
        $this->assertMatchesRegularExpression('#\| 2024-05-31 +\| Acronis EU2 +\| ' . $this->server . ' +\| Downloaded and saved +\| ' . preg_quote($row[5], '#') . ' +\|#', $out);

        // A deleted server shows as "----".
        $this->host->sql('DELETE FROM tblhosting');
        $this->host->sql('DELETE FROM tblservers WHERE id = ?', [$this->server]);
        $out = $this->manageOk(['usage-report:view-list'])['stdout'];
        $this->assertMatchesRegularExpression('#\| 2024-05-31 +\| -{4} +\| -{4} +\| Downloaded and saved +\|#', $out);
    }

    public function testOverlappingMasterRunsOrderOneReportPerServer(): void
    {
        $server2 = $this->addServer(['name' => 'Acronis US1'], 1);
        $this->service($this->tenant('customer', [['pw_workstations', null, 2]], 'production', 1), $server2);
        $this->sim->clearRequests();
        // Slow orders make the two runs overlap.
        foreach ([0, 1] as $dc) {
            $this->sim->faults([['kind' => 'latency', 'method' => 'POST', 'path' => '/api/2/reports', 'ms' => 1500]], $dc);
        }
        $procs = [];
        foreach ([1, 2] as $i) {
            $procs[$i] = proc_open($this->manageCommand(['usage-report:master']), [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
                $pipes, $this->host->root(), array_merge(getenv(), $this->env()));
            $procs[$i] = [$procs[$i], $pipes];
        }
        $results = [];
        foreach ($procs as $i => [$p, $pipes]) {
            $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            $results[$i] = [proc_close($p), $out];
        }
        foreach ($results as [$exit, $out]) {
            $this->assertSame(0, $exit, $out);
            $this->assertStringNotContainsString('Stack trace', $out);
        }
        foreach ([0, 1] as $dc) {
            $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#', $dc), "exactly one order on DC $dc: " . json_encode($this->apiCalls($dc)));
            $this->assertLessThanOrEqual(1, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored/[^/]+$#', $dc), 'at most one download');
        }
        // Whatever the overlapping runs left is finished by the next one.
        $this->assertSame(0, $this->manage(['usage-report:master'])['exit']);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY, $server2)[4]);
        foreach ([0, 1] as $dc) {
            $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#', $dc));
            $this->assertSame(1, $this->countCalls('GET', '#^/api/2/reports/[^/]+/stored/[^/]+$#', $dc));
        }
    }
}
