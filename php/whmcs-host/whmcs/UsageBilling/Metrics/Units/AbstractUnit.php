<?php

namespace WHMCS\UsageBilling\Metrics\Units;

use WHMCS\UsageBilling\Contracts\Metrics\UnitInterface;

abstract class AbstractUnit implements UnitInterface
{
    protected $name;
    protected $singlePerUnitName;
    protected $pluralPerUnitName;
    protected $prefix;
    protected $suffix;

    public function __construct($name, $singlePerUnitName = null, $pluralPerUnitName = null, $prefix = null, $suffix = null)
    {
        $this->name = $name;
        $this->singlePerUnitName = $singlePerUnitName !== null ? $singlePerUnitName : $name;
        $this->pluralPerUnitName = $pluralPerUnitName !== null ? $pluralPerUnitName : $name;
        $this->prefix = $prefix !== null ? $prefix : '';
        $this->suffix = $suffix !== null ? $suffix : '';
    }

    public function name()
    {
        return $this->name;
    }

    public function perUnitName($value = 0)
    {
        return ((float) $value) == 1.0 ? $this->singlePerUnitName : $this->pluralPerUnitName;
    }

    public function prefix()
    {
        return $this->prefix;
    }

    public function suffix()
    {
        return $this->suffix;
    }

    public function decorate($value)
    {
        $text = $this->formatForType($value);
        return trim($this->prefix . $text . ($this->suffix !== '' ? ' ' . $this->suffix : ''));
    }

    public function roundForType($value)
    {
        switch ($this->type()) {
            case self::TYPE_INT:
                return (int) round((float) $value);
            case self::TYPE_FLOAT_PRECISION_LOW:
                return round((float) $value, 2);
            default:
                return round((float) $value, 6);
        }
    }

    public function formatForType($value)
    {
        $rounded = $this->roundForType($value);
        switch ($this->type()) {
            case self::TYPE_INT:
                return (string) $rounded;
            case self::TYPE_FLOAT_PRECISION_LOW:
                return number_format((float) $rounded, 2, '.', '');
            default:
                return rtrim(rtrim(number_format((float) $rounded, 6, '.', ''), '0'), '.');
        }
    }

    public function type()
    {
        return self::TYPE_INT;
    }
}
