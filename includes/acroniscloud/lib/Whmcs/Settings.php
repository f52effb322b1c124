<?php
/**
 * WHMCS settings the module reads: `tblconfiguration`, the addon's `tbladdonmodules` rows and
 * the admin's language. One truthy rule for every WHMCS on/off value, so a checkbox saved as
 * "on", "1", "yes" or "true" means the same everywhere. A setting that cannot be read is ''
 * (the module then runs with its defaults instead of failing the caller).
 */

namespace AcronisCloud\Whmcs;

use WHMCS\Database\Capsule;

final class Settings
{
    /** @var array<string, bool> logging scopes read in this request */
    private static $scopes = [];

    /** The one truthy rule for WHMCS on/off values (checkboxes, yes/no fields). */
    public static function truthy($value): bool
    {
        return in_array(strtolower(trim((string) $value)), ['on', '1', 'yes', 'true'], true);
    }

    /** A `tblconfiguration` value ('' when absent or unreadable). */
    public static function system(string $setting): string
    {
        return self::value('tblconfiguration', ['setting' => $setting]);
    }

    /** A setting of the acroniscloud addon ('' when absent or unreadable). */
    public static function addon(string $setting): string
    {
        return self::value('tbladdonmodules', ['module' => 'acroniscloud', 'setting' => $setting]);
    }

    /**
     * A module-log scope switch of the addon ("Cloud API", "WHMCS API", "Database query"):
     * on only while WHMCS's module debug mode is on as well.
     */
    public static function logScope(string $setting): bool
    {
        // Read once per request, before query logging starts (it would log these reads).
        if (!isset(self::$scopes[$setting])) {
            self::$scopes[$setting] = self::truthy(self::system('ModuleDebugMode')) && self::truthy(self::addon($setting));
        }
        return self::$scopes[$setting];
    }

    /** The admin's WHMCS language (such as "german"), else the system language. */
    public static function adminLanguage(int $adminId): string
    {
        $language = $adminId > 0 ? self::value('tbladmins', ['id' => $adminId], 'language') : '';
        return trim($language) !== '' ? $language : self::system('Language');
    }

    /** Local path of the WHMCS "downloads" storage (WHMCS keeps it outside the web root). */
    public static function downloadsDir(): string
    {
        try {
            $id = Capsule::table('tblfileassetsettings')->where('asset_type', 'downloads')->value('storageconfiguration_id');
            $settings = $id ? Capsule::table('tblstorageconfigurations')->where('id', $id)->value('settings') : null;
            $path = $settings ? (json_decode((string) $settings, true)['local_path'] ?? '') : '';
            return is_string($path) ? $path : '';
        } catch (\Throwable $e) {
            return '';
        }
    }

    private static function value(string $table, array $where, string $column = 'value'): string
    {
        try {
            $row = Capsule::table($table)->where($where)->first();
            return $row ? (string) $row->{$column} : '';
        } catch (\Throwable $e) {
            return '';
        }
    }
}
