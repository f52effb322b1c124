<?php

namespace AcronisCloud\Tests\Usage;

use AcronisCloud\Tests\Support\ModuleTestCase;
use WhmcsHost\Testing\WhmcsHost;

/**
 * Usage billing through the WHMCS side (docs/behaviour.md §F, scenarios L64-L75): a fresh
 * emulated WHMCS root with server 1 ("Acronis EU2", simulator DC 1), product 1 with metrics
 * enabled, tenants arranged straight in the simulator and services whose `tenant_id` custom
 * field names them. The report day is fixed with ACRONISCLOUD_TEST_TODAY (test hooks on), and
 * `manage.php` runs in the root like an operator runs it: `php <root>/manage.php …`.
 */
abstract class UsageTestCase extends ModuleTestCase
{
    protected const TODAY = '2024-05-31';
    protected const GIB = 1073741824;

    protected int $server;
    /** Day the next command runs on (ACRONISCLOUD_TEST_TODAY). */
    protected string $today = self::TODAY;

    protected function setUp(): void
    {
        parent::setUp();
        $this->writeUsageConfig();
        $this->server = $this->addServer();
    }

    /** config.yaml: CA of the simulator, every run may poll (retry_timeout 0), a text log. */
    protected function writeUsageConfig(array $usage = [], array $cloudApi = []): void
    {
        $usage += ['retry_timeout' => 0];
        $yaml = "usage_report:\n";
        foreach ($usage as $k => $v) {
            $yaml .= "  $k: " . json_encode($v, JSON_UNESCAPED_SLASHES) . "\n";
        }
        $yaml .= "logger:\n  enabled: true\n  filename: " . json_encode($this->logFile()) . "\n  level: DEBUG\n";
        $this->writeConfig($cloudApi, $yaml);
    }

    protected function logFile(): string
    {
        return $this->host->root() . '/acroniscloud.log';
    }

    protected function logText(): string
    {
        return is_file($this->logFile()) ? (string) file_get_contents($this->logFile()) : '';
    }

    /** Base path of the report files (downloads storage + default download_path). */
    protected function reportsDir(): string
    {
        return $this->host->root() . '/downloads/acronis/reports';
    }

    /** The environment of a module process: test hooks on, the report day fixed. */
    protected function env(array $extra = []): array
    {
        return $extra + ['ACRONISCLOUD_TEST_HOOKS' => '1', 'ACRONISCLOUD_TEST_TODAY' => $this->today];
    }

    /** The WHMCS runner with this test's environment (and extra php.ini settings). */
    protected function runner(array $env = []): WhmcsHost
    {
        return WhmcsHost::open($this->host->root(), ['env' => $this->env($env)]);
    }

    /** Fires a WHMCS hook point in a cron request; returns the runner's answer. */
    protected function cron(string $point): array
    {
        $r = $this->runner()->run('hook:run', [$point, 'context' => 'cron']);
        $this->assertSame(0, $r['exit'], "hook $point failed\nstdout: {$r['stdout']}\nstderr: {$r['stderr']}");
        return $r;
    }

    /** The command line that runs manage.php in the root with the extension. */
    protected function manageCommand(array $args): array
    {
        $ext = (string) getenv('ACRONISCLOUD_EXT');
        return array_merge([PHP_BINARY, '-d', 'extension=' . $ext, '-d', 'display_errors=stderr', $this->host->root() . '/manage.php'], $args);
    }

