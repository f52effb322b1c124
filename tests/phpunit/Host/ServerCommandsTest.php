<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

final class ServerCommandsTest extends HostTestCase
{
    private function addServer(array $extra = []): int
    {
        return (int) self::host()->ok('server:add', $extra + [
            '--name' => 'Fake', '--hostname' => 'ok.example.test', '--username' => 'client-id',
            '--password' => 'p@ss w0rd&=', '--accesshash' => 'client_credentials', '--type' => 'fakemodule',
        ])['serverid'];
    }

    public function testServerAddStoresEncryptedPasswordAndFiresHookAfterInsert(): void
    {
        $h = self::host();
        $h->activityLog(true);
        $id = $this->addServer();
        $row = $h->sql('SELECT * FROM tblservers WHERE id = ?', [$id])[0];
        self::assertNotSame('p@ss w0rd&=', $row['password']);
        self::assertStringNotContainsString('p@ss', $row['password']);
        self::assertSame('on', $row['secure']);
        self::assertSame('fakemodule', $row['type']);
        self::assertSame('p@ss w0rd&=', $h->ok('server:get', [$id])['password']);
        $log = array_column($h->activityLog(), 'description');
        self::assertContains("ServerAdd serverid=$id row=present", $log);
    }

    public function testServerAddHumanPrintsId(): void
    {
        $r = self::host()->run('server:add', ['--human' => true, '--name' => 'H', '--hostname' => 'h.example.test', '--username' => 'u', '--password' => 'p', '--type' => 'fakemodule']);
        self::assertSame(0, $r['exit']);
        self::assertMatchesRegularExpression('/^\d+\n$/', $r['stdout']);
    }

    public function testServerAddRequiresFields(): void
    {
        $r = self::host()->run('server:add', ['--name' => 'x']);
        self::assertCommandFails($r, 2);
    }

    public function testServerEditUpdatesAndFiresHook(): void
    {
        $h = self::host();
        $id = $this->addServer();
        $h->activityLog(true);
        $h->ok('server:edit', [$id, '--hostname' => 'new.example.test', '--password' => 'n3w', '--secure' => '', '--port' => '8443']);
        $row = $h->ok('server:get', [$id]);
        self::assertSame('new.example.test', $row['hostname']);
        self::assertSame('n3w', $row['password']);
        self::assertSame('', $row['secure']);
        self::assertEquals(8443, $row['port']);
        self::assertSame(["ServerEdit serverid=$id row=present"], array_column($h->activityLog(), 'description'));
    }

    public function testServerDeleteRemovesRowThenFiresHook(): void
    {
        $h = self::host();
        $id = $this->addServer();
        $h->activityLog(true);
        $h->ok('server:delete', [$id]);
        self::assertSame([], $h->sql('SELECT id FROM tblservers WHERE id = ?', [$id]));
        self::assertSame(["ServerDelete serverid=$id row=absent"], array_column($h->activityLog(), 'description'));
        self::assertCommandFails($h->run('server:delete', [$id]));
    }

    public function testServerDeleteHookFirst(): void
    {
        $h = self::host();
        $id = $this->addServer();
        $h->activityLog(true);
        $h->ok('server:delete', [$id, '--hook-first' => true]);
        self::assertSame(["ServerDelete serverid=$id row=present"], array_column($h->activityLog(), 'description'));
    }

    public function testHookExceptionFailsTheRequestButRowStays(): void
    {
        $h = self::host();
        $r = $h->run('server:add', ['--name' => 'HF', '--hostname' => 'hookfail.example.test', '--username' => 'u', '--password' => 'p', '--type' => 'fakemodule']);
        self::assertCommandFails($r);
        self::assertSame('RuntimeException', $r['json']['exception']['class']);
        self::assertSame('hook failed on purpose', $r['json']['exception']['message']);
        self::assertCount(1, $h->sql("SELECT id FROM tblservers WHERE hostname = 'hookfail.example.test'"));
    }

    public function testTestConnectionOnStoredServer(): void
    {
        $id = $this->addServer(['--port' => '443']);
        $r = self::host()->ok('server:test', [$id]);
        self::assertTrue($r['success']);
        self::assertSame('', $r['error']);
        $p = $r['params'];
        self::assertSame($id, $p['serverid']);
        self::assertTrue($p['server']);
        self::assertSame('ok.example.test', $p['serverhostname']);
        self::assertSame('client-id', $p['serverusername']);
        self::assertSame('p@ss w0rd&=', $p['serverpassword']);
        self::assertSame('client_credentials', $p['serveraccesshash']);
        self::assertTrue($p['serversecure']);
        self::assertSame('https', $p['serverhttpprefix']);
        self::assertSame('443', $p['serverport']);
        self::assertSame('', $p['serverip']);
        self::assertNotEmpty($p['whmcsVersion']);
        $post = $r['post'];
        self::assertSame((string) $id, $post['serverid']);
        self::assertSame('ok.example.test', $post['hostname']);
        self::assertSame('client-id', $post['username']);
        self::assertSame('p@ss w0rd&=', $post['password']);
        self::assertSame('client_credentials', $post['accesshash']);
        self::assertSame('on', $post['secure']);
    }

    public function testTestConnectionInsecureAndFailing(): void
    {
        $id = $this->addServer(['--hostname' => 'fail.example.test', '--secure' => '']);
        $r = self::host()->run('server:test', [$id]);
        self::assertSame(0, $r['exit'], 'a module-reported failure is still a completed request');
        self::assertFalse($r['json']['result']['success']);
        self::assertSame('Connection refused', $r['json']['result']['error']);
        self::assertFalse($r['json']['result']['params']['serversecure']);
        self::assertSame('http', $r['json']['result']['params']['serverhttpprefix']);
        self::assertSame('', $r['json']['result']['post']['secure']);
    }

    public function testTestConnectionOnUnsavedServer(): void
    {
        $r = self::host()->ok('server:test', ['--hostname' => 'ok.example.test', '--username' => 'u', '--password' => 'pw', '--type' => 'fakemodule']);
        self::assertTrue($r['success']);
        self::assertSame(0, $r['params']['serverid']);
        self::assertSame('', $r['post']['serverid']);
        self::assertSame('pw', $r['post']['password']);
    }

    public function testServerNotFound(): void
    {
        self::assertCommandFails(self::host()->run('server:get', [99999]));
        self::assertCommandFails(self::host()->run('server:test', [99999]));
    }
}
