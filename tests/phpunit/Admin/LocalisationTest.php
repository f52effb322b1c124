<?php

namespace AcronisCloud\Tests\Admin;

use AcronisCloud\Addon;
use AcronisCloud\Tests\Support\ModuleTestCase;

/**
 * Localisation (docs/behaviour.md §H.3): the admin API's `l10n` and `ui_strings` actions
 * answer in the admin's WHMCS language, English for an unknown one.
 */
final class LocalisationTest extends ModuleTestCase
{
    private function call(string $action, string $locale): array
    {
        $r = Addon::handle(
            ['method' => 'GET', 'action' => $action, 'query' => []],
            ['admin_id' => 1, 'role_id' => 1, 'allowed_roles' => '1', 'locale' => $locale],
            ['config_file' => $this->host->root() . '/includes/acroniscloud/config.yaml']
        );
        $this->assertIsArray($r, "$action is an API action");
        $this->assertSame(200, $r['status'], $r['body']);
        return json_decode($r['body'], true);
    }

    public function testCatalogTextsAreTranslatedToGerman(): void
    {
        $de = $this->call('l10n', 'german');
        $this->assertSame('de_DE', $de['locale']);
        $this->assertSame('Kontingentüberschreitung', $de['notifications']['quota']);
        $this->assertSame('Verwaltungsportal', $de['applications']['platform']['title']);
        $this->assertSame('Cyber Protection', $de['applications']['backup']['title']);
    }

    public function testUnknownLocaleFallsBackToEnglish(): void
    {
        $en = $this->call('l10n', 'klingon');
        $this->assertSame('en', $en['locale']);
        $this->assertSame('Quota overuse', $en['notifications']['quota']);
        $this->assertSame('Management Portal', $en['applications']['platform']['title']);
    }

    public function testUiStringsFollowTheLocale(): void
    {
        $this->assertSame('Speichern', $this->call('ui_strings', 'de_DE')['strings']['Save']);
        $this->assertSame([], $this->call('ui_strings', 'english')['strings']);
    }
}
