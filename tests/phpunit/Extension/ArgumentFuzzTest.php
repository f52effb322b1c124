<?php

namespace AcronisCloud\Tests\Extension;

use AcronisCloud\Tests\Support\PhpProcess;
use PHPUnit\Framework\TestCase;

/**
 * Bounded, deterministic fuzz run of the PHP-facing argument conversions: every public static
 * and instance method of every extension class is called with odd PHP values (arrays where
 * strings are expected, huge and negative ints, NAN, invalid UTF-8, NUL bytes, deep nesting,
 * objects, closures). Each call must return or throw an AcronisCloud\Exception or a TypeError;
 * nothing may crash PHP. The calls run in a child process (a crash there fails this test with
 * the last call named instead of killing PHPUnit), inside a scratch directory (methods taking
 * paths may create files) and with a config that keeps network attempts short.
 */
final class ArgumentFuzzTest extends TestCase
{
    /** Same seed every run; ACRONISCLOUD_FUZZ_SEED overrides it to explore. */
    private const SEED = 20261207;
    private const CALLS_PER_METHOD = 40;

    public function testEveryMethodSurvivesOddArguments(): void
    {
        $dir = sys_get_temp_dir() . '/acroniscloud-argfuzz-' . bin2hex(random_bytes(4));
        mkdir($dir);
        file_put_contents("$dir/config.yaml", "cloud_api:\n  connect_timeout: 1\n  timeout: 2\n  retries: 0\n");
        $seed = (int) (getenv('ACRONISCLOUD_FUZZ_SEED') ?: self::SEED);
        $code = str_replace(['__DIR__VALUE__', '__SEED__', '__CALLS__'], [var_export($dir, true), (string) $seed, (string) self::CALLS_PER_METHOD], self::CHILD);
        $r = PhpProcess::run($code, [], 240);
        exec('rm -rf ' . escapeshellarg($dir));
        $lines = explode("\n", trim($r['stdout']));
        $this->assertSame(0, $r['exit'], "PHP crashed or failed (exit {$r['exit']}); last call: " . end($lines) . "\n" . substr($r['stderr'], -2000));
        $this->assertContains('done', $lines, $r['stdout'] . $r['stderr']);
        $unexpected = array_values(array_filter($lines, static fn ($l) => str_starts_with($l, 'UNEXPECTED')));
        $this->assertSame([], $unexpected);
        $calls = (int) (preg_grep('/^calls /', $lines) ? explode(' ', (string) current(preg_grep('/^calls /', $lines)))[1] : 0);
        $this->assertGreaterThan(1000, $calls, 'the run reached every method');
        $this->assertStringNotContainsString('internal panic', $r['stderr'], 'a Rust panic is a bug even when it becomes an exception');
        $this->assertStringNotContainsString('panicked', $r['stderr']);
    }

