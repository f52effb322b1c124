<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use WhmcsHost\Hooks;

final class HooksTest extends HostTestCase
{
    public function testOutputHooksConcatenateInPriorityOrder(): void
    {
        // fixture: 'C' prio 5, 'A' prio 1, 'B' prio 1 (registered after A), array prio 3 (ignored)
        self::assertSame('ABC', self::host()->ok('hook:run', ['ClientAreaHeaderOutput', '--vars' => ['filename' => 'clientarea']]));
    }

    public function testOverrideHooksMerge(): void
    {
        $r = self::host()->ok('hook:run', ['OrderProductUpgradeOverride', '--vars' => ['newproductid' => 7]]);
        self::assertSame(['price' => 2, 'discount' => 0, 'extra' => 7], $r);
    }

    public function testOtherHooksReturnResultListAndReceiveVars(): void
    {
        self::assertSame([['echo' => ['a' => 1]]], self::host()->ok('hook:run', ['FakeEcho', '--vars' => ['a' => 1]]));
        self::assertSame([], self::host()->ok('hook:run', ['NobodyListens']));
        self::assertSame('', self::host()->ok('hook:run', ['NobodyListensOutput']));
    }

    public function testHookExceptionIsReported(): void
    {
        $r = self::host()->run('hook:run', ['FakeThrow']);
        self::assertCommandFails($r);
        self::assertSame('LogicException', $r['json']['exception']['class']);
        self::assertSame('hook threw', $r['json']['exception']['message']);
    }

    public function testHookList(): void
    {
        $list = self::host()->ok('hook:list');
        self::assertSame([1, 1, 3, 5], array_column($list['ClientAreaHeaderOutput'], 'priority'));
        self::assertSame('fakemodule_hook_echo', $list['FakeEcho'][0]['function']);
    }

    /** In-process unit test of the dispatcher (emulation code only). */
    public function testDispatcherUnit(): void
    {
        Hooks::reset();
        Hooks::add('XOutput', 10, static fn () => 'late');
        Hooks::add('XOutput', -1, static fn () => 'early-');
        Hooks::add('XOutput', 10, static fn () => '-later');
        Hooks::add('XOutput', 0, static fn () => null);
        self::assertSame('early-late-later', Hooks::run('XOutput'));
        Hooks::add('YOverride', 2, static fn () => ['a' => 2, 'b' => 2]);
        Hooks::add('YOverride', 1, static fn () => ['a' => 1]);
        Hooks::add('YOverride', 3, static fn () => 'ignored');
        self::assertSame(['a' => 2, 'b' => 2], Hooks::run('YOverride'));
        Hooks::add('Z', 1, static fn ($v) => $v['k'] * 2);
        self::assertSame([6], Hooks::run('Z', ['k' => 3]));
        Hooks::reset();
    }
}
