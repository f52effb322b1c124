<?php

namespace AcronisCloud\Tests\Extension;

use AcronisCloud\Whmcs\Request;
use AcronisCloud\Whmcs\Settings;
use PHPUnit\Framework\TestCase;

/**
 * The parts of the typed WHMCS adapter (`includes/acroniscloud/lib/Whmcs/`) that need no
 * WHMCS: the one truthy rule and how a JSON endpoint reads its request. The database-backed
 * classes are exercised through the module in the admin, provisioning and migration suites.
 */
final class WhmcsAdapterTest extends TestCase
{
    private $get;
    private $post;
    private $server;

    public static function setUpBeforeClass(): void
    {
        $dir = dirname(__DIR__, 3) . '/includes/acroniscloud/lib/Whmcs/';
        require_once $dir . 'Settings.php';
        require_once $dir . 'Request.php';
    }

    protected function setUp(): void
    {
        [$this->get, $this->post, $this->server] = [$_GET, $_POST, $_SERVER];
    }

    protected function tearDown(): void
    {
        [$_GET, $_POST, $_SERVER] = [$this->get, $this->post, $this->server];
    }

    public function testOneTruthyRule(): void
    {
        foreach (['on', 'ON', '1', 'yes', 'true', ' True ', 1, true] as $value) {
            $this->assertTrue(Settings::truthy($value), var_export($value, true));
        }
        foreach (['', 'off', '0', 'no', 'false', 'y', null, 0, false] as $value) {
            $this->assertFalse(Settings::truthy($value), var_export($value, true));
        }
    }

    public function testClientFormPostBecomesJsonWithoutTheToken(): void
    {
        unset($_SERVER['REQUEST_METHOD'], $_SERVER['CONTENT_TYPE']);
        $_GET = ['api' => 'change_password', 'id' => '7'];
        $_POST = ['token' => 'secret-token', 'password' => 'N3w!pass'];
        $request = Request::api('change_password', true);
        $this->assertSame('POST', $request['method']);
        $this->assertSame('change_password', $request['action']);
        $this->assertSame($_GET, $request['query']);
        $this->assertSame('application/json', $request['content_type']);
        $this->assertSame(['password' => 'N3w!pass'], json_decode($request['body'], true));
    }

    public function testAdminFormPostStaysUrlencodedWithTheToken(): void
    {
        $_SERVER['REQUEST_METHOD'] = 'POST';
        unset($_SERVER['CONTENT_TYPE']);
        $_POST = ['token' => 't', 'name' => 'Backup & DR'];
        $request = Request::api('create_template', false);
        $this->assertSame('POST', $request['method']);
        $this->assertSame('application/x-www-form-urlencoded', $request['content_type']);
        $this->assertSame('token=t&name=Backup+%26+DR', $request['body']);
        $this->assertSame('t', Request::csrfGiven());
    }

    public function testNoPostIsAGetWithoutBody(): void
    {
        unset($_SERVER['REQUEST_METHOD'], $_SERVER['CONTENT_TYPE'], $_SERVER['HTTP_X_CSRF_TOKEN']);
        $_POST = [];
        $_GET = ['server_id' => '12', 'action' => ['not', 'scalar']];
        $request = Request::api('list', true);
        $this->assertSame('GET', $request['method']);
        $this->assertSame('', $request['body']);
        $this->assertSame(12, Request::queryInt('server_id'));
        $this->assertSame('', Request::query('action'), 'an array parameter is not text');
        $this->assertSame('', Request::csrfGiven());
    }

    public function testScriptJsonCannotCloseTheScriptElement(): void
    {
        $json = Request::scriptJson(['s' => "</script><b>'&\"", 'url' => 'a/b']);
        $this->assertStringNotContainsString('<', $json);
        $this->assertStringNotContainsString("'", $json);
        $this->assertStringContainsString('a/b', $json);
        $this->assertSame(['s' => "</script><b>'&\"", 'url' => 'a/b'], json_decode($json, true));
    }
}
