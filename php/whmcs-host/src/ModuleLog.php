<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * logModuleCall()/logActivity() (docs/whmcs-emulation.md "What it provides", module log;
 * the stored text is our choice: "Choices" #7).
 *
 * logModuleCall writes one tblmodulelog row (request → `request`, response →
 * `response`, processed data → `arrdata`) only while tblconfiguration
 * `ModuleDebugMode` = 'on'. Arrays/objects are stored as print_r() text.
 * Every non-empty string in $replaceVars is replaced by MASK in the three
 * stored texts (longest first, so a secret containing another is masked whole).
 */
final class ModuleLog
{
    public const MASK = '********';

    public static function enabled(): bool
    {
        try {
            return Capsule::table('tblconfiguration')->where('setting', 'ModuleDebugMode')->value('value') === 'on';
        } catch (\Throwable $e) {
            return false;
        }
    }

    /** @param mixed $value */
    public static function stringify($value): string
    {
        if ($value === null) {
            return '';
        }
        if (is_bool($value)) {
            return $value ? '1' : '';
        }
        if (is_scalar($value)) {
            return (string) $value;
        }
        return print_r($value, true);
    }

    public static function mask(string $text, array $replaceVars): string
    {
        $needles = [];
        foreach ($replaceVars as $var) {
            if (is_scalar($var) && (string) $var !== '') {
                $needles[] = (string) $var;
            }
        }
        usort($needles, static fn ($a, $b) => strlen($b) <=> strlen($a));
        foreach ($needles as $needle) {
            $text = str_replace($needle, self::MASK, $text);
        }
        return $text;
    }

    public static function logModuleCall($module, $action, $request, $response, $processed = '', $replaceVars = []): void
    {
        if (!self::enabled()) {
            return;
        }
        $replaceVars = is_array($replaceVars) ? $replaceVars : [$replaceVars];
        Capsule::table('tblmodulelog')->insert([
            'date' => date('Y-m-d H:i:s'),
            'module' => (string) $module,
            'action' => self::stringify($action),
            'request' => self::mask(self::stringify($request), $replaceVars),
            'response' => self::mask(self::stringify($response), $replaceVars),
            'arrdata' => self::mask(self::stringify($processed), $replaceVars),
        ]);
    }

    public static function logActivity($message, $clientId = 0): void
    {
        $adminId = (int) ($_SESSION['adminid'] ?? 0);
        $user = 'System';
        if ($adminId > 0) {
            $user = (string) (Capsule::table('tbladmins')->where('id', $adminId)->value('username') ?? 'System');
        }
        Capsule::table('tblactivitylog')->insert([
            'date' => date('Y-m-d H:i:s'),
            'description' => (string) $message,
            'user' => $user,
            'userid' => (int) $clientId,
            'user_id' => 0,
            'admin_id' => $adminId,
            'ipaddr' => (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
        ]);
    }
}
