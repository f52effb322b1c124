<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use WhmcsHost\ModuleLog;

final class ModuleLogAndLifecycleTest extends HostTestCase
{
    public function testModuleLogOnlyWhenDebugModeOnAndMasked(): void
    {
        $h = self::host();
        $h->ok('config:set', ['ModuleDebugMode', '']);
        $h->moduleLog(true);
        $id = $h->ok('server:add', ['--name' => 'L', '--hostname' => 'ok.example.test', '--username' => 'user1', '--password' => 'TopSecret42', '--type' => 'fakemodule'])['serverid'];
        $h->ok('server:test', [$id]);
        self::assertSame([], $h->moduleLog());

        $h->ok('config:set', ['ModuleDebugMode', 'on']);
        $h->ok('server:test', [$id]);
        $rows = $h->moduleLog(true);
        self::assertCount(1, $rows);
        self::assertSame('fakemodule', $rows[0]['module']);
        self::assertSame('TestConnection', $rows[0]['action']);
        self::assertNotEmpty($rows[0]['date']);
        $all = $rows[0]['request'] . $rows[0]['response'] . $rows[0]['arrdata'];
        self::assertStringNotContainsString('TopSecret42', $all);
        self::assertStringContainsString('user1', $rows[0]['request']);
        self::assertStringContainsString('********', $rows[0]['response']);
        self::assertSame([], $h->moduleLog(), '--clear deleted the rows');
        $h->ok('config:set', ['ModuleDebugMode', '']);
    }

    public function testMaskUnit(): void
    {
        self::assertSame('a=******** b=********', ModuleLog::mask('a=secret b=secretlong', ['secret', 'secretlong', '', null]));
        self::assertSame("Array\n(\n    [k] => v\n)\n", ModuleLog::stringify(['k' => 'v']));
    }

    public function testCreateSuspendUnsuspendTerminate(): void
    {
        $h = self::host();
        [, , $svc] = self::addFakeService('ok');
        self::assertSame('Active', $h->ok('module:create', [$svc])['status']);
        self::assertSame('Suspended', $h->ok('module:suspend', [$svc, '--reason' => 'Overdue'])['status']);
        self::assertSame('Overdue', $h->ok('service:get', [$svc])['suspendreason']);
        self::assertSame('Active', $h->ok('module:unsuspend', [$svc])['status']);
        self::assertSame('Active', $h->ok('module:changepackage', [$svc])['status']);
        self::assertSame('Terminated', $h->ok('module:terminate', [$svc])['status']);
        self::assertSame('Terminated', $h->ok('service:get', [$svc])['domainstatus']);
    }

    public function testFailedCallLeavesStatusAndFiresChangePackageFailed(): void
    {
        $h = self::host();
        [, , $svc] = self::addFakeService('fail');
        $r = $h->run('module:create', [$svc]);
        self::assertCommandFails($r);
        self::assertSame('Provisioning failed: quota exceeded', $r['json']['error']);
        self::assertSame('Pending', $r['json']['result']['status']);
        self::assertSame('Pending', $h->ok('service:get', [$svc])['domainstatus']);

        $h->activityLog(true);
        $r = $h->run('module:changepackage', [$svc]);
        self::assertCommandFails($r);
        self::assertSame(["AfterModuleChangePackageFailed service=$svc message=cannot change package"], array_column($h->activityLog(), 'description'));
    }

    public function testCallbackExceptionIsReported(): void
    {
        [, , $svc] = self::addFakeService('throw');
        $r = self::host()->run('module:create', [$svc]);
        self::assertCommandFails($r);
        self::assertSame('RuntimeException', $r['json']['exception']['class']);
        self::assertSame('Pending', self::host()->ok('service:get', [$svc])['domainstatus']);
    }

    public function testMetricProviderAndMetaData(): void
    {
        $h = self::host();
        [, $sid] = self::addFakeService('ok');
        self::assertSame('Fake Module', $h->ok('module:call', ['MetaData', '--module' => 'fakemodule'])['DisplayName']);
        $provider = $h->ok('module:call', ['MetricProvider', '--server' => $sid]);
        self::assertSame('WHMCS\\Module\\Server\\FakeModule\\Provider', $provider['__class']);

        $m = $h->ok('module:metrics', ['--server' => $sid, '--tenant' => 'tenant-1']);
        self::assertSame('storage', $m['metrics'][0]['systemName']);
        self::assertSame('snapshot', $m['metrics'][0]['type']);
        self::assertSame('GB', $m['metrics'][0]['units']['suffix']);
        self::assertNull($m['metrics'][0]['usage']);
        self::assertEquals(12.5, $m['usage']['tenant-1'][0]['usage']['value']);
        self::assertEquals(12.5, $m['tenantUsage'][0]['usage']['value']);
    }

    public function testProductSaveFiresProductEdit(): void
    {
        $h = self::host();
        $pid = $h->ok('product:add', ['--module' => 'fakemodule'])['pid'];
        $r = $h->ok('product:save', [$pid, '--configoption2' => 'email']);
        self::assertSame($pid, $r['pid']);
        self::assertSame('email', $h->sql('SELECT configoption2 FROM tblproducts WHERE id = ?', [$pid])[0]['configoption2']);
    }
}
