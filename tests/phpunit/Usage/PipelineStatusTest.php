<?php

namespace AcronisCloud\Tests\Usage;

/**
 * The billing-pipeline status (issue 13): the admin action `pipeline_status` and the
 * "Usage billing" page through the addon's `_output` glue, the banner of the addon's main page,
 * and `php manage.php usage-report:status [--json]`, after real pipeline runs against the
 * simulator.
 */
final class PipelineStatusTest extends UsageTestCase
{
    private string $tenant;

    protected function setUp(): void
    {
        parent::setUp();
        $this->host->ok('addon:set', ['acroniscloud', 'access', '1']);
        $this->tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($this->tenant);
        $this->enableMetrics(['pw_workstations']);
    }

    /** `_output` with `$get` as an admin (or `$session`); returns [decoded JSON, raw output]. */
    private function output(array $get, array $session = []): array
    {
        $r = $this->runner()->run('module:call', ['output', 'module' => 'acroniscloud', 'addon' => true, 'get' => $get, 'session' => $session]);
        // An API action ends the request with exit() after its answer, as WHMCS's addon pages do.
        $ended = $r['exit'] === 0 || ($r['json']['terminated'] ?? '') === 'exit';
        $this->assertTrue($ended, $r['stdout'] . $r['stderr']);
        $out = (string) ($r['json']['output'] ?? '');
        return [json_decode($out, true), $out];
    }

    private function status(array $query = []): array
    {
        [$json, $raw] = $this->output(['action' => 'pipeline_status'] + $query);
        $this->assertIsArray($json, $raw);
        return $json;
    }

    public function testStatusAfterAPipelineRun(): void
    {
        $this->assertSame(0, $this->process()['exit']);
        $status = $this->status();
        $this->assertSame(self::TODAY, $status['today']);
        $server = $status['servers'][0];
        $this->assertSame($this->server, $server['server_id']);
        $this->assertNull($server['alert']);
        $day = $server['days'][0];
        $this->assertSame(self::TODAY, $day['date']);
        $this->assertSame(4, $day['status']);
        $this->assertSame('Downloaded and saved', $day['status_text']);
        $this->assertSame(1, $day['tenants'], 'the one tenant of a WHMCS service is billed');
        $this->assertGreaterThan(0, $day['rows']);
        $this->assertSame(0, $day['bad_rows']);
        foreach (['ordered_at', 'ready_at', 'downloaded_at', 'aggregated_at'] as $step) {
            $this->assertIsInt($day[$step], "$step is stamped");
        }
        foreach (['order_to_ready', 'download', 'aggregate'] as $step) {
            $this->assertGreaterThanOrEqual(0, $day['durations'][$step], "$step has a duration");
        }
        $this->assertSame('next_day', $day['next_step']);
        $this->assertSame(strtotime('2024-06-01 00:00:00 UTC'), $day['next_run_at']);
        $this->assertNull($day['error']);
        $this->assertNull($day['hint']);

        [, $page] = $this->output(['page' => 'usage_billing']);
        $this->assertStringContainsString('aria-current="page">Usage billing</a>', $page);
        $this->assertStringContainsString('<td>Downloaded and saved</td>', $page);
        $this->assertStringContainsString('Order the next day&#039;s report', $page);
        $this->assertStringNotContainsString('acroniscloud-usage-banner', $page);
    }

    public function testFailedReportShowsTheHintAndTheBanner(): void
    {
        $this->sim->faults([['kind' => 'report_failed']]);
        $this->assertSame(1, $this->process()['exit']);
        $day = $this->status()['servers'][0]['days'][0];
        $this->assertSame(-1, $day['status']);
        $this->assertStringContainsString('Report generation failed', $day['error']);
        $this->assertSame('platform_failed', $day['hint_code']);
        $this->assertSame('order', $day['next_step'], 'the next run orders again');
        $this->assertSame('failed', $this->status()['servers'][0]['alert']['kind']);

        [, $main] = $this->output([]);
        $this->assertStringContainsString('acroniscloud-usage-banner', $main);
        $this->assertStringContainsString('The usage report of 2024-05-31 failed', $main);
        $this->assertStringContainsString('<div id="acroniscloud-admin">', $main, 'the template app is still there');

        $this->host->ok('sql', ["UPDATE tbladmins SET language = 'german' WHERE id = 1"]);
        [, $german] = $this->output(['page' => 'usage_billing']);
        $this->assertStringContainsString('Nutzungsabrechnung', $german);
    }

