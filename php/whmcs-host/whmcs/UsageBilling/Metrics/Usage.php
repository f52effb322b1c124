<?php

namespace WHMCS\UsageBilling\Metrics;

use Carbon\Carbon;
use WHMCS\UsageBilling\Contracts\Metrics\UsageInterface;

class Usage implements UsageInterface
{
    protected $value;
    protected $collectedAt;
    protected $startAt;
    protected $endAt;

    public function __construct($value, $collectedAt = null, $startAt = null, $endAt = null)
    {
        $this->value = (float) $value;
        $this->collectedAt = self::toCarbon($collectedAt) ?: Carbon::now();
        $this->startAt = self::toCarbon($startAt);
        $this->endAt = self::toCarbon($endAt);
    }

    private static function toCarbon($value)
    {
        if ($value === null) {
            return null;
        }
        if ($value instanceof Carbon) {
            return $value;
        }
        if ($value instanceof \DateTimeInterface) {
            return Carbon::instance($value);
        }
        if (is_numeric($value)) {
            return Carbon::createFromTimestamp((int) $value);
        }
        throw new \InvalidArgumentException('Usage timestamps accept null, Carbon or a numeric timestamp');
    }

    public function collectedAt()
    {
        return $this->collectedAt;
    }

    public function startAt()
    {
        return $this->startAt;
    }

    public function endAt()
    {
        return $this->endAt;
    }

    public function value()
    {
        return $this->value;
    }
}
