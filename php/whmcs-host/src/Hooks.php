<?php
declare(strict_types=1);

namespace WhmcsHost;

/**
 * Hook registry + dispatcher (order and results: docs/whmcs-emulation.md "Choices" #5).
 *  - lower priority runs first; equal priorities keep registration order;
 *  - `*Output` points: string results are concatenated (non-strings ignored);
 *  - `*Override` points: array results are merged (later wins);
 *  - other points: the list of return values (WHMCS ignores them).
 * Exceptions escaping a hook propagate (docs/whmcs-emulation.md "Choices" #4).
 */
final class Hooks
{
    /** @var array<string, array<int, array{priority:int, seq:int, fn:callable|string}>> */
    private static array $hooks = [];
    private static int $seq = 0;

    /** @param callable|string $fn */
    public static function add(string $point, int $priority, $fn): void
    {
        self::$hooks[$point][] = ['priority' => $priority, 'seq' => self::$seq++, 'fn' => $fn];
    }

    /** @return array<int, array{priority:int, seq:int, fn:callable|string}> in run order */
    public static function registered(string $point): array
    {
        $list = self::$hooks[$point] ?? [];
        usort($list, static fn ($a, $b) => [$a['priority'], $a['seq']] <=> [$b['priority'], $b['seq']]);
        return $list;
    }

    /** @return string[] */
    public static function points(): array
    {
        return array_keys(self::$hooks);
    }

    public static function reset(): void
    {
        self::$hooks = [];
    }

    /** @return string|array */
    public static function run(string $point, array $vars = [])
    {
        $isOutput = substr($point, -6) === 'Output';
        $isOverride = substr($point, -8) === 'Override';
        $output = '';
        $override = [];
        $results = [];
        foreach (self::registered($point) as $hook) {
            $fn = $hook['fn'];
            if (!is_callable($fn)) {
                throw new \RuntimeException(sprintf('Hook function for %s is not callable', $point));
            }
            $result = call_user_func($fn, $vars);
            if ($isOutput) {
                if (is_string($result) || is_int($result) || is_float($result)) {
                    $output .= (string) $result;
                }
            } elseif ($isOverride) {
                if (is_array($result)) {
                    $override = array_merge($override, $result);
                }
            } else {
                $results[] = $result;
            }
        }
        if ($isOutput) {
            return $output;
        }
        if ($isOverride) {
            return $override;
        }
        return $results;
    }
}
