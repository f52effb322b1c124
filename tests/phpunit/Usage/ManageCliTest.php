<?php

namespace AcronisCloud\Tests\Usage;

/** `manage.php` itself (manual 6.4.2, docs/behaviour.md §F.3): commands, help, exit codes, CLI only, terminals. */
final class ManageCliTest extends UsageTestCase
{
    private const COMMANDS = ['usage-report:erase', 'usage-report:flushall', 'usage-report:process', 'usage-report:master',
        'usage-report:metrics', 'usage-report:view-list', 'usage-report:parse'];

    public function testListAndHelp(): void
    {
        $list = $this->manageOk(['list'])['stdout'];
        $this->assertSame($list, $this->manageOk([])['stdout'], 'no command = list');
        foreach (array_merge(['help', 'list'], self::COMMANDS) as $command) {
            $this->assertMatchesRegularExpression('/^  ' . preg_quote($command, '/') . ' +\S/m', $list);
        }
        $help = [
            'usage-report:erase' => 'after daily cron job',
            'usage-report:flushall' => 'including the usage collected per tenant and day',
            'usage-report:process' => 'unless the report of the same day has already been downloaded',
            'usage-report:master' => 'php_cli_interpreter argument is accepted for compatibility',
            'usage-report:metrics' => 'This does not refresh the metrics in WHMCS.',
            'usage-report:view-list' => 'including the report date and the file location',
            'usage-report:parse' => '--known-tenants',
        ];
        foreach ($help as $command => $text) {
            $out = $this->manageOk(['help', $command])['stdout'];
            $this->assertStringContainsString('php manage.php ' . $command, $out);
            $this->assertStringContainsString($text, preg_replace('/\s+/', ' ', $out));
            $this->assertSame($out, $this->manageOk([$command, '--help'])['stdout']);
        }
        $this->assertStringContainsString('usage-report:process <SERVER_ID>', $this->manageOk(['help', 'usage-report:process'])['stdout']);
    }

    public function testUnknownCommandsAndBadArgumentsFail(): void
    {
        $r = $this->manage(['usage-report:nope']);
        $this->assertSame(2, $r['exit']);
        $this->assertStringContainsString('Command "usage-report:nope" is not defined.', $r['stderr']);
        $this->assertSame('', $r['stdout']);
        $this->assertSame(2, $this->manage(['help', 'nope'])['exit']);
        $this->assertSame(2, $this->manage(['usage-report:erase', 'extra'])['exit']);
        $this->assertSame(2, $this->manage(['usage-report:parse', 'x', '--json'])['exit']);
        $this->assertSame([], $this->sim->requests());
    }

    public function testEveryCommandWorksWithoutEnabledMetrics(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 3]]);
        $this->service($tenant);
        $this->sim->clearRequests();
        foreach (['usage-report:master', 'usage-report:erase', 'usage-report:view-list'] as $command) {
            $this->manageOk([$command]);
        }
        $this->assertSame(1, $this->countCalls('POST', '#^/api/2/reports$#'));
        $this->assertSame(['pw_workstations: Cyber Backup Standard - Workstations' => '3'], $this->metricsDump()[$tenant] ?? null);
        $r = $this->manageOk(['usage-report:master', '/usr/bin/php']);
        $this->assertSame('', $r['stdout'] . $r['stderr'], 'master is quiet when not on a terminal; the interpreter is unused');
        $this->manageOk(['usage-report:flushall']);
        $this->assertSame("There are no reports to be processed.\n", $this->manageOk(['usage-report:view-list'])['stdout']);
    }

    public function testOnATerminalMasterPrintsAndShowsProgress(): void
    {
        $tenant = $this->tenant('customer', [['pw_workstations', null, 3]]);
        $this->service($tenant);
        $cmd = implode(' ', array_map('escapeshellarg', $this->manageCommand(['usage-report:master'])));
        $env = '';
        foreach ($this->env() as $k => $v) {
            $env .= "$k=" . escapeshellarg($v) . ' ';
        }
        $out = [];
        exec('script -qec ' . escapeshellarg("env $env$cmd") . ' /dev/null', $out, $exit);
        $text = implode("\n", $out);
        $this->assertSame(0, $exit, $text);
        $this->assertMatchesRegularExpression('/Server #' . $this->server . ' \(Acronis EU2\): 2024-05-31 report #\d+: Downloaded and saved/', $text);
    }

    public function testRefusesToRunOutsideTheCommandLine(): void
    {
        $url = $this->host->serve();
        $ch = curl_init($url . '/manage.php?usage-report:flushall');
        curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
        $body = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        $this->host->stopServer();
        $this->assertSame(403, $status);
        $this->assertSame("manage.php must be run with the PHP command line interpreter (php-cli).\n", $body);
    }

    public function testExceptionsPrintTheMessageOnly(): void
    {
        $this->host->writeFile('includes/acroniscloud/config.yaml', "usage_report:\n  downloaded_files_ttl_in_days: soon\n");
        foreach (['usage-report:erase', 'usage-report:master', 'usage-report:view-list'] as $command) {
            $r = $this->manage([$command]);
            $this->assertSame(1, $r['exit'], $command);
            $this->assertStringStartsWith('Error: ', $r['stderr']);
            $this->assertStringContainsString('downloaded_files_ttl_in_days', $r['stderr']);
            $this->assertStringNotContainsString('Stack trace', $r['stderr']);
            $this->assertStringNotContainsString('#0 ', $r['stderr']);
            $this->assertSame(1, substr_count(trim($r['stderr']), "\n") + 1, 'one line: ' . $r['stderr']);
        }
    }
}
