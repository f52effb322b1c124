<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

/**
 * Browser mode (`whmcs serve`, docs/whmcs-emulation.md, "Browser mode") through plain HTTP (curl): session
 * and role checks, CSRF refusal, status/header passthrough of module JSON
 * actions, static asset content types, client-area ownership and SSO, admin
 * product/service pages. The real-browser suite is tests/browser.
 */
final class BrowserModeTest extends HostTestCase
{
    private static string $url = '';
    private static array $ids = [];
    /** @var array<string,string> cookie jar */
    private array $cookies = [];

    public static function setUpBeforeClass(): void
    {
        $h = self::host();
        $h->ok('addon:activate', ['fakeaddon']);
        [$pid, $sid, $svc] = self::addFakeService('ok', ['--status' => 'Active', '--customfield' => ['tenant_id=t-1']]);
        $h->sql("INSERT INTO tblclients (uuid, firstname, lastname, email, status) VALUES ('u2', 'Other', 'Client', 'other@example.test', 'Active')");
        $other = $h->ok('service:add', ['--pid' => $pid, '--server' => $sid, '--userid' => 2])['serviceid'];
        self::$ids = ['pid' => $pid, 'server' => $sid, 'service' => $svc, 'other' => $other];
        self::$url = $h->serve();
    }

