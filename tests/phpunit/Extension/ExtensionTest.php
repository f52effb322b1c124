<?php

namespace AcronisCloud\Tests\Extension;

use AcronisCloud\AcronisServer;
use AcronisCloud\ApiException;
use AcronisCloud\ConfigException;
use AcronisCloud\Exception as AcronisException;
use AcronisCloud\Tests\Support\PhpProcess;
use AcronisCloud\Dev\Simulator;
use PHPUnit\Framework\TestCase;

/** The extension's PHP surface itself: loading, classes, exceptions, panics, fork safety. */
final class ExtensionTest extends TestCase
{
    public function testExtensionLoadsAndDescribesItself(): void
    {
        $this->assertTrue(extension_loaded('acroniscloud'));
        $this->assertSame(phpversion('acroniscloud'), AcronisServer::version());
        $this->assertSame(AcronisServer::version(), \AcronisCloud\TemplateStore::version());
        $this->assertSame(AcronisServer::version(), \AcronisCloud\UsageMetrics::version());
        $ext = getenv('ACRONISCLOUD_EXT');
        exec(PHP_BINARY . ' -d extension=' . escapeshellarg($ext) . ' --ri acroniscloud', $out, $code);
        $info = implode("\n", $out);
        $this->assertSame(0, $code);
        $this->assertStringContainsString('version => ' . AcronisServer::version(), $info);
        $this->assertMatchesRegularExpression('/build PHP API => 2\d{7}/', $info);
        $this->assertStringContainsString('TLS backend => rustls', $info);
        exec(PHP_BINARY . ' -d extension=' . escapeshellarg($ext) . ' -m', $modules, $code);
        $this->assertSame(0, $code);
        $this->assertContains('acroniscloud', $modules);
    }

    public function testClassesAndExceptionHierarchy(): void
    {
        foreach (['AcronisServer', 'TemplateStore', 'UsageMetrics', 'Settings', 'Logger'] as $c) {
            $this->assertTrue(class_exists("AcronisCloud\\$c"), $c);
        }
        $this->assertTrue(is_subclass_of(AcronisException::class, \RuntimeException::class));
        foreach (['ApiException', 'ConfigException', 'ValidationException', 'TransportException'] as $c) {
            $this->assertTrue(is_subclass_of("AcronisCloud\\$c", AcronisException::class), $c);
        }
        // Ordinary exceptions: constructible from PHP with the right file and line.
        $e = new ApiException('x', 7);
        $this->assertSame(__FILE__, $e->getFile());
        $this->assertSame(0, $e->getHttpStatus());
        $this->assertNull($e->getErrorCode());
        $this->assertNull($e->getRequestId());
        $this->assertSame(7, $e->getCode());
    }

    public function testExceptionThrownFromRustReportsCallerFileAndLine(): void
    {
        try {
            $line = __LINE__ + 1;
            new AcronisServer(['serverid' => 4, 'serverhostname' => '', 'serverusername' => 'u', 'serverpassword' => 'p']);
            $this->fail('no exception');
        } catch (ConfigException $e) {
            $this->assertSame('Please specify Hostname for server 4.', $e->getMessage());
            $this->assertSame(__FILE__, $e->getFile());
            $this->assertSame($line, $e->getLine());
        }
    }

    public function testPanicBecomesAnExceptionAndTheProcessSurvives(): void
    {
        $code = <<<'PHP'
<?php
try {
    AcronisCloud\Testing::panic('deliberate panic with token=abcdefghijklmnop');
    echo "no exception\n";
} catch (\Exception $e) {
    echo get_class($e), '|', $e->getMessage(), "\n";
}
// The extension keeps working after the panic.
echo AcronisCloud\AcronisServer::version(), "\n";
echo "survived\n";
PHP;
        $r = PhpProcess::run($code, ['ACRONISCLOUD_TEST_HOOKS' => '1']);
        $this->assertSame(0, $r['exit'], $r['stderr']);
        $this->assertStringContainsString('AcronisCloud\Exception|Internal error in the acroniscloud extension', $r['stdout']);
        $this->assertStringContainsString("survived\n", $r['stdout']);
        $this->assertStringNotContainsString('abcdefghijklmnop', $r['stdout'] . $r['stderr']);
    }

    public function testPanicHookIsInertWithoutTheTestEnvironment(): void
    {
        $r = PhpProcess::run('<?php try { AcronisCloud\Testing::panic("x"); } catch (AcronisCloud\ValidationException $e) { echo "refused"; }', ['ACRONISCLOUD_TEST_HOOKS' => '0']);
        $this->assertSame('refused', $r['stdout'], $r['stderr']);
    }

    /** @dataProvider badServerRecords */
    public function testBadServerRecordsRaiseConfigException(array $record, string $message): void
    {
        try {
            new AcronisServer($record);
            $this->fail('accepted a bad record');
        } catch (ConfigException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
        }
    }

