<?php
/**
 * WHMCS's internal API (`localAPI`), each call logged to the module log (masked) when the
 * addon's "WHMCS API" logging scope is on. Password encryption is the one place the module
 * needs it for its own data.
 */

namespace AcronisCloud\Whmcs;

final class LocalApi
{
    /** Runs `$command` and returns WHMCS's answer. */
    public static function call(string $command, array $values): array
    {
        $result = (array) localAPI($command, $values);
        if (Settings::logScope('logging_whmcs_api')) {
            ModuleLog::write(
                'WHMCS API',
                \AcronisCloud\Logger::maskJson((string) json_encode(['method' => $command, 'parameters' => $values])),
                \AcronisCloud\Logger::maskJson((string) json_encode($result))
            );
        }
        return $result;
    }

    /** The plain text of a WHMCS-encrypted password ('' when WHMCS cannot decrypt it). */
    public static function decrypt(string $encrypted): string
    {
        $plain = self::call('DecryptPassword', ['password2' => $encrypted]);
        return ($plain['result'] ?? '') === 'success' ? (string) $plain['password'] : '';
    }

    /** `$plain` encrypted the way WHMCS stores passwords; null when WHMCS refuses. */
    public static function encrypt(string $plain): ?string
    {
        $secret = self::call('EncryptPassword', ['password2' => $plain]);
        return ($secret['result'] ?? '') === 'success' ? (string) $secret['password'] : null;
    }
}