    public function testAuthFailureHintsAtTheCredentials(): void
    {
        $this->writeUsageConfig(['retries_limit' => 1]);
        $this->sim->faults([['kind' => 'token_endpoint_fail', 'status' => 401]]);
        $this->assertSame(1, $this->process()['exit']);
        $day = $this->status()['servers'][0]['days'][0];
        $this->assertSame('auth', $day['hint_code'], (string) $day['error']);
        $this->assertStringContainsString('Test Connection', $day['hint']);
        $this->assertNoSecretIn('pipeline status', json_encode($this->status()));
    }

    public function testStaleReportIsBannered(): void
    {
        $this->today = '2024-05-28';
        $this->assertSame(0, $this->process()['exit']);
        $this->today = self::TODAY;
        $alert = $this->status()['servers'][0]['alert'];
        $this->assertSame('stale', $alert['kind']);
        $this->assertStringContainsString('2024-05-28, more than a day old', $alert['message']);
    }

    public function testManageStatusTextAndJson(): void
    {
        $this->assertSame(0, $this->process()['exit']);
        $text = $this->manageOk(['usage-report:status'])['stdout'];
        $this->assertMatchesRegularExpression('/^Server +\| Date +\| Status/', $text);
        $this->assertMatchesRegularExpression('/#' . $this->server . ' Acronis EU2 \| 2024-05-31 \| Downloaded and saved \|/', $text);
        $this->assertStringContainsString('Order the next day\'s report | 2024-06-01 00:00 UTC', $text);

        $json = json_decode($this->manageOk(['usage-report:status', '--json'])['stdout'], true);
        $this->assertSame($this->status()['servers'][0]['days'][0]['rows'], $json['servers'][0]['days'][0]['rows']);
        $this->assertSame('next_day', $json['servers'][0]['days'][0]['next_step']);

        $this->sim->faults([['kind' => 'report_failed']]);
        $this->today = '2024-06-01';
        $this->process();
        $r = $this->manage(['usage-report:status', '--days=2']);
        $this->assertSame(1, $r['exit'], 'attention needed: exit code 1 for monitoring');
        $this->assertStringContainsString('hint: The platform could not generate the report', $r['stdout']);
        $this->assertSame(2, $this->manage(['usage-report:status', '--days=99'])['exit']);
    }

    public function testBadInputAndAccess(): void
    {
        [$json] = $this->output(['action' => 'pipeline_status', 'server_id' => '999']);
        $this->assertSame(404, $json['error']['code']);
        [$json] = $this->output(['action' => 'pipeline_status', 'server_id' => 'abc']);
        $this->assertSame(400, $json['error']['code']);
        [$json] = $this->output(['action' => 'pipeline_status', 'days' => '0']);
        $this->assertSame(400, $json['error']['code']);
        [$json] = $this->output(['action' => 'pipeline_status'], ['adminid' => 0]);
        $this->assertSame(401, $json['error']['code'], 'no admin session');
        $this->host->ok('sql', ["DELETE FROM tbladdonmodules WHERE module = 'acroniscloud' AND setting = 'access'"]);
        [$json] = $this->output(['action' => 'pipeline_status']);
        $this->assertSame(403, $json['error']['code'], 'an admin without addon access');
        [, $page] = $this->output(['page' => 'usage_billing']);
        $this->assertStringContainsString('alert-danger', $page);
        $this->assertStringNotContainsString('<table', $page);
    }
}
