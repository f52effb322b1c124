<?php

namespace AcronisCloud\Tests\Usage;

/**
 * The MetricProvider WHMCS polls (docs/behaviour.md §F.5, scenario L75),
 * its memory with 10,000 tenants, and today's billed usage in the client area and the admin
 * service tab.
 */
final class MetricProviderTest extends UsageTestCase
{
    private ?\WhmcsHost\Testing\WhmcsHost $served = null;

    public function testL75MetricProviderShape(): void
    {
        $c = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $this->service($c);
        $this->enableMetrics(['pw_workstations']);
        $this->assertSame(0, $this->process()['exit']);

        $r = $this->provider(0, $c);
        $this->assertSame('WHMCS\Module\Server\AcronisCloud\MetricProvider', $r['provider']);
        $catalog = self::catalogMetrics();
        $names = array_column($catalog, 'system_name');
        $this->assertCount(68, $names);
        $this->assertSame($names, array_column($r['metrics'], 'systemName'), 'metrics(): the 68 catalog metrics in catalog order');
        $this->assertSame(array_column($catalog, 'display_name'), array_column($r['metrics'], 'displayName'));
        $this->assertSame([], self::valuesOf($r['metrics']), 'metrics() carry no usage');
        $this->assertSame($names, array_column($r['tenantUsage'], 'systemName'), 'tenantUsage(): all 68 metrics');
        $this->assertSame(['pw_workstations' => 4.0], self::valuesOf($r['tenantUsage']));
        $this->assertSame([$c], array_keys($r['usage']));
        $this->assertSame(['pw_workstations' => 4.0], self::valuesOf($r['usage'][$c]), 'usage(): the metrics that carry a value');
        $this->assertCount(1, $r['usage'][$c]);
        $this->assertSame(array_values(array_filter($r['tenantUsage'], static fn ($m) => $m['usage'] !== null))[0]['usage'], $r['usage'][$c][0]['usage']);

        $byName = array_column($r['metrics'], null, 'systemName');
        $this->assertSame('WHMCS\UsageBilling\Metrics\Units\Accounts', $byName['pw_workstations']['units']['__class']);
        $this->assertSame('snapshot', $byName['pw_workstations']['type']);
        $this->assertSame('month', $byName['pw_compute_points']['type']);
        $this->assertSame('WHMCS\Module\Server\AcronisCloud\Hours', $byName['pw_compute_points']['units']['__class']);
        $this->assertSame('float_high', $byName['pw_compute_points']['units']['type'], 'hours extend FloatingPoint');
        $this->assertSame('WHMCS\UsageBilling\Metrics\Units\GigaBytes', $byName['pw_storage']['units']['__class']);
        foreach ($catalog as $m) {
            $type = $m['type'] === 'month' ? 'month' : 'snapshot';
            $this->assertSame($type, $byName[$m['system_name']]['type'], $m['system_name']);
        }
        $usage = array_values(array_filter($r['tenantUsage'], static fn ($m) => $m['usage'] !== null))[0]['usage'];
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $usage['collectedAt']);

