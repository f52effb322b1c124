<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Dev\AdminHttp;
use AcronisCloud\Tests\Support\ModuleTestCase;

/** The module's own CSRF check, with the host's (WHMCS's) check switched off. */
final class TemplatesCsrfTest extends ModuleTestCase
{
    public function testModuleRefusesStateChangesWithoutItsToken(): void
    {
        $this->host->ok('addon:activate', ['acroniscloud']);
        $admin = new AdminHttp($this->host->serve(['csrf' => 'off']));
        $r = $admin->api('POST', 'delete_template', ['template_id' => 1], null, false);
        $this->assertSame(403, $r['status']);
        $this->assertSame('csrf_token_invalid', $r['json']['error']['details']['error_code']);
        $r = $admin->api('POST', 'delete_template', ['template_id' => 1]);
        $this->assertSame(400, $r['status'], 'with the token the request reaches the action (unknown template)');
        $this->host->stopServer();
    }
}
