<?php

namespace AcronisCloud\Tests\Usage;

/**
 * Quota notices (issue 13, docs/quota-notices.md) through the real hook file, the glue and the
 * emulation's `SendEmail` (mails land in `tblemails`): the usage day comes from the pipeline
 * (`usage-report:process` against the simulator), the quotas from the simulator's live usages,
 * the notices already sent from the audit trail (`quota_notice` rows).
 */
final class QuotaNoticesTest extends UsageTestCase
{
    private const TEMPLATE = 'Acronis Cloud Quota Notice';

    private string $tenant;
    private int $serviceId;

    protected function setUp(): void
    {
        parent::setUp();
        $this->host->ok('addon:activate', ['acroniscloud']);
        $this->tenant = $this->tenant('customer', [['pw_workstations', null, 4]]);
        $backup = $this->app('backup');
        $this->sim->api('PUT', "/api/2/tenants/{$this->tenant}/offering_items", ['offering_items' => [
            ['application_id' => $backup, 'name' => 'pw_workstations', 'status' => 1, 'quota' => ['value' => 10, 'overage' => 0]],
        ]]);
        $this->serviceId = $this->service($this->tenant);
        $this->host->sql("UPDATE tblhosting SET billingcycle = 'Monthly', nextduedate = '2024-06-15' WHERE id = ?", [$this->serviceId]);
        $this->enableMetrics(['pw_workstations']);
    }

    /** config.yaml with the quota_notices section (`null` = no section). */
    private function notices(?string $section): void
    {
        $this->writeUsageConfig();
        if ($section !== null) {
            $path = $this->host->root() . '/includes/acroniscloud/config.yaml';
            $this->host->writeFile('includes/acroniscloud/config.yaml', file_get_contents($path) . $section);
        }
    }

    /** The day's usage stored by the pipeline for `$today`, then the daily cron. */
    private function dayWith(string $today, float $workstations): array
    {
        $this->today = $today;
        $this->setUsage($this->tenant, 'pw_workstations', null, $workstations);
        $this->assertSame(0, $this->process()['exit']);
        return $this->cron('DailyCronJob');
    }

    private function mails(): array
    {
        return $this->host->sql('SELECT userid, subject, message, message_data FROM tblemails ORDER BY id');
    }

    private function noticeRows(): array
    {
        return $this->host->sql("SELECT actor, action, after_json, result FROM acroniscloud_audit WHERE service_id = ? AND action = 'quota_notice' ORDER BY id", [$this->serviceId]);
    }

    public function testNoticesAreOffByDefault(): void
    {
        $this->notices(null);
        $this->dayWith('2024-05-30', 10);
        $this->assertSame([], $this->mails(), 'no mail without quota_notices.enabled');
        $this->assertSame([], $this->noticeRows());
    }

    public function testOneMailPerThresholdNotRepeatedAndTheNextThresholdMailsAgain(): void
    {
        $this->notices("quota_notices:\n  enabled: true\n");
        $this->dayWith('2024-05-29', 5);
        $this->assertSame([], $this->mails(), '50 % crosses no threshold');

        $this->dayWith('2024-05-30', 8);
        $mails = $this->mails();
        $this->assertCount(1, $mails);
        $this->assertSame(1, (int) $mails[0]['userid']);
        $this->assertStringContainsString('80%', $mails[0]['subject']);
        $this->assertStringContainsString('8 of 10 accounts used', $mails[0]['message']);
        $this->assertStringContainsString("upgrade.php?type=package&amp;id={$this->serviceId}", htmlspecialchars($mails[0]['message']));
        $vars = json_decode($mails[0]['message_data'], true)['vars'];
        $this->assertSame(80, $vars['acronis_threshold']);
        $this->assertSame('http://whmcs.test/upgrade.php?type=package&id=' . $this->serviceId, $vars['acronis_upgrade_url']);
        $this->assertSame('accounts', $vars['acronis_unit']);
        $this->assertSame('2024-05-15..2024-06-15', $vars['acronis_period']);

        // The next cron with the same usage sends nothing again.
        $this->dayWith('2024-05-31', 9);
        $this->assertCount(1, $this->mails());

        // 100 % is a new threshold: one more mail.
        $this->dayWith('2024-06-01', 11);
        $mails = $this->mails();
        $this->assertCount(2, $mails);
        $this->assertStringContainsString('100%', $mails[1]['subject']);

        $rows = $this->noticeRows();
        $this->assertCount(2, $rows);
        foreach ([80, 100] as $i => $threshold) {
            $this->assertSame(['DailyCronJob', 'quota_notice', 'success'], [$rows[$i]['actor'], $rows[$i]['action'], $rows[$i]['result']]);
            $after = json_decode($rows[$i]['after_json'], true);
            $this->assertSame(['pw_workstations', $threshold, '2024-05-15..2024-06-15'], [$after['metric'], $after['threshold'], $after['period']]);
        }
    }