    /** @return array{status:int, headers:array<string,string>, body:string} */
    private function http(string $method, string $path, $body = null, array $headers = []): array
    {
        $ch = curl_init(self::$url . '/' . ltrim($path, '/'));
        $h = $headers;
        if ($this->cookies) {
            $h[] = 'Cookie: ' . implode('; ', array_map(static fn ($k, $v) => "$k=$v", array_keys($this->cookies), $this->cookies));
        }
        $respHeaders = [];
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_HTTPHEADER => $h,
            CURLOPT_TIMEOUT => 30,
            CURLOPT_HEADERFUNCTION => function ($ch, string $line) use (&$respHeaders): int {
                if (strpos($line, ':') !== false) {
                    [$k, $v] = explode(':', $line, 2);
                    $k = strtolower(trim($k));
                    $v = trim($v);
                    if ($k === 'set-cookie' && preg_match('/^([^=]+)=([^;]*)/', $v, $m)) {
                        $this->cookies[$m[1]] = $m[2];
                    }
                    $respHeaders[$k] = $v;
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, is_array($body) ? http_build_query($body) : $body);
        }
        $out = curl_exec($ch);
        $this->assertIsString($out, 'HTTP request failed: ' . curl_error($ch));
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'headers' => $respHeaders, 'body' => $out];
    }

    private function adminLogin(): string
    {
        $r = $this->http('GET', 'admin/login.php?autologin=admin&redirect=index.php');
        $this->assertSame(302, $r['status'], $r['body']);
        $this->assertSame('index.php', $r['headers']['location']);
        return $this->tokenFrom($this->http('GET', 'admin/index.php')['body']);
    }

    private function tokenFrom(string $html): string
    {
        $this->assertMatchesRegularExpression('/var csrfToken = "([0-9a-f]+)"/', $html);
        preg_match('/var csrfToken = "([0-9a-f]+)"/', $html, $m);
        return $m[1];
    }

    public function testUnauthenticatedAdminPagesRedirectToLogin(): void
    {
        foreach (['admin/addonmodules.php?module=fakeaddon', 'admin/configservers.php', 'admin/clientsservices.php?id=1'] as $page) {
            $r = $this->http('GET', $page);
            $this->assertSame(302, $r['status'], $page);
            $this->assertStringStartsWith('login.php?redirect=', $r['headers']['location']);
        }
        $login = $this->http('GET', 'admin/login.php');
        $this->assertSame(200, $login['status']);
        $this->assertStringContainsString('name="token"', $login['body']);
    }

    public function testLoginFormChecksThePassword(): void
    {
        $token = $this->tokenFromLoginForm();
        $bad = $this->http('POST', 'admin/login.php', ['username' => 'admin', 'password' => 'wrong', 'token' => $token]);
        $this->assertSame(401, $bad['status']);
        $ok = $this->http('POST', 'admin/login.php', ['username' => 'admin', 'password' => 'admin', 'token' => $token, 'redirect' => 'configservers.php']);
        $this->assertSame(302, $ok['status']);
        $this->assertSame('configservers.php', $ok['headers']['location']);
        $this->assertSame(200, $this->http('GET', 'admin/configservers.php')['status']);
    }

    private function tokenFromLoginForm(): string
    {
        $html = $this->http('GET', 'admin/login.php')['body'];
        preg_match('/name="token" value="([0-9a-f]+)"/', $html, $m);
        $this->assertNotEmpty($m);
        return $m[1];
    }

    public function testAddonPageUpgradesAndPassesVars(): void
    {
        $h = self::host();
        $h->ok('addon:set', ['fakeaddon', 'version', '1.0']);
        $h->ok('addon:set', ['fakeaddon', 'greeting', 'Howdy']);
        $this->adminLogin();
        $r = $this->http('GET', 'admin/addonmodules.php?module=fakeaddon');
        $this->assertSame(200, $r['status']);
        $this->assertStringContainsString('<div id="fakeaddon-header-hook" data-filename="addonmodules">', $r['body']);
        $this->assertStringContainsString('<p id="fakeaddon-sidebar">', $r['body']);
        $this->assertStringStartsWith('<!DOCTYPE html>', $r['body']);
        $settings = $h->ok('addon:get', ['fakeaddon']);
        $this->assertSame('1.1', $settings['version']);
        $this->assertSame('1.0', $settings['upgraded_from']);
        $json = json_decode($this->http('GET', 'admin/addonmodules.php?module=fakeaddon&action=json')['body'], true);
        $this->assertSame(['addonmodules.php?module=fakeaddon', '1.1', 'Hello from the fake addon', 'Howdy', 1],
            [$json['modulelink'], $json['version'], $json['hello'], $json['greeting'], $json['adminid']]);
    }

    public function testAddonRoleAccessIsEnforced(): void
    {
        $h = self::host();
        $h->ok('addon:set', ['fakeaddon', 'access', '2,3']);
        try {
            $this->adminLogin();
            $r = $this->http('GET', 'admin/addonmodules.php?module=fakeaddon&action=json');
            $this->assertSame(403, $r['status']);
            $this->assertStringContainsString('id="access-denied"', $r['body']);
            $this->assertSame(404, $this->http('GET', 'admin/addonmodules.php?module=nosuchaddon')['status']);
        } finally {
            $h->ok('addon:set', ['fakeaddon', 'access', '1']);
        }
    }

    public function testPostsWithoutValidTokenAreRefused(): void
    {
        $token = $this->adminLogin();
        $refused = $this->http('POST', 'admin/addonmodules.php?module=fakeaddon&action=save', ['note' => 'forged']);
        $this->assertSame(403, $refused['status']);
        $this->assertSame('invalid', $refused['headers']['x-whmcshost-csrf']);
        $this->assertStringContainsString('Invalid CSRF Protection Token', $refused['body']);
        $wrong = $this->http('POST', 'admin/addonmodules.php?module=fakeaddon&action=save', ['note' => 'forged', 'token' => str_repeat('0', 40)]);
        $this->assertSame(403, $wrong['status']);
        $this->assertNotSame('forged', self::host()->ok('addon:get', ['fakeaddon'])['note'] ?? null);

        $ok = $this->http('POST', 'admin/addonmodules.php?module=fakeaddon&action=save', ['note' => 'real', 'token' => $token]);
        $this->assertSame(200, $ok['status']);
        $this->assertStringContainsString('Saved: real', $ok['body']);
        $json = $this->http('POST', 'admin/addonmodules.php?module=fakeaddon&action=json', '{"x":1}', ['Content-Type: application/json', 'X-CSRF-Token: ' . $token]);
        $this->assertSame(200, $json['status']);
        $this->assertSame(['x' => 1], json_decode($json['body'], true)['body']);
        $jsonNoToken = $this->http('POST', 'admin/addonmodules.php?module=fakeaddon&action=json', '{"x":1}', ['Content-Type: application/json']);
        $this->assertSame(403, $jsonNoToken['status']);
        // check_token() called by module code on a GET without token also ends the request
        $this->assertSame(403, $this->http('GET', 'admin/addonmodules.php?module=fakeaddon&action=checktoken')['status']);
        $this->assertStringContainsString('check_token=ok', $this->http('GET', 'admin/addonmodules.php?module=fakeaddon&action=checktoken&token=' . $token)['body']);
        // client area POSTs too
        $this->http('GET', 'login.php?autologin=1');
        $this->assertSame(403, $this->http('POST', 'clientarea.php?action=productdetails&id=' . self::$ids['service'] . '&modop=custom&a=SayOk', [])['status']);
    }

    public function testModuleStatusAndHeadersPassThrough(): void
    {
        $this->adminLogin();
        $r = $this->http('GET', 'admin/addonmodules.php?module=fakeaddon&action=status405');
        $this->assertSame(405, $r['status']);
        $this->assertSame('POST', $r['headers']['allow']);
        $this->assertSame('405', $r['headers']['x-fake-addon']);
        $this->assertSame('application/json', $r['headers']['content-type']);
        $this->assertSame(['error' => ['code' => 405, 'message' => 'Method Not Allowed']], json_decode($r['body'], true));
    }

    public function testStaticAssetsFromModuleDirectories(): void
    {
        if (!is_file(self::host()->root() . '/whmcs.sqlite')) {
            // On MySQL/MariaDB the root has no database file: put one there, it must be refused all the same.
            self::host()->writeFile('whmcs.sqlite', 'SQLite format 3');
        }
        $expect = [
            'modules/addons/fakeaddon/assets/fakeaddon.css' => [200, 'text/css; charset=utf-8'],
            'modules/servers/fakemodule/assets/fake.js' => [200, 'text/javascript; charset=utf-8'],
            'modules/servers/fakemodule/assets/logo.svg' => [200, 'image/svg+xml'],
            'modules/servers/fakemodule/templates/overview.tpl' => [403, null],
            'whmcs.sqlite' => [403, null],
            '.whmcs-host.json' => [404, null],
            'modules/servers/fakemodule/assets/missing.css' => [404, null],
            'modules/servers/fakemodule/../../../configuration.php' => [null, null],
        ];
        foreach ($expect as $path => [$status, $type]) {
            $r = $this->http('GET', $path);
            if ($status !== null) {
                $this->assertSame($status, $r['status'], $path);
            }
            if ($type !== null) {
                $this->assertSame($type, $r['headers']['content-type'], $path);
            }
        }
        $css = $this->http('GET', 'modules/addons/fakeaddon/assets/fakeaddon.css');
        $this->assertStringContainsString('#fakeaddon-title', $css['body']);
        $this->assertSame('nosniff', $css['headers']['x-content-type-options']);
    }

    public function testClientAreaSessionOwnershipAndSso(): void
    {
        $svc = self::$ids['service'];
        $r = $this->http('GET', "clientarea.php?action=productdetails&id=$svc");
        $this->assertSame(302, $r['status']);
        $this->assertStringStartsWith('login.php?goto=', $r['headers']['location']);
        $this->assertSame(302, $this->http('GET', 'login.php?autologin=1')['status']);

        $page = $this->http('GET', "clientarea.php?action=productdetails&id=$svc");
        $this->assertSame(200, $page['status']);
        $this->assertStringContainsString('Fake overview for service ' . $svc . ', tenant "t-1"', $page['body']);
        $this->assertStringContainsString('var csrfToken = ', $page['body']);

        $other = $this->http('GET', 'clientarea.php?action=productdetails&id=' . self::$ids['other']);
        $this->assertSame(302, $other['status']);
        $this->assertSame('clientarea.php?action=services', $other['headers']['location']);

        $sso = $this->http('GET', "clientarea.php?action=productdetails&id=$svc&dosinglesignon=1");
        $this->assertSame(302, $sso['status']);
        $this->assertSame('https://panel.example.test/sso?service=' . $svc, $sso['headers']['location']);

        $custom = $this->http('GET', "clientarea.php?action=productdetails&id=$svc&modop=custom&a=Management");
        $this->assertStringContainsString('<b id="prerendered">pre-rendered HTML</b>', $custom['body']);
        $this->assertStringContainsString('&lt;i&gt;escaped&lt;/i&gt;', $custom['body']);
        $ok = $this->http('GET', "clientarea.php?action=productdetails&id=$svc&modop=custom&a=SayOk");
        $this->assertStringContainsString('data-result="success"', $ok['body']);

        $addon = $this->http('GET', 'index.php?m=fakeaddon');
        $this->assertSame(200, $addon['status']);
        $this->assertStringContainsString('<p id="greeting">', $addon['body']);
        $this->assertStringContainsString('<b id="raw-html">raw</b>', $addon['body']);
    }

    public function testAdminProductAndServicePages(): void
    {
        $token = $this->adminLogin();
        $pid = self::$ids['pid'];
        $form = $this->http('GET', "admin/configproducts.php?action=edit&id=$pid&tab=3");
        $this->assertStringContainsString('<option value="t2">Template Two (ok.example.test)</option>', $form['body']);
        $this->assertStringContainsString('Cannot load templates: server unreachable', $form['body']);
        $this->assertStringContainsString('data-metric="storage"', $form['body']);
        $save = $this->http('POST', "admin/configproducts.php?action=save&id=$pid", [
            'token' => $token, 'servertype' => 'fakemodule', 'packageconfigoption' => [1 => 'ok', 2 => 'basic', 3 => 'us', 5 => 't2'],
            'packageconfigoptiontype' => [1 => 'text', 2 => 'dropdown', 3 => 'dropdown', 4 => 'yesno', 5 => 'text'],
        ]);
        $this->assertSame(302, $save['status'], $save['body']);
        $row = self::host()->sql('SELECT configoption2, configoption3, configoption4, configoption5 FROM tblproducts WHERE id = ?', [$pid])[0];
        $this->assertSame(['configoption2' => 'basic', 'configoption3' => 'us', 'configoption4' => '', 'configoption5' => 't2'], $row);

        $svc = self::$ids['service'];
        $r = $this->http('POST', "admin/clientsservices.php?userid=1&id=$svc", ['token' => $token, 'id' => $svc, 'modop' => 'suspend', 'suspreason' => 'test']);
        $this->assertStringContainsString('Module Command Success', $r['body']);
        $this->assertSame('Suspended', self::host()->sql('SELECT domainstatus FROM tblhosting WHERE id = ?', [$svc])[0]['domainstatus']);
        $r = $this->http('POST', "admin/clientsservices.php?userid=1&id=$svc", ['token' => $token, 'id' => $svc, 'modop' => 'unsuspend']);
        $this->assertStringContainsString('<td id="service-status">Active</td>', $r['body']);

        $test = $this->http('POST', 'admin/configservers.php?action=testconnection', ['token' => $token, 'action' => 'testconnection',
            'id' => self::$ids['server'], 'hostname' => 'fail.example.test', 'type' => 'fakemodule', 'password' => '']);
        $j = json_decode($test['body'], true);
        $this->assertSame([false, 'Connection refused', 'srv-pass'], [$j['success'], $j['error'], $j['result']['params']['serverpassword']]);
    }
}
