<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\UsageBilling\Contracts\Metrics\MetricInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UnitInterface;
use WHMCS\UsageBilling\Contracts\Metrics\UsageInterface;

/** Converts module return values into JSON-safe data. */
final class Json
{
    public static function normalize($value, int $depth = 0)
    {
        if ($depth > 20) {
            return '…';
        }
        if (is_array($value)) {
            $out = [];
            foreach ($value as $k => $v) {
                $out[$k] = self::normalize($v, $depth + 1);
            }
            return $out;
        }
        if (is_float($value) && (is_nan($value) || is_infinite($value))) {
            return (string) $value;
        }
        if (is_resource($value)) {
            return '(resource)';
        }
        if (!is_object($value)) {
            return $value;
        }
        if ($value instanceof \DateTimeInterface) {
            return $value->format('Y-m-d H:i:s');
        }
        if ($value instanceof MetricInterface) {
            return [
                '__class' => get_class($value),
                'systemName' => $value->systemName(),
                'displayName' => $value->displayName(),
                'type' => $value->type(),
                'units' => self::normalize($value->units(), $depth + 1),
                'usage' => self::usage($value->usage(), $depth + 1),
            ];
        }
        if ($value instanceof UnitInterface) {
            return ['__class' => get_class($value), 'name' => $value->name(), 'type' => $value->type(), 'suffix' => $value->suffix()];
        }
        if ($value instanceof UsageInterface) {
            return self::usage($value, $depth);
        }
        if ($value instanceof \Illuminate\Database\Eloquent\Model) {
            return ['__class' => get_class($value)] + self::normalize($value->attributesToArray(), $depth + 1);
        }
        if ($value instanceof \JsonSerializable) {
            return self::normalize($value->jsonSerialize(), $depth + 1);
        }
        if ($value instanceof \Traversable) {
            return self::normalize(iterator_to_array($value), $depth + 1);
        }
        return ['__class' => get_class($value)] + self::normalize(get_object_vars($value), $depth + 1);
    }

    /** A usage as WHMCS reads it (an object may be a metric and its own usage at once). */
    private static function usage($usage, int $depth)
    {
        if (!$usage instanceof UsageInterface) {
            return self::normalize($usage, $depth);
        }
        return [
            'value' => $usage->value(),
            'collectedAt' => self::normalize($usage->collectedAt(), $depth + 1),
            'startAt' => self::normalize($usage->startAt(), $depth + 1),
            'endAt' => self::normalize($usage->endAt(), $depth + 1),
        ];
    }

    public static function encode($value, bool $pretty = false): string
    {
        $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR;
        return (string) json_encode(self::normalize($value), $pretty ? $flags | JSON_PRETTY_PRINT : $flags);
    }
}