    public function testANewBillingPeriodMailsAgain(): void
    {
        $this->notices("quota_notices:\n  enabled: true\n  thresholds: [90]\n");
        $this->host->sql("UPDATE tblclients SET language = 'german' WHERE id = 1");
        $this->dayWith('2024-05-30', 9);
        $mails = $this->mails();
        $this->assertCount(1, $mails);
        $vars = json_decode($mails[0]['message_data'], true)['vars'];
        $this->assertSame('Cyber Backup Standard - Arbeitsstationen', $vars['acronis_metric_name'], "the metric in the client's language");
        $this->assertSame(90, $vars['acronis_threshold']);
        $this->assertSame('Ihr Acronis Cyber Cloud-Service hat 90 % seines Kontingents für Cyber Backup Standard - Arbeitsstationen belegt', $mails[0]['subject'], "the e-mail in the client's language");
        $this->assertStringContainsString('Wenn das Kontingent aufgebraucht ist', $mails[0]['message']);
        $this->host->sql("UPDATE tblhosting SET nextduedate = '2024-07-15' WHERE id = ?", [$this->serviceId]);
        $this->dayWith('2024-05-31', 9);
        $this->assertCount(2, $this->mails(), 'the period after renewal is a new period');
    }

    public function testAFailedMailIsAuditedAndRetriedByTheNextCron(): void
    {
        $this->notices("quota_notices:\n  enabled: true\n");
        $this->host->sql('UPDATE tblemailtemplates SET disabled = 1 WHERE name = ?', [self::TEMPLATE]);
        $this->dayWith('2024-05-30', 8);
        $this->assertSame([], $this->mails());
        $rows = $this->noticeRows();
        $this->assertCount(1, $rows);
        $this->assertSame('e-mail not sent: Email Template is disabled', $rows[0]['result']);
        $log = implode("\n", array_column($this->host->activityLog(), 'description'));
        $this->assertStringContainsString('quota notices: quota notice of service ' . $this->serviceId, $log);

        $this->host->sql('UPDATE tblemailtemplates SET disabled = 0 WHERE name = ?', [self::TEMPLATE]);
        $this->dayWith('2024-05-31', 8);
        $this->assertCount(1, $this->mails());
    }

    public function testTemplateIsCreatedOnActivationAndAnEditedOneIsKept(): void
    {
        $rows = $this->host->sql("SELECT type, subject, message, custom FROM tblemailtemplates WHERE name = ? AND language = ''", [self::TEMPLATE]);
        $this->assertCount(1, $rows);
        $this->assertSame('product', $rows[0]['type']);
        $this->assertStringContainsString('{$acronis_upgrade_url}', $rows[0]['message']);
        $languages = array_column($this->host->sql('SELECT language FROM tblemailtemplates WHERE name = ? ORDER BY language', [self::TEMPLATE]), 'language');
        $this->assertCount(16, $languages, 'the default and one row per language the module speaks');
        $this->assertContains('german', $languages);
        $this->assertContains('portuguese-br', $languages);

        $this->host->sql("UPDATE tblemailtemplates SET subject = ? WHERE name = ? AND language = ''", ['Edited by the admin {$acronis_threshold}', self::TEMPLATE]);
        $this->host->sql("DELETE FROM tblemailtemplates WHERE name = ? AND language = 'french'", [self::TEMPLATE]);
        $this->host->ok('module:call', ['deactivate', 'module' => 'acroniscloud', 'addon' => true]);
        $this->host->ok('addon:activate', ['acroniscloud']);
        $rows = $this->host->sql("SELECT subject FROM tblemailtemplates WHERE name = ? AND language = ''", [self::TEMPLATE]);
        $this->assertSame([['subject' => 'Edited by the admin {$acronis_threshold}']], $rows);
        $this->assertCount(16, $this->host->sql('SELECT id FROM tblemailtemplates WHERE name = ?', [self::TEMPLATE]), 'a missing language is added, nothing doubled');

        $this->notices("quota_notices:\n  enabled: true\n");
        $this->dayWith('2024-05-30', 10);
        $this->assertSame('Edited by the admin 100', $this->mails()[0]['subject'] ?? null);
    }

    public function testNoticesAppearInTheAdminAuditTrail(): void
    {
        $this->notices("quota_notices:\n  enabled: true\n");
        $this->dayWith('2024-05-30', 8);
        $r = $this->runner()->run('module:call', ['AdminServicesTabFields', 'service' => $this->serviceId, 'context' => 'admin']);
        $html = (string) ($r['json']['result']['Audit trail'] ?? '');
        $this->assertStringContainsString('<td>quota_notice</td><td>DailyCronJob</td>', $html, $r['stdout']);
        $this->assertStringContainsString('<dt>threshold</dt><dd>— → 80</dd>', $html);
        $this->assertStringContainsString('<td>Succeeded</td>', $html);
    }

    public function testBadConfigIsRefused(): void
    {
        $this->notices("quota_notices:\n  enabled: true\n  thresholds: [80, 0]\n");
        $this->today = '2024-05-30';
        $this->setUsage($this->tenant, 'pw_workstations', null, 9);
        $r = $this->runner()->run('hook:run', ['DailyCronJob', 'context' => 'cron']);
        $this->assertSame([], $this->mails());
        $log = implode("\n", array_column($this->host->activityLog(), 'description'));
        $this->assertStringContainsString('quota_notices.thresholds: 0 is not a whole percent from 1 to 1000', $log . $r['stdout'] . $r['stderr']);
    }
}
