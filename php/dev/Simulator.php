<?php

namespace AcronisCloud\Dev;

/**
 * The Acronis API simulator (crates/acronis-sim) as a test fixture: one process per PHPUnit
 * run, reset between tests through its control API.
 */
final class Simulator
{
    private static ?self $shared = null;

    /** @var resource */
    private $process;
    /** @var array<int, resource> */
    private array $pipes = [];
    /** Start-up line: dcs[{name, http, https}], ca_file, control. */
    public array $info;

    private function __construct(string $bin)
    {
        if (!is_executable($bin)) {
            throw new \RuntimeException("Simulator binary not found at $bin: run 'make build'");
        }
        $ca = sys_get_temp_dir() . '/acronis-sim-ca-' . getmypid() . '.pem';
        $cmd = [$bin, '--tls', '--exit-on-stdin-eof', '--ca-out', $ca];
        $this->process = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', sys_get_temp_dir() . '/acronis-sim-' . getmypid() . '.log', 'a']], $this->pipes);
        if (!is_resource($this->process)) {
            throw new \RuntimeException('Cannot start the simulator');
        }
        $line = fgets($this->pipes[1]);
        $info = json_decode((string) $line, true);
        if (!is_array($info) || empty($info['dcs'])) {
            throw new \RuntimeException('Simulator did not print its start-up line: ' . var_export($line, true));
        }
        $this->info = $info;
    }

    public static function shared(): self
    {
        if (self::$shared === null) {
            self::$shared = new self(getenv('ACRONIS_SIM_BIN') ?: dirname(__DIR__, 2) . '/target/release/acronis-sim');
            register_shutdown_function(static function () {
                self::$shared?->stop();
            });
        }
        return self::$shared;
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            fclose($this->pipes[0]);
            proc_terminate($this->process);
            proc_close($this->process);
        }
    }

    public function caFile(): string
    {
        return (string) $this->info['ca_file'];
    }

    /** `https://localhost:PORT` of data centre $dc (0-based). */
    public function httpsUrl(int $dc = 0): string
    {
        return (string) $this->info['dcs'][$dc]['https'];
    }

    public function httpUrl(int $dc = 0): string
    {
        return (string) $this->info['dcs'][$dc]['http'];
    }

    public function port(int $dc = 0, bool $tls = true): int
    {
        return (int) parse_url($tls ? $this->httpsUrl($dc) : $this->httpUrl($dc), PHP_URL_PORT);
    }

    /** Calls the control API of data centre $dc and returns the decoded answer. */
    public function control(string $method, string $path, $body = null, int $dc = 0): array
    {
        $url = $this->httpUrl($dc) . '/__sim/' . ltrim($path, '/');
        return $this->http($method, $url, "Content-Type: application/json\r\n", $body === null ? '' : json_encode($body));
    }

    public function reset(): void
    {
        $this->control('POST', 'reset');
        for ($i = 0; $i < count($this->info['dcs']); $i++) {
            $this->control('DELETE', 'requests', null, $i);
        }
    }

    /** Forgets the request log of every data centre (state stays). */
    public function clearRequests(): void
    {
        for ($i = 0; $i < count($this->info['dcs']); $i++) {
            $this->control('DELETE', 'requests', null, $i);
        }
    }

    /** Seed facts of data centre $dc: admin {login,password}, client {client_id,client_secret}, root_tenant_id. */
    public function seed(int $dc = 0): array
    {
        return $this->control('GET', 'seed-info', null, $dc);
    }

    /** Installs faults (replacing earlier ones) on data centre $dc. */
    public function faults(array $faults, int $dc = 0): void
    {
        $this->control('PUT', 'faults', ['faults' => $faults], $dc);
    }

    /** @return list<array> the request log of data centre $dc */
    public function requests(int $dc = 0): array
    {
        return $this->control('GET', 'requests', null, $dc)['requests'];
    }

    public function tenant(string $id, int $dc = 0): array
    {
        return $this->control('GET', 'state/tenants/' . $id, null, $dc);
    }

    /**
     * Calls the simulated Acronis API of $dc as its seeded API client (for arranging state the
     * module would not create itself, e.g. a foreign pair in the root tenant's internal tag).
     */
    public function api(string $method, string $path, ?array $body = null, int $dc = 0): array
    {
        $seed = $this->seed($dc);
        $base = $this->httpUrl($dc);
        $basic = base64_encode($seed['client']['client_id'] . ':' . $seed['client']['client_secret']);
        $token = $this->http('POST', "$base/api/2/idp/token", "Authorization: Basic $basic\r\nContent-Type: application/x-www-form-urlencoded\r\n", 'grant_type=client_credentials');
        $bearer = "Authorization: Bearer {$token['access_token']}\r\nContent-Type: application/json\r\n";
        return $this->http($method, $base . $path, $bearer, $body === null ? '' : json_encode($body));
    }

    private function http(string $method, string $url, string $headers, string $content): array
    {
        $ctx = stream_context_create(['http' => ['method' => $method, 'header' => $headers, 'content' => $content, 'ignore_errors' => true, 'timeout' => 30]]);
        $raw = file_get_contents($url, false, $ctx);
        $status = 0;
        foreach ($http_response_header ?? [] as $h) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $h, $m)) {
                $status = (int) $m[1];
            }
        }
        if ($status < 200 || $status >= 300) {
            throw new \RuntimeException("Simulator $method $url answered $status: $raw");
        }
        return json_decode((string) $raw, true) ?? [];
    }

    /** Sets the root tenant's internal tag of $dc. */
    public function setRootTag(string $tag, int $dc = 0): void
    {
        $root = $this->seed($dc)['root_tenant_id'];
        $t = $this->api('GET', "/api/2/tenants/$root", null, $dc);
        $this->api('PUT', "/api/2/tenants/$root", ['version' => $t['version'], 'internal_tag' => $tag], $dc);
    }

    public function rootTag(int $dc = 0): string
    {
        $root = $this->seed($dc)['root_tenant_id'];
        return (string) ($this->tenant($root, $dc)['internal_tag'] ?? '');
    }
}