    /**
     * Runs `php manage.php ARGS` in the WHMCS root (stdin/stdout/stderr are not a terminal).
     *
     * @return array{exit:int, stdout:string, stderr:string}
     */
    protected function manage(array $args, array $env = []): array
    {
        $p = proc_open($this->manageCommand($args), [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes,
            $this->host->root(), array_merge(getenv(), $this->env($env)));
        $this->assertIsResource($p);
        $stdout = (string) stream_get_contents($pipes[1]);
        $stderr = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return ['exit' => proc_close($p), 'stdout' => $stdout, 'stderr' => $stderr];
    }

    /** manage.php that must succeed. */
    protected function manageOk(array $args, array $env = []): array
    {
        $r = $this->manage($args, $env);
        $this->assertSame(0, $r['exit'], 'manage.php ' . implode(' ', $args) . " failed\nstdout: {$r['stdout']}\nstderr: {$r['stderr']}");
        $this->assertStringNotContainsString('Stack trace', $r['stdout'] . $r['stderr']);
        return $r;
    }

    protected function process(?int $server = null, array $env = []): array
    {
        return $this->manage(['usage-report:process', (string) ($server ?? $this->server)], $env);
    }

    /** Rows of `usage-report:view-list` as lists of cells (header and rules left out). */
    protected function viewRows(): array
    {
        $out = $this->manageOk(['usage-report:view-list'])['stdout'];
        $rows = [];
        foreach (explode("\n", $out) as $line) {
            $cells = array_map('trim', explode('|', trim($line, " \t|")));
            if (count($cells) >= 6 && preg_match('/^\d+$/', $cells[0])) {
                $rows[] = $cells;
            }
        }
        return $rows;
    }

    /** The view-list row of a report day and data centre id: [id, date, dc name, dc id, status, path, …]. */
    protected function viewRow(string $date, int $server = 0): ?array
    {
        foreach ($this->viewRows() as $row) {
            if ($row[1] === $date && $row[3] === (string) ($server ?: $this->server)) {
                return $row;
            }
        }
        return null;
    }

    /** Makes every Acronis product bill `$metrics` (rows of tblusage_items, as WHMCS writes them). */
    protected function enableMetrics(array $metrics, int $pid = 1, int $hidden = 0, string $module = 'acroniscloud'): void
    {
        foreach ($metrics as $metric) {
            $this->host->sql(
                'INSERT INTO tblusage_items (rel_type, rel_id, module_type, module, metric, included, is_hidden, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)',
                ['Product', $pid, 'servers', $module, $metric, $hidden, date('Y-m-d H:i:s'), date('Y-m-d H:i:s')]
            );
        }
    }

    /** The application id of `$type` in the simulator. */
    protected function app(string $type, int $dc = 0): string
    {
        foreach ($this->sim->seed($dc)['applications'] as $a) {
            if ($a['type'] === $type) {
                return $a['id'];
            }
        }
        $this->fail("no application $type");
    }

    /** Infra id of the simulator seed: `backup`/`disaster_recovery`, platform-owned or not. */
    protected function infra(string $capability, bool $platformOwned = true, int $dc = 0): string
    {
        foreach ($this->sim->seed($dc)['infras'] as $i) {
            if (in_array($capability, $i['capabilities'], true) && (bool) $i['platform_owned'] === $platformOwned) {
                return $i['id'];
            }
        }
        $this->fail("no $capability infra");
    }

    /**
     * A tenant under the root of `$dc` with backup items enabled and usage set:
     * `$usage` = [[name, infra id|null, absolute value, delta (default = value)]…].
     */
    protected function tenant(string $kind, array $usage, string $pricing = 'production', int $dc = 0): string
    {
        $root = $this->sim->seed($dc)['root_tenant_id'];
        $backup = $this->app('backup', $dc);
        $t = $this->sim->api('POST', '/api/2/tenants', ['kind' => $kind, 'parent_id' => $root,
            'name' => ucfirst($kind) . ' ' . bin2hex(random_bytes(4)), 'contact' => ['email' => 'it@acme.test']], $dc);
        $id = $t['id'];
        $pricingNow = $this->sim->api('GET', "/api/2/tenants/$id/pricing", null, $dc);
        if ($pricingNow['mode'] !== $pricing) {
            $this->sim->api('PUT', "/api/2/tenants/$id/pricing", ['mode' => $pricing, 'version' => $pricingNow['version']], $dc);
        }
        $this->sim->api('POST', "/api/2/applications/$backup/bindings/tenants/$id", [], $dc);
        $items = [];
        $values = [];
        foreach ($usage as $u) {
            [$name, $infra, $value] = $u;
            $item = ['application_id' => $backup, 'name' => $name, 'status' => 1, 'quota' => ['value' => null, 'overage' => null]];
            $value_ = ['tenant_id' => $id, 'name' => $name, 'value' => $value, 'delta' => $u[3] ?? $value];
            if ($infra !== null) {
                $item['infra_id'] = $infra;
                $value_['infra_id'] = $infra;
            }
            $items[] = $item;
            $values[] = $value_;
        }
        if ($items !== []) {
            $this->sim->api('PUT', "/api/2/tenants/$id/offering_items", ['offering_items' => $items], $dc);
            $this->sim->control('PUT', 'usage', ['items' => $values], $dc);
        }
        return $id;
    }

    /** Changes a tenant's usage of one item in the simulator. */
    protected function setUsage(string $tenant, string $name, ?string $infra, float $value, int $dc = 0): void
    {
        $item = ['tenant_id' => $tenant, 'name' => $name, 'value' => $value];
        if ($infra !== null) {
            $item['infra_id'] = $infra;
        }
        $this->sim->control('PUT', 'usage', $item, $dc);
    }

    /** A service of client 1 on product `$pid` and `$server` whose tenant_id field is `$tenant`. */
    protected function service(string $tenant, int $server = 0, int $pid = 1, string $status = 'Active'): int
    {
        return (int) $this->host->ok('service:add', ['pid' => $pid, 'userid' => 1, 'server' => $server ?: $this->server,
            'status' => $status, 'customfield' => ["tenant_id=$tenant"]])['serviceid'];
    }

    /** `module:metrics` of a server: [metrics, usage, tenantUsage] as the runner normalizes them. */
    protected function provider(int $server = 0, ?string $tenant = null, array $flags = []): array
    {
        $args = ['server' => (string) ($server ?: $this->server)] + $flags;
        if ($tenant !== null) {
            $args['tenant'] = $tenant;
        }
        $r = $this->runner()->run('module:metrics', $args);
        $this->assertSame(0, $r['exit'], "module:metrics failed\nstdout: {$r['stdout']}\nstderr: {$r['stderr']}");
        return $r['json']['result'];
    }

    /** `[metric => value]` of the metrics that carry a usage in a normalized metric list. */
    protected static function valuesOf(array $metrics): array
    {
        $out = [];
        foreach ($metrics as $m) {
            if ($m['usage'] !== null) {
                $out[$m['systemName']] = (float) $m['usage']['value'];
            }
        }
        return $out;
    }

    /** The tenant's billed values as WHMCS gets them (converted units), from tenantUsage(). */
    protected function billed(string $tenant, int $server = 0): array
    {
        return self::valuesOf($this->provider($server, $tenant, ['no-usage' => true])['tenantUsage']);
    }

    /** Simulator requests of `$dc` as "METHOD path", without token requests. */
    protected function apiCalls(int $dc = 0): array
    {
        return array_values(array_filter($this->calls($dc), static fn (string $c): bool => !str_contains($c, '/idp/token')));
    }

    /** Number of requests "METHOD path" (path as a regular expression) on `$dc`. */
    protected function countCalls(string $method, string $pathPattern, int $dc = 0): int
    {
        return count(array_filter($this->sim->requests($dc), static fn ($r) => $r['method'] === $method && preg_match($pathPattern, $r['path'])));
    }

    /** Files under the reports base path, relative to it. */
    protected function reportFiles(): array
    {
        $base = $this->reportsDir();
        if (!is_dir($base)) {
            return [];
        }
        $out = [];
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($base, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST);
        foreach ($it as $f) {
            $out[] = substr($f->getPathname(), strlen($base) + 1) . ($f->isDir() ? '/' : '');
        }
        sort($out);
        return $out;
    }

    /** `usage-report:metrics` read back: [tenant => [label => value as printed]]. */
    protected function metricsDump(): array
    {
        $out = [];
        $tenant = null;
        foreach (explode("\n", $this->manageOk(['usage-report:metrics'])['stdout']) as $line) {
            if (preg_match('/^ {4}\[(.+)\] => Array$/', $line, $m)) {
                $tenant = $m[1];
                $out[$tenant] = [];
            } elseif ($tenant !== null && preg_match('/^ {12}\[(.+)\] => (.*)$/', $line, $m)) {
                $out[$tenant][$m[1]] = $m[2];
            }
        }
        return $out;
    }
}
