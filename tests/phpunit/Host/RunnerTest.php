<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

final class RunnerTest extends HostTestCase
{
    private function testConnection(string $mode): array
    {
        return self::host()->run('server:test', ['--hostname' => "$mode.example.test", '--username' => 'u', '--password' => 'p', '--type' => 'fakemodule']);
    }

    public function testUncaughtExceptionIsReported(): void
    {
        $r = $this->testConnection('throw');
        self::assertCommandFails($r);
        self::assertSame('RuntimeException', $r['json']['exception']['class']);
        self::assertSame('fake module exploded', $r['json']['exception']['message']);
        self::assertSame('fake module exploded', $r['json']['error']);
    }

    public function testErrorIsReported(): void
    {
        $r = $this->testConnection('fatal');
        self::assertCommandFails($r);
        self::assertSame('Error', $r['json']['exception']['class']);
        self::assertStringContainsString('undefined function', $r['json']['exception']['message']);
    }

    public function testFatalErrorIsReported(): void
    {
        $r = $this->testConnection('oom');
        self::assertCommandFails($r);
        self::assertSame('FatalError', $r['json']['exception']['class']);
        self::assertStringContainsString('memory', $r['json']['exception']['message']);
    }

    public function testExitIsReportedWithOutput(): void
    {
        $r = $this->testConnection('exit');
        self::assertCommandFails($r);
        self::assertSame('exit', $r['json']['terminated']);
        self::assertSame('bye', $r['json']['output']);
    }

    public function testKilledProcessIsReported(): void
    {
        $r = $this->testConnection('kill');
        self::assertCommandFails($r, 3);
        self::assertSame('ProcessDied', $r['json']['exception']['class']);
    }

    public function testUsageErrors(): void
    {
        self::assertCommandFails(self::host()->run('no:such-command'), 2);
        self::assertCommandFails(self::host()->run('server:get'), 2);
        self::assertCommandFails(self::host()->run('hook:run', ['X', '--vars' => '{not json']), 2);
        $r = self::host()->run('module:call', ['Nope', '--module' => 'fakemodule']);
        self::assertCommandFails($r);
        self::assertStringContainsString('fakemodule_Nope', $r['json']['error']);
        $r = self::host()->run('module:call', ['X', '--module' => 'missingmodule']);
        self::assertCommandFails($r);
    }

    public function testMissingRoot(): void
    {
        $proc = proc_open([PHP_BINARY, \WhmcsHost\Testing\WhmcsHost::runnerPath(), '--root', '/nonexistent/x', 'sql', 'SELECT 1'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]);
        stream_get_contents($pipes[2]);
        $exit = proc_close($proc);
        self::assertSame(2, $exit);
        self::assertFalse(json_decode($out, true)['ok']);
    }

    public function testWarningsAreCollected(): void
    {
        $r = self::host()->run('sql', ['SELECT 1 AS one']);
        self::assertSame(0, $r['exit']);
        self::assertSame([['one' => 1]], $r['json']['result']);
        self::assertSame([], $r['json']['php_errors']);
    }

    public function testIniSettingsArePassedToTheRequestProcess(): void
    {
        $host = \WhmcsHost\Testing\WhmcsHost::open(self::host()->root(), ['env' => ['WHMCS_PHP_INI' => 'memory_limit=77M precision=11']]);
        $r = $host->ok('module:call', ['Environment', '--module' => 'fakemodule']);
        self::assertSame('77M', $r['memory_limit']);
        $cmd = \WhmcsHost\Runner::phpCommand('php', '/x/ext.so');
        self::assertContains('extension=/x/ext.so', $cmd);
    }

    public function testSqlBindAndStatements(): void
    {
        $h = self::host();
        self::assertSame(['affected' => 1], $h->sql("UPDATE tblclients SET city = ? WHERE id = ?", ['Paris', 1]));
        self::assertSame([['city' => 'Paris']], $h->sql('SELECT city FROM tblclients WHERE id = :id', ['id' => 1]));
    }

    public function testConfigAndAddonSettings(): void
    {
        $h = self::host();
        $h->ok('config:set', ['ModuleDebugMode', 'on']);
        self::assertSame('on', $h->ok('config:get', ['ModuleDebugMode']));
        $h->ok('config:set', ['ModuleDebugMode', '']);
        $r = $h->ok('addon:set', ['acroniscloud', 'logging_cloud_api', 'on']);
        self::assertSame('on', $r['logging_cloud_api']);
        $h->ok('addon:set', ['acroniscloud', 'logging_cloud_api', '']);
        self::assertSame(['logging_cloud_api' => ''], $h->ok('addon:get', ['acroniscloud']));
        self::assertCount(1, $h->sql("SELECT id FROM tbladdonmodules WHERE module = 'acroniscloud'"));
    }
}
