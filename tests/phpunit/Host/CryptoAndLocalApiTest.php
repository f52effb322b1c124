<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use WhmcsHost\Crypto;

final class CryptoAndLocalApiTest extends HostTestCase
{
    private function api(string $command, array $vars = []): array
    {
        return self::host()->ok('localapi', [$command, '--vars' => $vars ?: new \stdClass()]);
    }

    public function testEncryptDecryptRoundTripAcrossProcesses(): void
    {
        $secret = "sécret \"quoted\" & = \n line";
        $enc = $this->api('EncryptPassword', ['password2' => $secret]);
        self::assertSame('success', $enc['result']);
        self::assertStringNotContainsString('quoted', $enc['password']);
        $dec = $this->api('DecryptPassword', ['password2' => $enc['password']]);
        self::assertSame(['result' => 'success', 'password' => $secret], $dec);
    }

    public function testSameInputEncryptsDifferentlyButBothDecrypt(): void
    {
        $a = $this->api('encryptpassword', ['password2' => 'x'])['password'];
        $b = $this->api('ENCRYPTPASSWORD', ['password2' => 'x'])['password'];
        self::assertNotSame($a, $b);
        self::assertSame('x', $this->api('decryptpassword', ['password2' => $a])['password']);
        self::assertSame('x', $this->api('DecryptPassword', ['password2' => $b])['password']);
    }

    public function testModuleSideEncryptMatchesLocalApi(): void
    {
        $h = self::host();
        $id = $h->ok('server:add', ['--name' => 'c', '--hostname' => 'h', '--username' => 'u', '--password' => 'via-server-add', '--type' => 'fakemodule'])['serverid'];
        $cipher = $h->sql('SELECT password FROM tblservers WHERE id = ?', [$id])[0]['password'];
        self::assertSame('via-server-add', $this->api('DecryptPassword', ['password2' => $cipher])['password']);
    }

    public function testLocalApiErrors(): void
    {
        self::assertSame(['result' => 'error', 'message' => 'Command Not Found'], $this->api('NoSuchCommand'));
        self::assertSame('error', $this->api('EncryptPassword')['result']);
        self::assertSame('error', $this->api('DecryptPassword', ['password2' => ['array']])['result']);
        self::assertSame(['result' => 'error', 'message' => 'Service ID Not Found'], $this->api('UpdateClientProduct', ['serviceid' => 424242]));
        self::assertSame('error', $this->api('GetClientsDetails', ['clientid' => 424242])['result']);
        self::assertSame('error', $this->api('GetClientsDetails')['result']);
        $r = self::host()->ok('localapi', ['GetClientsDetails', '--vars' => ['clientid' => 1], '--admin' => 'nobody']);
        self::assertSame('error', $r['result']);
    }

    public function testUpdateClientProductAndGetClientsProducts(): void
    {
        $h = self::host();
        $pid2 = $h->ok('product:add', ['--name' => 'Second', '--module' => 'fakemodule'])['pid'];
        $svc = $h->ok('service:add', ['--pid' => 1])['serviceid'];
        $r = $this->api('UpdateClientProduct', ['serviceid' => $svc, 'pid' => $pid2, 'status' => 'Active', 'servicepassword' => 'pw1']);
        self::assertSame(['result' => 'success', 'serviceid' => (string) $svc], $r);
        $row = $h->ok('service:get', [$svc]);
        self::assertEquals($pid2, $row['packageid']);
        self::assertSame('Active', $row['domainstatus']);
        self::assertSame('pw1', $row['password']);

        $list = $this->api('GetClientsProducts', ['clientid' => 1, 'serviceid' => $svc]);
        self::assertSame('success', $list['result']);
        self::assertSame('1', $list['totalresults']);
        $p = $list['products']['product'][0];
        self::assertSame((string) $svc, $p['id']);
        self::assertSame((string) $pid2, $p['pid']);
        self::assertSame('Second', $p['name']);
        self::assertSame('Active', $p['status']);
    }

    public function testGetClientsDetails(): void
    {
        $r = $this->api('GetClientsDetails', ['clientid' => 1, 'stats' => true]);
        self::assertSame('success', $r['result']);
        self::assertSame('Jane', $r['client']['firstname']);
        self::assertSame('1', $r['client']['id']);
        self::assertSame('US', $r['client']['country']);
        self::assertArrayHasKey('stats', $r);
        self::assertSame($r['client']['email'], $this->api('getclientsdetails', ['email' => $r['client']['email']])['client']['email']);
    }

    /** In-process unit test of the cipher (emulation code only, no WHMCS/module code). */
    public function testCryptoRejectsTamperedInput(): void
    {
        Crypto::setSecret('unit-test-secret');
        $c = Crypto::encrypt('hello');
        self::assertSame('hello', Crypto::decrypt($c));
        $raw = base64_decode($c);
        $raw[strlen($raw) - 1] = chr(ord($raw[strlen($raw) - 1]) ^ 1);
        self::assertSame('', Crypto::decrypt(base64_encode($raw)));
        self::assertSame('', Crypto::decrypt('not base64 !!'));
        self::assertSame('', Crypto::decrypt(''));
        Crypto::setSecret('other-secret');
        self::assertSame('', Crypto::decrypt($c), 'another key does not decrypt');
    }
}
