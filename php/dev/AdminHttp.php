<?php

namespace AcronisCloud\Dev;

/**
 * An admin's browser session against the emulated WHMCS in browser mode: logged in, holding the
 * page's CSRF token, calling `addonmodules.php?module=acroniscloud&action=…` like the admin UI.
 */
final class AdminHttp
{
    private string $cookies;
    public string $csrf = '';

    public function __construct(private string $base)
    {
        $this->cookies = tempnam(sys_get_temp_dir(), 'acl-cookies-');
        $this->raw('GET', '/admin/login.php?autologin=admin&redirect=index.php');
        $page = $this->raw('GET', '/admin/addonmodules.php?module=acroniscloud');
        if (preg_match('/csrfToken\s*=\s*["\']([^"\']+)/', $page['body'], $m)) {
            $this->csrf = $m[1];
        }
    }

    /** The first platform-owned backup storage among the simulator's `infras` (seed-info), null when none. */
    public static function backupStorage(array $infras): ?string
    {
        foreach ($infras as $infra) {
            if (in_array('backup', $infra['capabilities'], true) && $infra['platform_owned']) {
                return $infra['id'];
            }
        }
        return null;
    }

    /**
     * A `create_template` body: customer tenants with the per-workload backup edition, $workstations
     * workstations and 100 GB of cloud storage on $storage (the demo, the soak and the bench use it).
     */
    public static function perWorkloadTemplate(string $name, string $description, int $serverId, ?string $storage, int $workstations = 10): array
    {
        return [
            'name' => $name, 'description' => $description,
            'server_id' => $serverId, 'tenant_kind' => 'customer', 'user_role' => 'admin',
            'applications' => [[
                'type' => 'backup', 'status' => 'active', 'editions' => [['name' => 'per_workload', 'status' => 'active']],
                'offering_items' => [
                    ['name' => 'pw_workstations', 'measurement_unit' => 'quantity', 'infra_id' => null, 'quota_value' => $workstations, 'status' => 'active'],
                    ['name' => 'pw_storage', 'measurement_unit' => 'bytes', 'infra_id' => $storage, 'quota_value' => 100 * 1024 ** 3, 'status' => 'active'],
                ],
            ]],
        ];
    }

    /** The session's cookie file (for parallel requests made outside this class). */
    public function cookieFile(): string
    {
        return $this->cookies;
    }

    /** @return array{status:int, headers:array<string,string>, body:string} */
    public function raw(string $method, string $path, ?string $body = null, array $headers = []): array
    {
        $ch = curl_init($this->base . $path);
        $responseHeaders = [];
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => true,
            CURLOPT_COOKIEJAR => $this->cookies,
            CURLOPT_COOKIEFILE => $this->cookies,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_HEADERFUNCTION => static function ($ch, $line) use (&$responseHeaders) {
                if (str_contains($line, ':')) {
                    [$k, $v] = explode(':', $line, 2);
                    $responseHeaders[strtolower(trim($k))] = trim($v);
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $out = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'headers' => $responseHeaders, 'body' => $out];
    }

    /** Calls an admin API action; `$json` is sent as a JSON body with the CSRF header. */
    public function api(string $method, string $action, array $query = [], $json = null, bool $withToken = true): array
    {
        $path = '/admin/addonmodules.php?' . http_build_query(['module' => 'acroniscloud', 'action' => $action] + $query);
        $headers = ['Content-Type: application/json'];
        if ($withToken && $method !== 'GET') {
            $headers[] = 'X-CSRF-Token: ' . $this->csrf;
        }
        $r = $this->raw($method, $path, $json === null ? ($method === 'GET' ? null : '') : json_encode($json), $headers);
        $r['json'] = json_decode($r['body'], true);
        return $r;
    }
}
