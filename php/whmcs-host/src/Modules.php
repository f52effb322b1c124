<?php
declare(strict_types=1);

namespace WhmcsHost;

/** Loads modules/<type>/<name>/<name>.php and calls <name>_<Function>. */
final class Modules
{
    public static function file(string $type, string $module): string
    {
        if (!preg_match('/^[A-Za-z][A-Za-z0-9_]*$/', $module)) {
            throw new UsageError("Invalid module name '$module'");
        }
        return Bootstrap::root() . "/modules/$type/$module/$module.php";
    }

    public static function load(string $type, string $module): void
    {
        $file = self::file($type, $module);
        if (!is_file($file)) {
            throw new \RuntimeException("Module file not found: modules/$type/$module/$module.php");
        }
        (static function (string $__file): void {
            require_once $__file;
        })($file);
    }

    public static function exists(string $type, string $module, string $function): bool
    {
        self::load($type, $module);
        return function_exists($module . '_' . $function);
    }

    /** @return mixed whatever the module function returns */
    public static function call(string $type, string $module, string $function, array $params, bool $noArgs = false)
    {
        if ($module === '') {
            throw new \RuntimeException('No module type set (server type / product module is empty)');
        }
        self::load($type, $module);
        $fn = $module . '_' . $function;
        if (!function_exists($fn)) {
            throw new \RuntimeException("Module $module does not provide $fn()");
        }
        return $noArgs ? $fn() : $fn($params);
    }
}