    public function badServerRecords(): array
    {
        $ok = ['id' => 9, 'name' => 'EU', 'hostname' => 'eu2-cloud.acronis.com', 'secure' => 'on', 'username' => 'u', 'password' => 'p'];
        return [
            'empty host' => [['hostname' => ''] + $ok, 'Please specify Hostname for server 9.'],
            'empty username' => [['username' => ' '] + $ok, 'Please specify Username for server 9.'],
            'empty password' => [['password' => ''] + $ok, 'Please specify Password for server 9.'],
            'bad port' => [['port' => '99999'] + $ok, 'Port "99999" of server 9 is not a valid port number'],
            'port text' => [['port' => 'https'] + $ok, 'is not a valid port number'],
            'not a host' => [['hostname' => 'my cloud server'] + $ok, 'is not a valid host name, IP address or URL'],
            'other scheme' => [['hostname' => 'ftp://eu2-cloud.acronis.com'] + $ok, 'is not a valid host name'],
            'url with path' => [['hostname' => 'https://eu2-cloud.acronis.com/api/2'] + $ok, 'must not contain a path'],
            'bad id' => [['id' => 'abc'] + $ok, 'Invalid server id "abc"'],
        ];
    }

    public function testUrlInHostnameIsAccepted(): void
    {
        $s = new AcronisServer(['serverid' => 1, 'serverhostname' => 'https://EU2-Cloud.acronis.com:8443/', 'serverusername' => 'id', 'serverpassword' => 's', 'serveraccesshash' => 'client_credentials']);
        $this->assertSame('https://eu2-cloud.acronis.com:8443', $s->baseUrl());
    }

    public function testApiExceptionCarriesStatusCodeAndRequestId(): void
    {
        $sim = Simulator::shared();
        $sim->reset();
        $seed = $sim->seed();
        $s = new AcronisServer([
            'id' => 1, 'hostname' => 'localhost', 'port' => $sim->port(), 'secure' => 'on',
            'username' => $seed['client']['client_id'], 'password' => 'wrong-secret', 'accesshash' => 'client_credentials',
        ], ['config_file' => $this->caConfig()]);
        try {
            $s->platformVersion();
            $this->fail('no exception');
        } catch (ApiException $e) {
            $this->assertSame(401, $e->getHttpStatus());
            $this->assertSame(401, $e->getCode());
            $this->assertSame('invalid_client', $e->getErrorCode());
            $this->assertNotEmpty($e->getRequestId());
            $this->assertStringNotContainsString('wrong-secret', $e->getMessage());
        }
    }

    public function testHttpClientIsRebuiltInAForkedChild(): void
    {
        $sim = Simulator::shared();
        $sim->reset();
        $seed = $sim->seed();
        $server = var_export([
            'id' => 1, 'hostname' => 'localhost', 'port' => $sim->port(), 'secure' => 'on',
            'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'],
            'accesshash' => 'client_credentials',
        ], true);
        $cfg = var_export(['config_file' => $this->caConfig()], true);
        $code = <<<PHP
<?php
\$s = new AcronisCloud\AcronisServer($server, $cfg);
echo 'parent ', \$s->rootTenantId(), "\\n";
\$pid = pcntl_fork();
if (\$pid === 0) {
    // Same object, same process-wide HTTP client cache: must not hang or crash.
    \$t = new AcronisCloud\AcronisServer($server, $cfg);
    echo 'child ', \$t->platformVersion(), ' ', \$t->rootTenantId(), "\\n";
    posix_kill(getmypid(), SIGKILL); // skip PHP shutdown in the child
}
\$deadline = time() + 20;
while (pcntl_waitpid(\$pid, \$status, WNOHANG) === 0) {
    if (time() > \$deadline) { posix_kill(\$pid, SIGKILL); echo "child hung\\n"; exit(1); }
    usleep(50000);
}
echo 'parent again ', \$s->platformVersion(), "\\n";
PHP;
        $r = PhpProcess::run($code, [], 60);
        $root = $seed['root_tenant_id'];
        $this->assertSame(0, $r['exit'], $r['stdout'] . $r['stderr']);
        $this->assertStringContainsString("parent $root", $r['stdout']);
        $this->assertMatchesRegularExpression("/child \\d+\\.[\\d.]+ $root/", $r['stdout']);
        $this->assertStringContainsString('parent again', $r['stdout']);
    }

    private function caConfig(): string
    {
        $f = sys_get_temp_dir() . '/acl-ext-config-' . getmypid() . '.yaml';
        file_put_contents($f, "cloud_api:\n  ca_file: \"" . Simulator::shared()->caFile() . "\"\n  retry_backoff_ms: 20\n");
        return $f;
    }
}
