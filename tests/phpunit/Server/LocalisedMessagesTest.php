<?php

namespace AcronisCloud\Tests\Server;

use AcronisCloud\Tests\Support\ModuleTestCase;

/** Admin-facing texts of the provisioning module follow the admin's language. */
final class LocalisedMessagesTest extends ModuleTestCase
{
    public function testModuleSettingsAndTestConnectionInTheAdminsLanguage(): void
    {
        $id = $this->addServer(['secure' => '']);
        $english = $this->host->ok('server:test', [$id])['error'];
        $this->assertStringContainsString('insecure channel', $english);
        $this->assertSame('Template name', $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud'])['templateId']['FriendlyName']);

        $this->host->ok('sql', ["UPDATE tbladmins SET language = 'german' WHERE id = 1"]);
        $german = $this->host->ok('server:test', [$id])['error'];
        $this->assertNotSame($english, $german);
        $this->assertStringNotContainsString('insecure channel', $german);
        $label = $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud'])['templateId'];
        $this->assertNotSame('Template name', $label['FriendlyName']);
        $this->assertStringContainsString('addonmodules.php?module=acroniscloud', $label['Description'], 'the link survives translation');
    }
}