    private const CHILD = <<<'PHP'
<?php
$dir = __DIR__VALUE__;
chdir($dir);
mt_srand(__SEED__);
ini_set('memory_limit', '1G');

function deep(int $n) { $a = []; for ($i = 0; $i < $n; $i++) { $a = ['k' => $a, 0 => $a === [] ? 'x' : 1]; } return $a; }
$selfRef = ['a' => 1];
$selfRef['self'] = &$selfRef;
$odd = [
    $selfRef, deep(100000),
    null, true, false, 0, -1, PHP_INT_MAX, PHP_INT_MIN, 1.0e308, -0.0, NAN, INF,
    '', ' ', '0', "\0", "\xff\xfe\xc3\x28", "a\0b", str_repeat('a', 1 << 20), '../../etc/passwd', '☃',
    [], [1, 2, 3], ['a' => ['b' => ['c' => []]]], deep(200), ["\xff" => "\xfe"], [PHP_INT_MAX => NAN],
    new \stdClass(), static fn () => 1, [[[[[[[[[[[]]]]]]]]]]],
];
$keys = ['serverid', 'serverhostname', 'serverusername', 'serverpassword', 'serveraccesshash', 'serversecure', 'serverport',
    'id', 'name', 'hostname', 'username', 'password', 'secure', 'port', 'type', 'accesshash',
    'method', 'action', 'query', 'content_type', 'body', 'service', 'server', 'locale', 'l10n_dir', 'caller',
    'admin_id', 'role_id', 'allowed_roles', 'csrf_expected', 'csrf_given', 'servers', 'service_id', 'client_id',
    'tenant_id', 'user_id', 'module', 'product_id', 'params', 'customfields', 'configoptions', 'function'];
$safeOptions = ['config_file' => "$dir/config.yaml", 'storage_dir' => "$dir/storage", 'module_log' => false];

function oddValue(array $odd) { return $odd[mt_rand(0, count($odd) - 1)]; }
function oddArray(array $odd, array $keys): array
{
    $a = [];
    for ($i = mt_rand(0, 8); $i > 0; $i--) {
        $a[$keys[mt_rand(0, count($keys) - 1)]] = mt_rand(0, 3) === 0 ? oddArray($odd, $keys) : oddValue($odd);
    }
    return $a;
}
function argFor(?\ReflectionType $type, string $name, array $odd, array $keys, array $safeOptions)
{
    if ($name === 'options' || $name === 'reference') {
        return mt_rand(0, 2) === 0 ? oddValue($odd) : (mt_rand(0, 1) ? $safeOptions : null);
    }
    $typeName = $type instanceof \ReflectionNamedType ? $type->getName() : 'mixed';
    return match (mt_rand(0, 2)) {
        0 => oddValue($odd),
        1 => $typeName === 'array' || $typeName === 'mixed' ? oddArray($odd, $keys) : oddValue($odd),
        default => $typeName === 'string' ? (string) oddValue(['', 'x', "\xff", '../x', str_repeat('é', 5000), 'en']) : ($typeName === 'int' ? oddValue([0, -1, PHP_INT_MAX, PHP_INT_MIN]) : oddValue($odd)),
    };
}
function outcome(\Throwable $e): ?string
{
    if ($e instanceof \AcronisCloud\Exception || $e instanceof \TypeError) {
        return null;
    }
    // Static-only classes have no PHP constructor: ext-php-rs refuses `new` with this text.
    if ($e->getMessage() === 'You cannot instantiate this class from PHP.') {
        return null;
    }
    return get_class($e) . ': ' . substr($e->getMessage(), 0, 200);
}

$classes = array_filter(get_declared_classes(), static fn ($c) => str_starts_with($c, 'AcronisCloud\\')
    && !is_subclass_of($c, \Throwable::class) && (new \ReflectionClass($c))->isInternal());
sort($classes);
$calls = 0;
foreach ($classes as $class) {
    $rc = new \ReflectionClass($class);
    foreach ($rc->getMethods(\ReflectionMethod::IS_PUBLIC) as $m) {
        for ($i = 0; $i < __CALLS__; $i++) {
            $args = [];
            $count = mt_rand(0, 4) === 0 ? mt_rand(0, 5) : $m->getNumberOfParameters();
            foreach (array_slice(array_pad($m->getParameters(), $count, null), 0, $count) as $p) {
                $args[] = $p ? argFor($p->getType(), $p->getName(), $odd, $keys, $safeOptions) : oddValue($odd);
            }
            echo "call $class::{$m->getName()} #$i\n";
            $calls++;
            try {
                if ($m->isStatic()) {
                    $m->invokeArgs(null, $args);
                } elseif ($m->isConstructor()) {
                    $rc->newInstanceArgs($args);
                } else {
                    $ctorArgs = [];
                    foreach ($rc->getConstructor()?->getParameters() ?? [] as $p) {
                        $ctorArgs[] = argFor($p->getType(), $p->getName(), $odd, $keys, $safeOptions);
                    }
                    $m->invokeArgs($rc->newInstanceArgs($ctorArgs), $args);
                }
            } catch (\Throwable $e) {
                if (($why = outcome($e)) !== null) {
                    echo "UNEXPECTED $class::{$m->getName()} #$i $why\n";
                }
            }
        }
    }
}
echo "calls $calls\n";
echo "done\n";
PHP;
}
