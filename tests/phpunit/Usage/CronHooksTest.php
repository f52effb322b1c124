<?php

namespace AcronisCloud\Tests\Usage;

/** The cron hooks (docs/behaviour.md §F.2, scenario L64) in emulated WHMCS cron requests. */
final class CronHooksTest extends UsageTestCase
{
    public function testL64CronHooksSkipWithoutMetrics(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($tenant);
        // Neither a hidden metric nor another module's metric enables usage billing.
        $this->enableMetrics(['pw_workstations'], 1, 1);
        $this->enableMetrics(['pw_workstations'], 1, 0, 'othermodule');
        $this->host->sql('INSERT INTO tblusage_items (rel_type, rel_id, module_type, module, metric, is_hidden, deleted_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
            ['Product', 1, 'servers', 'acroniscloud', 'pw_servers', '2024-01-01 00:00:00']);
        $this->sim->clearRequests();

        $this->cron('AfterCronJob');
        $this->cron('DailyCronJob');

        $this->assertSame([], $this->sim->requests(), 'nothing ordered or downloaded');
        $this->assertSame([], $this->reportFiles());
        $log = $this->logText();
        $this->assertStringContainsString('hook: afterCronJob | Skipping, no metrics enabled', $log);
        $this->assertStringContainsString('hook: dailyCronJob | Skipping, no metrics enabled', $log);
        $this->assertSame("There are no reports to be processed.\n", $this->manageOk(['usage-report:view-list'])['stdout']);
        $this->assertSame([], $this->host->activityLog());
    }

    public function testAfterCronJobProcessesEveryServerInProcessOnceMetricsAreEnabled(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $this->sim->clearRequests();

        $this->cron('AfterCronJob');

        $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#'));
        $row = $this->viewRow(self::TODAY);
        $this->assertNotNull($row, 'a report row for today');
        $this->assertSame('Downloaded and saved', $row[4]);
        $this->assertSame(['pw_workstations' => 4.0], $this->billed($tenant));
        $this->assertStringNotContainsString('Skipping, no metrics enabled', $this->logText());

        // DailyCronJob erases what is older than the TTL: today's report stays.
        $this->cron('DailyCronJob');
        $this->assertSame('Downloaded and saved', $this->viewRow(self::TODAY)[4]);
        $this->assertFileExists($row[5]);
    }

    public function testDailyCronJobErasesExpiredReports(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($tenant);
        $this->enableMetrics(['pw_workstations']);
        $this->today = '2024-05-20';
        $this->cron('AfterCronJob');
        $old = $this->viewRow('2024-05-20');
        $this->assertFileExists($old[5]);

        $this->today = self::TODAY;
        $this->cron('DailyCronJob');

        $this->assertSame('Erased', $this->viewRow('2024-05-20')[4]);
        $this->assertFileDoesNotExist($old[5]);
        $this->assertDirectoryDoesNotExist($this->reportsDir() . '/2024-05-20');
    }

    public function testHookFailuresNeverBreakTheCron(): void
    {
        $this->enableMetrics(['pw_workstations']);
        // A server error is logged in the activity log and the cron goes on.
        $this->sim->faults([['kind' => 'http_5xx', 'method' => 'POST', 'path' => '/api/2/reports', 'status' => 503]]);
        $r = $this->cron('AfterCronJob');
        $this->assertTrue($r['json']['ok'] ?? false, $r['stdout']);
        $messages = array_column($this->host->activityLog(true), 'description');
        $this->assertCount(1, $messages, json_encode($messages));
        $this->assertStringStartsWith('Acronis Cyber Cloud: usage report: Server #' . $this->server . ' (Acronis EU2)', $messages[0]);

        // An exception (here: a broken config.yaml) is logged the same way.
        $this->host->writeFile('includes/acroniscloud/config.yaml', "usage_report:\n  retries_limit: many\n");
        $r = $this->cron('AfterCronJob');
        $this->assertTrue($r['json']['ok'] ?? false, $r['stdout']);
        $r = $this->cron('DailyCronJob');
        $this->assertTrue($r['json']['ok'] ?? false, $r['stdout']);
        $messages = array_column($this->host->activityLog(), 'description');
        $this->assertCount(2, $messages, json_encode($messages));
        foreach ($messages as $message) {
            $this->assertStringStartsWith('Acronis Cyber Cloud hook failed: ', $message);
            $this->assertStringContainsString('retries_limit', $message);
        }
    }
}
