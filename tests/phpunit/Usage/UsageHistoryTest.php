<?php

namespace AcronisCloud\Tests\Usage;

/**
 * The client area's usage history (`usage_history`) and "Refresh now" (`refresh_usages`)
 * through the real module file and glue: today's day is stored by the usage pipeline
 * (`manage.php usage-report:process` against the simulator), older days are rows of the same
 * store table (`acroniscloud_usage_tenant_days`), quotas come from the simulator's live usages.
 */
final class UsageHistoryTest extends UsageTestCase
{
    private string $tenant;
    private int $serviceId;

    protected function setUp(): void
    {
        parent::setUp();
        $this->tenant = $this->tenant('customer', [['pw_workstations', null, 4], ['pw_storage', $this->infra('backup'), 5 * self::GIB]]);
        $backup = $this->app('backup');
        $this->sim->api('PUT', "/api/2/tenants/{$this->tenant}/offering_items", ['offering_items' => [
            ['application_id' => $backup, 'name' => 'pw_workstations', 'status' => 1, 'quota' => ['value' => 10, 'overage' => 0]],
            ['application_id' => $backup, 'name' => 'pw_storage', 'infra_id' => $this->infra('backup'), 'status' => 1,
                'quota' => ['value' => 100 * self::GIB, 'overage' => 0]],
        ]]);
        $this->serviceId = $this->service($this->tenant);
        $this->enableMetrics(['pw_workstations', 'pw_storage_acronis']);
        $this->assertSame(0, $this->process()['exit']);
        $this->storeDay('2024-05-20', ['pw_workstations' => 7, 'pw_storage_acronis' => 2 * self::GIB]);
        $this->storeDay('2024-04-15', ['pw_workstations' => 2]);
    }

    /** A stored day of the tenant, as the pipeline writes it (raw report values). */
    private function storeDay(string $date, array $metrics): void
    {
        $this->host->sql('INSERT INTO acroniscloud_usage_tenant_days (tenant_id, date, server_id, report_row, metrics, updated_at) VALUES (?, ?, ?, 0, ?, ?)',
            [$this->tenant, $date, $this->server, json_encode($metrics), time()]);
    }

    /** Runs the page API as `$client`; `$post` makes it a POST (with the page's token unless `$token` is false). */
    private function api(string $action, array $query = [], ?array $post = null, int $client = 1, bool $token = true): array
    {
        $args = ['ClientAreaApi', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => $client,
            'get' => ['action' => 'productdetails', 'id' => (string) $this->serviceId, 'modop' => 'custom', 'a' => 'ClientAreaApi', 'api' => $action] + $query];
        if ($post !== null) {
            // A POST carries a field even without the token (an empty form would be a GET).
            $args['post'] = $post + ['refresh' => '1'] + ($token ? ['token' => 'page-token'] : []);
            $args['session'] = ['tkval' => 'page-token'];
        }
        $r = $this->runner()->run('module:call', $args);
        $out = (string) ($r['json']['output'] ?? '');
        return [json_decode($out, true), $out . $r['stderr']];
    }

    private static function byDate(array $points): array
    {
        return array_column($points, 'value', 'date');
    }

    public function testUsageHistoryOf30DaysByDefault(): void
    {
        [$json, $raw] = $this->api('usage_history');
        $this->assertSame(['pw_workstations', 'pw_storage_acronis', 'quotas'], array_keys($json), $raw);
        $this->assertCount(30, $json['pw_workstations']);
        $this->assertSame(['date' => '2024-05-02', 'value' => null, 'unit' => 'accounts'], $json['pw_workstations'][0]);
        $ws = self::byDate($json['pw_workstations']);
        $this->assertEquals(4, $ws['2024-05-31']);
        $this->assertEquals(7, $ws['2024-05-20']);
        $this->assertNull($ws['2024-05-21'], 'a day without a stored row is a gap');
        $this->assertArrayNotHasKey('2024-04-15', $ws);
        $storage = self::byDate($json['pw_storage_acronis']);
        $this->assertEquals(5, $storage['2024-05-31'], 'bytes are billed in GB');
        $this->assertEquals(2, $storage['2024-05-20']);
        $this->assertSame('gigabytes', $json['pw_storage_acronis'][0]['unit']);
        $this->assertEquals(['pw_workstations' => 10, 'pw_storage_acronis' => 100], $json['quotas']);
        $this->assertArrayNotHasKey('html', $json);
    }

    public function testUsageHistoryOf90DaysReachesOlderDays(): void
    {
        [$json, $raw] = $this->api('usage_history', ['days' => '90']);
        $this->assertCount(90, $json['pw_workstations'], $raw);
        $this->assertSame('2024-03-03', $json['pw_workstations'][0]['date']);
        $ws = self::byDate($json['pw_workstations']);
        $this->assertEquals(2, $ws['2024-04-15']);
        $this->assertEquals(0, self::byDate($json['pw_storage_acronis'])['2024-04-15'], 'a stored day without the metric is zero');
        [$json] = $this->api('usage_history', ['days' => '90', 'html' => '1']);
        $this->assertStringContainsString('<svg class="acc-chart-svg"', $json['html']);
        $this->assertStringContainsString('class="acc-chart-quota"', $json['html']);
        $this->assertStringContainsString('data-days="90" aria-current="true"', $json['html']);
    }

