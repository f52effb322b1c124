<?php

namespace AcronisCloud\Tests\Extension;

use AcronisCloud\Markup;
use PHPUnit\Framework\TestCase;

/**
 * `AcronisCloud\Markup`: the HTML the glue places in WHMCS pages is built and escaped by the
 * extension (admin page, provisioning banner §A.14, admin service tab usage table and errors).
 */
final class MarkupTest extends TestCase
{
    public function testErrorAlertEscapesTheMessage(): void
    {
        $this->assertSame('<div class="alert alert-danger">Bad &lt;b&gt; &amp; &quot;x&quot; &#039;y&#039;</div>',
            Markup::errorAlert('Bad <b> & "x" \'y\''));
    }

    public function testUsageTableWithoutCollectedUsage(): void
    {
        $this->assertSame('<div class="acroniscloud-billing-usage"><p>No usage has been collected yet.</p></div>',
            Markup::usageTable(['date' => null, 'rows' => []]));
    }

    public function testUsageTableRowsAreEscaped(): void
    {
        $html = Markup::usageTable(['date' => '2026-12-07', 'rows' => [
            ['name' => 'storage', 'display_name' => 'Storage <total>', 'unit' => 'GB', 'value' => 1.5, 'text' => '1.5 GB'],
            ['name' => 'x"y', 'display_name' => 'Mailboxes', 'unit' => '', 'value' => null, 'text' => ''],
        ]]);
        $this->assertSame('<div class="acroniscloud-billing-usage"><table class="table table-condensed">'
            . '<caption>Billing usage (2026-12-07)</caption><thead><tr><th>Metric</th><th>Usage</th></tr></thead><tbody>'
            . '<tr data-metric="storage"><td>Storage &lt;total&gt;</td><td>1.5 GB</td></tr>'
            . '<tr data-metric="x&quot;y"><td>Mailboxes</td><td></td></tr>'
            . '</tbody></table></div>', $html);
    }

    public function testL_A14ProvisioningBannerShowsTheErrorToAdminsOnly(): void
    {
        $admin = Markup::provisioningBanner(true, 'Provisioning failed', 'Tenant <x> exists');
        $this->assertSame('<div class="errorbox acroniscloud-banner"><strong><span class="title">Provisioning failed</span>'
            . '</strong><br>Tenant &lt;x&gt; exists</div>', $admin);
        $client = Markup::provisioningBanner(false, 'Provisioning failed', 'Tenant <x> exists');
        $this->assertStringNotContainsString('Tenant', $client);
        $this->assertStringContainsString('Please contact the support team.', $client);
        $this->assertStringContainsString('role="alert"', $client);
    }

    public function testAdminPageMountsTheWizard(): void
    {
        $html = Markup::adminPage('../assets/', '2.0 beta', 'Enable <JavaScript>', '{"locale":"en"}');
        $this->assertSame('<link rel="stylesheet" href="../assets/admin.css?v=2.0%20beta">'
            . '<div id="acroniscloud-admin"><noscript>Enable &lt;JavaScript&gt;</noscript></div>'
            . '<script>window.acronis = Object.assign(window.acronis || {}, {"locale":"en"});</script>'
            . '<script src="../assets/admin.js?v=2.0%20beta" defer></script>', $html);
    }

    public function testBillingUsageBlockIsAbsentWithoutEnabledMetrics(): void
    {
        $this->assertNull(Markup::billingUsageBlock(null, false, []));
    }

    public function testBillingUsageBlockTranslatesAndDatesTheTitle(): void
    {
        $strings = ['Billing usage' => 'Abrechnungsnutzung', 'Metric' => 'Metrik', 'Usage' => ''];
        $rows = [['name' => 'storage', 'display_name' => 'Speicher', 'unit' => 'GB', 'value' => 1.5, 'text' => '1,5 GB']];
        $block = Markup::billingUsageBlock(['date' => '2026-12-07', 'rows' => $rows], false, $strings);
        $this->assertSame('Abrechnungsnutzung (2026-12-07)', $block['title']);
        $this->assertSame('Metrik', $block['metric']);
        $this->assertSame('Usage', $block['usage'], 'an empty translation falls back to English');
        $this->assertSame($rows, $block['rows']);
        $empty = Markup::billingUsageBlock(['date' => null, 'rows' => []], false, $strings);
        $this->assertSame('Abrechnungsnutzung', $empty['title']);
        $this->assertSame([], $empty['rows']);
        $this->assertSame('No usage has been collected yet.', $empty['message']);
    }

    public function testBillingUsageBlockFailureShowsAMessageNotAnError(): void
    {
        $block = Markup::billingUsageBlock(null, true, ['Cannot load usage.' => 'Nutzung nicht ladbar.']);
        $this->assertSame('Nutzung nicht ladbar.', $block['message']);
        $this->assertSame([], $block['rows']);
    }
}
