<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use Carbon\Carbon;
use PHPUnit\Framework\TestCase;
use WHMCS\UsageBilling\Contracts\Metrics\MetricInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UnitInterface;
use WHMCS\UsageBilling\Metrics\Metric;
use WHMCS\UsageBilling\Metrics\Units\Accounts;
use WHMCS\UsageBilling\Metrics\Units\Bytes;
use WHMCS\UsageBilling\Metrics\Units\FloatingPoint;
use WHMCS\UsageBilling\Metrics\Units\GigaBytes;
use WHMCS\UsageBilling\Metrics\Units\KiloBytes;
use WHMCS\UsageBilling\Metrics\Units\MegaBytes;
use WHMCS\UsageBilling\Metrics\Units\WholeNumber;
use WHMCS\UsageBilling\Metrics\Usage;

/** In-process checks of the emulated WHMCS\UsageBilling classes (pure value classes). */
final class UsageBillingClassesTest extends TestCase
{
    public static function setUpBeforeClass(): void
    {
        require_once dirname(__DIR__, 3) . '/php/whmcs-host/autoload.php';
    }

    public function testUnits(): void
    {
        $kb = new KiloBytes();
        self::assertSame('Kilobytes', $kb->name());
        self::assertSame('KB', $kb->suffix());
        self::assertSame('Megabytes', (new MegaBytes())->name());
        self::assertSame('GB', (new GigaBytes())->suffix());
        self::assertInstanceOf(Bytes::class, new GigaBytes());
        self::assertInstanceOf(FloatingPoint::class, new Bytes());
        self::assertInstanceOf(WholeNumber::class, new Accounts());
        self::assertSame('Account', (new Accounts())->perUnitName(1));
        self::assertSame('Accounts', (new Accounts())->perUnitName(2));
        self::assertSame(UnitInterface::TYPE_INT, (new Accounts())->type());
        self::assertSame(3, (new Accounts())->roundForType(2.6));
        self::assertSame('10 GB', (new GigaBytes())->decorate(10));
    }

    public function testMetricAndUsage(): void
    {
        $m = new Metric('pw_storage', 'Storage', MetricInterface::TYPE_SNAPSHOT, new GigaBytes());
        self::assertSame('pw_storage', $m->systemName());
        self::assertSame('Storage', $m->displayName());
        self::assertNull($m->usage());
        $u = new Usage('2.5', 1700000000, Carbon::create(2024, 1, 1), null);
        $with = $m->withUsage($u);
        self::assertNotSame($m, $with);
        self::assertNull($m->usage());
        self::assertSame(2.5, $with->usage()->value());
        self::assertSame(1700000000, $with->usage()->collectedAt()->getTimestamp());
        self::assertSame('2024-01-01', $with->usage()->startAt()->format('Y-m-d'));
        self::assertNull($with->usage()->endAt());
        self::assertInstanceOf(Carbon::class, (new Usage(1))->collectedAt());
        $default = new Metric('x');
        self::assertSame('x', $default->displayName());
        self::assertSame(MetricInterface::TYPE_SNAPSHOT, $default->type());
    }
}
