<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

final class ParamsTest extends HostTestCase
{
    protected static function installOptions(): array
    {
        return ['seed' => 'full'];
    }

    public function testSeededServiceParams(): void
    {
        $p = self::host()->ok('service:params', [1]);
        self::assertSame(1, $p['serviceid']);
        self::assertSame(1, $p['userid']);
        self::assertSame(1, $p['pid']);
        self::assertSame(1, $p['serverid']);
        self::assertSame('other', $p['producttype']);
        self::assertSame('acroniscloud', $p['moduletype']);
        for ($i = 1; $i <= 24; $i++) {
            self::assertArrayHasKey("configoption$i", $p);
            self::assertSame('', $p["configoption$i"]);
        }
        self::assertSame(['tenant_id' => '', 'user_id' => '', 'cloud_login' => ''], $p['customfields']);
        self::assertSame(['pw_storage:gigabytes' => 100], $p['configoptions']);
        foreach (['firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state', 'postcode', 'country', 'phonenumber', 'language'] as $key) {
            self::assertArrayHasKey($key, $p['clientsdetails']);
            self::assertIsString($p['clientsdetails'][$key]);
        }
        self::assertSame('US', $p['clientsdetails']['country']);
        self::assertTrue($p['server']);
        self::assertTrue($p['serversecure']);
        self::assertSame('https', $p['serverhttpprefix']);
        self::assertSame('cloud.example.test', $p['serverhostname']);
        self::assertSame('client-secret', $p['serverpassword']);
        self::assertSame('client_credentials', $p['serveraccesshash']);
        self::assertSame('', $p['serverport']);
        self::assertSame('8.10.1-release.1', $p['whmcsVersion']);
        self::assertSame('WHMCS\\Service\\Service', $p['model']);
    }

    public function testCustomFieldsAndConfigOptionsKeysAreCutAtPipe(): void
    {
        $h = self::host();
        [$pid, , $svc] = self::addFakeService('ok', [
            '--customfield' => ['tenant_id|Tenant ID=abc-123', 'plain=v', 'spaced | Label=x'],
            '--password' => 'svc-pass', '--username' => 'svc-user', '--domain' => 'd.example.test',
        ]);
        $gid = $h->sql('SELECT MAX(id) AS m FROM tblproductconfiggroups')[0]['m'] + 1;
        $h->sql('INSERT INTO tblproductconfiggroups (id, name, description) VALUES (?, ?, ?)', [$gid, 'g', '']);
        $h->sql('INSERT INTO tblproductconfiglinks (gid, pid) VALUES (?, ?)', [$gid, $pid]);
        $h->sql("INSERT INTO tblproductconfigoptions (gid, optionname, optiontype, qtyminimum, qtymaximum, `order`, hidden) VALUES (?, 'pw_seats:quantity|Seats', '4', 0, 10, 1, 0)", [$gid]);
        $seats = $h->sql('SELECT MAX(id) AS m FROM tblproductconfigoptions')[0]['m'];
        $h->sql("INSERT INTO tblproductconfigoptions (gid, optionname, optiontype, qtyminimum, qtymaximum, `order`, hidden) VALUES (?, 'edition|Edition', '1', 0, 0, 2, 0)", [$gid]);
        $edition = $h->sql('SELECT MAX(id) AS m FROM tblproductconfigoptions')[0]['m'];
        $h->sql("INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, 'standard|Standard', 1, 0)", [$edition]);
        $h->sql("INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, 'advanced|Advanced', 2, 0)", [$edition]);
        $h->sql("INSERT INTO tblproductconfigoptions (gid, optionname, optiontype, qtyminimum, qtymaximum, `order`, hidden) VALUES (?, 'backup|Backup', '3', 0, 1, 3, 0)", [$gid]);
        $advanced = $h->sql("SELECT id FROM tblproductconfigoptionssub WHERE optionname = 'advanced|Advanced'")[0]['id'];
        $h->sql('INSERT INTO tblhostingconfigoptions (relid, configid, optionid, qty) VALUES (?, ?, 0, 7)', [$svc, $seats]);
        $h->sql('INSERT INTO tblhostingconfigoptions (relid, configid, optionid, qty) VALUES (?, ?, ?, 0)', [$svc, $edition, $advanced]);

        $p = $h->ok('service:params', [$svc]);
        self::assertSame(['tenant_id' => 'abc-123', 'plain' => 'v', 'spaced' => 'x'], $p['customfields']);
        self::assertSame(['pw_seats:quantity' => 7, 'edition' => 'advanced', 'backup' => 0], $p['configoptions']);
        self::assertSame('ok', $p['configoption1']);
        self::assertSame('', $p['configoption24']);
        self::assertSame('svc-pass', $p['password']);
        self::assertSame('svc-user', $p['username']);
        self::assertSame('d.example.test', $p['domain']);
        self::assertSame('fakemodule', $p['moduletype']);
        self::assertSame('srv-pass', $p['serverpassword']);
    }

    public function testServiceWithoutServer(): void
    {
        $svc = self::host()->ok('service:add', ['--pid' => 1, '--server' => 0])['serviceid'];
        $p = self::host()->ok('service:params', [$svc]);
        self::assertSame(0, $p['serverid']);
        self::assertFalse($p['server']);
        self::assertSame('', $p['serverhostname']);
        self::assertFalse($p['serversecure']);
    }

    public function testServerParams(): void
    {
        $p = self::host()->ok('server:params', [1]);
        self::assertSame(['server', 'serverid', 'serverip', 'serverhostname', 'serverusername', 'serverpassword',
            'serveraccesshash', 'serversecure', 'serverhttpprefix', 'serverport', 'whmcsVersion'], array_keys($p));
        self::assertSame(1, $p['serverid']);
    }

    public function testServicePropertiesViaModel(): void
    {
        [, , $svc] = self::addFakeService('ok');
        self::host()->ok('module:create', [$svc]);
        $p = self::host()->ok('service:params', [$svc]);
        self::assertSame('tenant-' . $svc, $p['customfields']['tenant_id']);
    }
}