        // A tenant without usage gets the 68 metrics without usage.
        $none = $this->provider(0, 'aaaaaaaa-0000-4000-8000-000000000000', ['no-usage' => true])['tenantUsage'];
        $this->assertSame($names, array_column($none, 'systemName'));
        $this->assertSame([], self::valuesOf($none));
    }

    /** `billing_metrics` of catalog/catalog.yaml: [[system_name, display_name, type]…] in file order. */
    private static function catalogMetrics(): array
    {
        $text = (string) file_get_contents(dirname(__DIR__, 3) . '/catalog/catalog.yaml');
        $section = substr($text, (int) strpos($text, "\nbilling_metrics:\n"));
        $end = preg_match('/\n[a-z_]+:\n/', $section, $m, PREG_OFFSET_CAPTURE, 2) ? $m[0][1] : strlen($section);
        $out = [];
        foreach (preg_split('/\n- /', substr($section, 0, $end)) as $i => $entry) {
            if ($i === 0) {
                continue;
            }
            $fields = [];
            foreach (preg_split('/\n\s*/', '  ' . $entry) as $line) {
                if (preg_match('/^\s*(system_name|display_name|type): (.*)$/', $line, $f)) {
                    $fields[$f[1]] = trim($f[2], " '\"");
                }
            }
            $out[] = $fields;
        }
        return $out;
    }

    /** Manual 6.4.3: pack metrics carry the tenant's usage; pack and Omnivoice names as the manual lists them. */
    public function testPackAndOmnivoiceMetricsCarryUsage(): void
    {
        $c = $this->tenant('customer', [
            ['pw_adv_backup_servers', null, 3],
            ['pw_adv_dr_compute_points', null, 7200],
        ]);
        $this->service($c);
        $this->enableMetrics(['pw_adv_backup_servers', 'pw_adv_dr_compute_points']);
        $this->assertSame(0, $this->process()['exit']);
        $r = $this->provider(0, $c);
        $byName = array_column($r['metrics'], null, 'systemName');
        $this->assertSame('Per workload: Advanced Backup - Servers', $byName['pw_adv_backup_servers']['displayName']);
        $this->assertSame('Per GB: Advanced Email Security - Mailboxes', $byName['pg_adv_email_security_mailboxes']['displayName']);
        $this->assertSame('Omnivoice - Users', $byName['omnivoice_users']['displayName']);
        $this->assertSame('month', $byName['pw_adv_dr_compute_points']['type']);
        $this->assertEquals(
            ['pw_adv_backup_servers' => 3.0, 'pw_adv_dr_compute_points' => 2.0],
            self::valuesOf($r['usage'][$c]),
        );
    }

    public function testUsageHasOnlyTheTenantsOfThatServersServices(): void
    {
        $a = $this->tenant('customer', [['pw_workstations', null, 1]]);
        $b = $this->tenant('customer', [['pw_workstations', null, 2]]);
        $this->service($a);
        $server2 = $this->addServer(['name' => 'Acronis EU2 (second account)']);
        $this->service($b, $server2);
        $this->enableMetrics(['pw_workstations']);
        $this->assertSame(0, $this->process()['exit']);
        $this->assertSame(0, $this->process($server2)['exit']);
        $this->assertSame([$a], array_keys($this->provider()['usage']));
        $this->assertSame([$b], array_keys($this->provider($server2)['usage']));
    }

    public function testProviderConstructionIsCheapAndContactsNothing(): void
    {
        $this->sim->clearRequests();
        $r = $this->runner()->run('module:call', ['MetricProvider', 'server' => $this->server]);
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertSame('WHMCS\Module\Server\AcronisCloud\MetricProvider', $r['json']['result']['__class'] ?? null);
        $r = $this->provider(0, null, ['no-usage' => true]);
        $this->assertCount(68, $r['metrics']);
        $this->assertSame([], $this->sim->requests(), 'neither construction nor metrics() calls the platform');
        $this->assertSame([], $this->provider()['usage'], 'nothing collected yet');
    }

    public function testUsageOf10000TenantsFitsIn256Megabytes(): void
    {
        $generated = $this->sim->control('POST', 'generate', ['tenants' => 10000, 'seed' => 1]);
        $this->assertSame(10000, $generated['created']);
        $root = $this->sim->seed()['root_tenant_id'];
        $tenants = $this->sim->api('GET', "/api/2/tenants/$root/children")['items'];
        $this->assertCount(10000, $tenants);
        $this->bulkServices($tenants);
        $this->enableMetrics(['pw_workstations', 'pw_servers', 'pw_vms', 'pw_storage_acronis', 'pw_compute_points']);

        $t0 = microtime(true);
        $r = $this->process();
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertLessThan(60, microtime(true) - $t0);

        $runner = $this->runner(['WHMCS_PHP_INI' => 'memory_limit=256M']);
        $r = $runner->run('module:metrics', ['server' => (string) $this->server, 'summary' => true, 'tenant' => $tenants[1]]);
        $this->assertSame(0, $r['exit'], "usage() of 10,000 tenants within 256M\n" . $r['stdout'] . $r['stderr']);
        $summary = $r['json']['result']['usage'];
        $this->assertSame('256M', $summary['memory_limit']);
        $this->assertSame(10000, $summary['tenants']);
        $this->assertSame([5], $summary['list_sizes'], 'usage() lists the metrics that carry a value');
        // A Metric and a Usage object per value (the previous layout: ~45 MB at 10,000 tenants)
        // would be 450 MB at 100,000; one MeteredValue per value keeps it far below.
        $this->assertLessThan(30 * 1024 * 1024, $summary['memory_peak'], 'peak ' . round($summary['memory_peak'] / 1048576) . ' MB');
        $this->assertSame(50000, $summary['with_usage'], '5 enabled items per generated tenant');
        $this->assertNotSame([], self::valuesOf($r['json']['result']['tenantUsage']));
    }

    /** Services for 10,000 tenants in one transaction, straight into the WHMCS database. */
    private function bulkServices(array $tenants): void
    {
        $field = $this->host->sql("SELECT id FROM tblcustomfields WHERE type = 'product' AND relid = 1 AND fieldname LIKE 'tenant%'");
        if ($field === []) {
            $this->service($tenants[0]);
            $field = $this->host->sql("SELECT id FROM tblcustomfields WHERE type = 'product' AND relid = 1 AND fieldname LIKE 'tenant%'");
            array_shift($tenants);
        }
        $fieldId = (int) $field[0]['id'];
        $db = $this->host->pdo();
        $db->beginTransaction();
        $service = $db->prepare("INSERT INTO tblhosting (userid, packageid, server, domainstatus, regdate, created_at, updated_at) VALUES (1, 1, ?, 'Active', '2024-01-01', '2024-01-01 00:00:00', '2024-01-01 00:00:00')");
        $value = $db->prepare("INSERT INTO tblcustomfieldsvalues (fieldid, relid, value, created_at, updated_at) VALUES (?, ?, ?, '2024-01-01 00:00:00', '2024-01-01 00:00:00')");
        foreach ($tenants as $tenant) {
            $service->execute([$this->server]);
            $value->execute([$fieldId, (int) $db->lastInsertId(), $tenant]);
        }
        $db->commit();
    }

    public function testClientAreaAndAdminTabShowTodaysBilledUsage(): void
    {
        $c = $this->tenant('customer', [['pw_workstations', null, 4], ['pw_storage', $this->infra('backup'), 5 * self::GIB],
            ['pw_compute_points', $this->infra('disaster_recovery'), 9000, 9000]]);
        $service = $this->service($c);
        $enabled = ['pw_workstations', 'pw_storage_acronis', 'pw_compute_points', 'pw_servers'];

        // Without enabled metrics there is no block.
        $page = $this->clientPage($service);
        $this->assertArrayHasKey('billing_usage', $page);
        $this->assertNull($page['billing_usage']);
        $this->assertArrayNotHasKey('Billing usage', $this->adminTab($service));

        $this->enableMetrics($enabled);
        $page = $this->clientPage($service);
        $this->assertSame('No usage has been collected yet.', $page['billing_usage']['message']);
        $this->assertSame([], $page['billing_usage']['rows']);
        $this->assertStringContainsString('No usage has been collected yet.', $this->adminTab($service)['Billing usage']);

        $this->assertSame(0, $this->process()['exit']);
        $block = $this->clientPage($service)['billing_usage'];
        $this->assertSame('Billing usage (2024-05-31)', $block['title']);
        $this->assertSame($enabled, array_column($block['rows'], 'name'));
        $this->assertSame(['4', '5.00 GB', '2.5 hours', '-'], array_column($block['rows'], 'text'));
        $this->assertSame(['Cyber Backup Standard - Workstations', 'Cyber Protect Cloud - Acronis hosted storage'],
            array_slice(array_column($block['rows'], 'display_name'), 0, 2));

        $tab = $this->adminTab($service)['Billing usage'];
        $this->assertStringContainsString('<caption>Billing usage (2024-05-31)</caption>', $tab);
        $this->assertStringContainsString('<tr data-metric="pw_storage_acronis"><td>Cyber Protect Cloud - Acronis hosted storage</td><td>5.00 GB</td></tr>', $tab);
        $this->assertStringContainsString('<tr data-metric="pw_compute_points"><td>Disaster Recovery Cloud - Acronis Hosted - 1 compute point</td><td>2.5 hours</td></tr>', $tab);

        // The page itself (browser mode): rendered on the server, escaped.
        $this->host->sql("UPDATE tblusage_items SET metric = ? WHERE metric = 'pw_servers'", ['<b>x</b>']);
        $url = $this->runnerServe();
        $html = $this->fetch($url, 'clientarea.php?action=productdetails&id=' . $service . '&modop=custom&a=ClientAreaManagement');
        $this->assertStringContainsString('<h3 class="acc-block-title">Billing usage (2024-05-31)</h3>', $html);
        $this->assertStringContainsString('<tr data-metric="pw_workstations"><td>Cyber Backup Standard - Workstations</td><td class="acc-billing-value">4</td></tr>', $html);
        $this->assertStringNotContainsString('<b>x</b>', $html, 'an unknown metric name is not shown, let alone unescaped');
    }

    /** `ClientAreaManagement` of the service as client 1: the page's `acroniscloud` variables. */
    private function clientPage(int $service): array
    {
        $r = $this->runner()->run('module:call', ['ClientAreaManagement', 'service' => $service, 'context' => 'client', 'client-id' => 1]);
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        return $r['json']['result']['vars']['acroniscloud'];
    }

    private function adminTab(int $service): array
    {
        $r = $this->runner()->run('module:call', ['AdminServicesTabFields', 'service' => $service]);
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        return $r['json']['result'];
    }

    /** Browser mode of the root with this test's report day (stopped in tearDown). */
    private function runnerServe(): string
    {
        $this->served = $this->runner();
        return $this->served->serve();
    }

    protected function tearDown(): void
    {
        if ($this->served !== null) {
            $this->served->stopServer();
            $this->served = null;
        }
        parent::tearDown();
    }

    private function fetch(string $url, string $path): string
    {
        $ch = curl_init($url . '/login.php?autologin=1&goto=' . rawurlencode($path));
        $jar = tempnam(sys_get_temp_dir(), 'acl-jar');
        curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true, CURLOPT_COOKIEJAR => $jar, CURLOPT_COOKIEFILE => $jar, CURLOPT_TIMEOUT => 60]);
        $body = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        @unlink($jar);
        $this->assertSame(200, $status, $body);
        return $body;
    }
}