    public function testBadDaysAreRefusedWithAClearError(): void
    {
        foreach (['0', '91', 'abc', '30.5'] as $days) {
            [$json, $raw] = $this->api('usage_history', ['days' => $days]);
            $this->assertSame(400, $json['error']['code'] ?? null, $raw);
            $this->assertSame('The number of days must be a whole number from 1 to 90.', $json['error']['message']);
        }
        $this->host->sql("UPDATE tblclients SET language = 'german' WHERE id = 1");
        [$json] = $this->api('usage_history', ['days' => '91']);
        $this->assertSame('Die Anzahl der Tage muss eine ganze Zahl von 1 bis 90 sein.', $json['error']['message']);
    }

    public function testAnotherClientsServiceIsRefused(): void
    {
        $this->host->ok('sql', ["INSERT INTO tblclients (id, firstname, lastname, email, country, currency, status) VALUES (13, 'Eve', 'Other', 'eve@example.test', 'US', 1, 'Active')"]);
        $this->sim->clearRequests();
        foreach (['usage_history' => null, 'refresh_usages' => []] as $action => $post) {
            [$json, $raw] = $this->api($action, [], $post, 13);
            $this->assertSame(['code' => 404, 'message' => 'Client has no service with this id'], $json['error'] ?? null, $raw);
            $this->assertStringNotContainsString('pw_workstations', $raw);
        }
        $this->assertSame([], $this->sim->requests(), 'no Cloud call for a foreign service');
    }

    public function testRefreshNeedsTheCsrfTokenAndIsRateLimitedPerService(): void
    {
        [$json, $raw] = $this->api('refresh_usages', [], [], 1, false);
        $this->assertSame(403, $json['error']['code'] ?? null, $raw);
        $this->assertSame('csrf_token_invalid', $json['error']['details']['error_code']);
        [$json, $raw] = $this->api('refresh_usages');
        $this->assertSame(405, $json['error']['code'] ?? null, 'POST only: ' . $raw);

        $this->setUsage($this->tenant, 'pw_workstations', null, 6);
        [$json, $raw] = $this->api('refresh_usages', [], []);
        $this->assertSame('backup', $json['usages'][0]['application_type'] ?? null, $raw);
        $this->assertSame(6, $json['usages'][0]['offering_items'][0]['usage_value']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $json['next_refresh_at']);

        [$json, $raw] = $this->api('refresh_usages', [], []);
        $this->assertSame(429, $json['error']['code'] ?? null, $raw);
        $this->assertSame('refresh_rate_limited', $json['error']['details']['error_code']);
        $this->assertStringStartsWith('Usage was refreshed less than a minute ago. The next refresh is possible at ', $json['error']['message']);
        $this->assertStringContainsString($json['error']['details']['next_refresh_at'] . ' UTC.', $json['error']['message']);
        $this->assertGreaterThan(0, $json['error']['details']['retry_after']);
        $this->assertLessThanOrEqual(60, $json['error']['details']['retry_after']);

        // The limit is per service: another service of the client refreshes at once.
        $other = $this->service($this->tenant);
        $r = $this->runner()->run('module:call', ['ClientAreaApi', 'service' => $other, 'context' => 'client', 'client-id' => 1,
            'get' => ['action' => 'productdetails', 'id' => (string) $other, 'modop' => 'custom', 'a' => 'ClientAreaApi', 'api' => 'refresh_usages'],
            'post' => ['token' => 'page-token'], 'session' => ['tkval' => 'page-token']]);
        $this->assertArrayHasKey('usages', json_decode((string) $r['json']['output'], true), $r['stdout'] . $r['stderr']);
        $this->assertSame(1, (int) $this->host->sql("SELECT COUNT(*) AS n FROM acroniscloud_leases WHERE name = ?", ['client_refresh:' . $this->serviceId])[0]['n']);
    }

    public function testManagementPageRendersTheChartWithoutScript(): void
    {
        $r = $this->runner()->run('module:call', ['ClientAreaManagement', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        $html = (string) $r['json']['result']['vars']['acroniscloud']['usage_history'];
        $this->assertStringContainsString('<h2 class="acc-block-title" id="acc-history-title">Usage history</h2>', $html);
        $this->assertSame(2, substr_count($html, '<svg class="acc-chart-svg"'));
        $this->assertStringContainsString('<figcaption class="acc-chart-title">Cyber Protect Cloud - Acronis hosted storage (GB)</figcaption>', $html);
        $this->assertStringContainsString('>Quota: 100</text>', $html);
        $this->assertStringContainsString('<details class="acc-chart-table"><summary>Table view</summary>', $html);
        $this->assertStringContainsString('<tr><th scope="row">2024-05-31</th><td>5</td></tr>', $html);
        $this->assertStringContainsString('href="clientarea.php?action=productdetails&amp;id=' . $this->serviceId . '&amp;modop=custom&amp;a=ClientAreaManagement&amp;history_days=90"', $html);

        // A product that bills no metric has no history block.
        $this->host->sql("DELETE FROM tblusage_items");
        $r = $this->runner()->run('module:call', ['ClientAreaManagement', 'service' => $this->serviceId, 'context' => 'client', 'client-id' => 1]);
        $this->assertNull($r['json']['result']['vars']['acroniscloud']['usage_history']);
    }
}
