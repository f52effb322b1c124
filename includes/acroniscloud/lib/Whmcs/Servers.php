<?php
/**
 * The module's servers (`tblservers` rows of type acroniscloud) as the extension reads them:
 * password decrypted through WHMCS, `disabled` included (the extension skips disabled ones).
 */

namespace AcronisCloud\Whmcs;

use WHMCS\Database\Capsule;

final class Servers
{
    public const TYPE = 'acroniscloud';

    /** A server row with the password decrypted, or null when absent or not ours. */
    public static function row(int $serverId): ?array
    {
        $row = Capsule::table('tblservers')->where('id', $serverId)->first();
        if (!$row || $row->type !== self::TYPE) {
            return null;
        }
        $row = (array) $row;
        $row['password'] = LocalApi::decrypt((string) $row['password']);
        return $row;
    }

    /** Every server of ours (or only `$serverId`; [] when it is not ours), by id. */
    public static function rows(?int $serverId = null): array
    {
        $query = Capsule::table('tblservers')->where('type', self::TYPE)->orderBy('id');
        if ($serverId !== null) {
            $query->where('id', $serverId);
        }
        return array_values(array_filter(array_map(
            static function ($id): ?array {
                return self::row((int) $id);
            },
            $query->pluck('id')->all()
        )));
    }

    /** `[id => name]` of our servers. */
    public static function names(): array
    {
        $names = [];
        foreach (Capsule::table('tblservers')->where('type', self::TYPE)->orderBy('id')->get(['id', 'name']) as $row) {
            $names[(int) $row->id] = (string) $row->name;
        }
        return $names;
    }

    /** The server's name ('' when absent). */
    public static function name(int $serverId): string
    {
        return (string) Capsule::table('tblservers')->where('id', $serverId)->value('name');
    }

    /** True when `$serverId` is one of ours. */
    public static function isOurs(int $serverId): bool
    {
        return $serverId > 0 && Capsule::table('tblservers')->where('id', $serverId)->where('type', self::TYPE)->exists();
    }

    /**
     * The `tblservers` columns of API-client credentials planned by the extension
     * (`client_id`, `client_secret`, `hostname`, `secure`, `port`); null when WHMCS cannot
     * encrypt the secret.
     */
    public static function credentialColumns(array $credentials): ?array
    {
        $secret = LocalApi::encrypt((string) $credentials['client_secret']);
        if ($secret === null) {
            return null;
        }
        $columns = [
            'username' => (string) $credentials['client_id'],
            'password' => $secret,
            'accesshash' => 'client_credentials',
            'hostname' => (string) $credentials['hostname'],
            'secure' => !empty($credentials['secure']) ? 'on' : '',
        ];
        if (!empty($credentials['port'])) {
            $columns['port'] = (string) $credentials['port'];
        }
        return $columns;
    }

    public static function update(int $serverId, array $columns): void
    {
        Capsule::table('tblservers')->where('id', $serverId)->update($columns);
    }
}
