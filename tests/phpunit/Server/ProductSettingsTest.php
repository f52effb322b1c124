<?php

namespace AcronisCloud\Tests\Server;

use AcronisCloud\Tests\Support\ModuleTestCase;

/** Product Module Settings and the ProductEdit hook (docs/behaviour.md §A.3, L84). */
final class ProductSettingsTest extends ModuleTestCase
{
    private function fields(int $pid): array
    {
        return $this->host->sql('SELECT fieldname, fieldtype, regexpr, adminonly, required, showorder, sortorder FROM tblcustomfields WHERE type = ? AND relid = ? ORDER BY sortorder', ['product', $pid]);
    }

    public function testL84CustomFieldsFollowTheActivationMethod(): void
    {
        $this->host->ok('product:save', [1, 'configoption1' => '', 'configoption2' => 'email']);
        $f = $this->fields(1);
        $this->assertSame(['cloud_login|Cloud Login (optional)', 'tenant_id|Tenant ID', 'user_id|User ID'], array_column($f, 'fieldname'));
        $this->assertSame('on', $f[1]['adminonly']);
        $this->assertSame('/^$|^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i', $f[1]['regexpr']);

        $this->host->ok('product:save', [1, 'configoption2' => 'password']);
        $f = $this->fields(1);
        $this->assertCount(4, $f, 'no duplicates, password field added');
        $pw = array_values(array_filter($f, fn ($x) => $x['fieldname'] === 'cloud_password|Cloud Password'))[0];
        $this->assertSame('password', $pw['fieldtype']);
        $this->assertSame('/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{6,}$/s', $pw['regexpr']);
        $this->assertSame('on', $pw['required']);

        $this->host->ok('product:save', [1, 'configoption2' => 'email']);
        $this->assertNotContains('cloud_password|Cloud Password', array_column($this->fields(1), 'fieldname'));
    }

    public function testRenamedFieldsAreRecognised(): void
    {
        $this->host->ok('sql', ["INSERT INTO tblcustomfields (type, relid, fieldname, fieldtype, description, fieldoptions, regexpr, adminonly, required, showorder, showinvoice, sortorder) VALUES ('product', 1, 'tenant_id  | Acronis tenant', 'text', '', '', '', 'on', '', '', '', 3)"]);
        $this->host->ok('product:save', [1, 'configoption2' => 'email']);
        $names = array_column($this->fields(1), 'fieldname');
        $this->assertContains('tenant_id  | Acronis tenant', $names);
        $this->assertNotContains('tenant_id|Tenant ID', $names);
    }

    public function testOtherModulesAreLeftAlone(): void
    {
        $pid = (int) $this->host->ok('product:add', ['name' => 'Web hosting', 'module' => 'cpanel'])['pid'];
        $this->host->ok('product:save', [$pid, 'configoption2' => 'password']);
        $this->assertSame([], $this->fields($pid));
    }
}
