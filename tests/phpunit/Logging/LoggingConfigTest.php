<?php

namespace AcronisCloud\Tests\Logging;

use AcronisCloud\Logger;
use AcronisCloud\Settings;
use AcronisCloud\Tests\Support\ModuleTestCase;

/** Logging and config.yaml: docs/behaviour.md L76-L78, and no secret in any sink. */
final class LoggingConfigTest extends ModuleTestCase
{
    private function logFile(): string
    {
        return $this->host->root() . '/acroniscloud.log';
    }

    private function enableFileLog(string $level = 'DEBUG', int $max = 0): void
    {
        $this->writeConfig([], "logger:\n  enabled: true\n  filename: \"{$this->logFile()}\"\n  level: $level\n  max_message_length: $max\n");
    }

    public function testL76FileLogMasking(): void
    {
        $this->enableFileLog();
        $config = $this->host->root() . '/includes/acroniscloud/config.yaml';
        Logger::log($config, 'debug', '{"serverpassword":"Sup3r"} Authorization: Bearer aaa.bbb.ccc');
        Logger::log($config, 'info', 'callback?token=abcdefghij&x=1');
        $text = file_get_contents($this->logFile());
        $this->assertStringContainsString('{"serverpassword":"*****"} Authorization: Bearer aaa.bbb.*****', $text);
        $this->assertStringContainsString('token=abcde*****&x=1', $text);
        $this->assertStringNotContainsString('Sup3r', $text);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d [0-9a-f]{7} DEBUG .* File: .+:\d+$/m', $text);
    }

    public function testFileLogLevelAndTruncation(): void
    {
        $this->enableFileLog('warning', 20);
        $config = $this->host->root() . '/includes/acroniscloud/config.yaml';
        Logger::log($config, 'info', 'not written');
        Logger::log($config, 'error', str_repeat('x', 50));
        $text = (string) @file_get_contents($this->logFile());
        $this->assertStringNotContainsString('not written', $text);
        $this->assertStringContainsString('ERROR ' . str_repeat('x', 20) . '... File:', $text);
    }

    public function testL77ModuleLogIsOffWithoutModuleDebugMode(): void
    {
        $this->host->ok('config:set', ['ModuleDebugMode', '']);
        foreach (['logging_cloud_api', 'logging_whmcs_api', 'logging_db_query'] as $s) {
            $this->host->ok('addon:set', ['acroniscloud', $s, 'on']);
        }
        $id = $this->addServer();
        $this->host->ok('server:test', [$id]);
        $this->assertSame([], $this->host->moduleLog());
    }

    public function testL77ModuleLogShowsCloudApiCallsWithSecretsMasked(): void
    {
        $this->enableModuleLog(true);
        $seed = $this->sim->seed();
        $id = $this->addServer(['username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username']);
        $this->host->ok('server:test', [$id]);
        $rows = $this->host->moduleLog();
        $this->assertNotEmpty($rows);
        foreach ($rows as $row) {
            $this->assertSame('acroniscloud', $row['module']);
            $this->assertMatchesRegularExpression('/^Request ID: [0-9a-f]{7} \| Module: (hooks|servers) \| Function: \w+ \| Type of call: Cloud API$/', $row['action']);
        }
        $all = json_encode($rows);
        $this->assertStringContainsString('POST /api/2/clients', str_replace('\/', '/', $this->requestLines($rows)));
        // The client secret of the created API client is in the POST /clients answer: masked.
        $clients = array_values(array_filter($rows, fn ($r) => str_contains($r['request'], '/api/2/clients') && json_decode($r['request'], true)['method'] === 'POST'));
        $this->assertCount(1, $clients);
        $body = json_decode(json_decode($clients[0]['response'], true)['body'], true);
        $this->assertSame('*****', $body['client_secret']);
        $tokenCalls = array_filter($rows, fn ($r) => str_contains(json_decode($r['request'], true)['body'], 'grant_type=password'));
        $this->assertStringContainsString('password=*****', json_decode(reset($tokenCalls)['request'], true)['body']);
        $this->secrets[] = $this->serverRow($id)['password'];
        $this->assertNoSecretIn('module log', $all);
    }

    private function requestLines(array $rows): string
    {
        $lines = [];
        foreach ($rows as $row) {
            $req = json_decode($row['request'], true);
            $lines[] = $req['method'] . ' ' . parse_url($req['url'], PHP_URL_PATH);
        }
        return implode("\n", $lines);
    }

    public function testL77OnlyTheCloudApiScopeIsLoggedByTheExtension(): void
    {
        $this->enableModuleLog(false);
        $id = $this->addServer();
        $this->host->ok('server:test', [$id]);
        $this->assertSame([], $this->host->moduleLog(), 'logging_cloud_api off: no Cloud API entries');
    }

    public function testL77WhmcsApiAndDatabaseScopesAreMasked(): void
    {
        $this->host->ok('config:set', ['ModuleDebugMode', 'on']);
        $this->host->ok('addon:set', ['acroniscloud', 'logging_cloud_api', '']);
        $this->host->ok('addon:set', ['acroniscloud', 'logging_whmcs_api', 'on']);
        $this->host->ok('addon:set', ['acroniscloud', 'logging_db_query', 'on']);
        $seed = $this->sim->seed();
        $id = $this->addServer(['username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username']);
        $rows = $this->host->moduleLog();
        $types = array_unique(array_map(fn ($r) => preg_replace('/.*Type of call: /', '', $r['action']), $rows));
        sort($types);
        $this->assertSame(['Database query', 'WHMCS API'], $types);
        $api = array_values(array_filter($rows, fn ($r) => str_ends_with($r['action'], 'WHMCS API')));
        $methods = array_map(fn ($r) => json_decode($r['request'], true)['method'], $api);
        $this->assertSame(['DecryptPassword', 'EncryptPassword'], $methods);
        $this->assertSame('*****', json_decode($api[0]['response'], true)['password'], 'decrypted password masked');
        $this->assertSame('*****', json_decode($api[1]['request'], true)['parameters']['password2'], 'plain secret masked');
        $update = array_values(array_filter($rows, fn ($r) => str_contains($r['request'], 'update')));
        $this->assertNotEmpty($update, 'the server row update is logged');
        $this->assertContains('*****', json_decode($update[0]['request'], true)['bindings']);
        $this->secrets[] = $this->serverRow($id)['password'];
        $this->assertNoSecretIn('module log', json_encode($rows));
    }

    public function testL78DefaultsWithoutConfig(): void
    {
        $c = Settings::load($this->host->root() . '/includes/acroniscloud/no-such-config.yaml');
        $this->assertSame(1.0, $c['product']['overage_ratio']);
        $this->assertFalse($c['logger']['enabled']);
        $this->assertFalse($c['cache']['enabled']);
        $this->assertTrue($c['cloud_api']['verify_ssl']);
        $this->assertSame(7200, $c['cloud_api']['access_token_ttl']);
        $this->assertSame('acronis/reports', $c['usage_report']['download_path']);
        $this->assertSame(2, $c['usage_report']['downloaded_files_ttl_in_days']);
        $this->assertSame(2, $c['usage_report']['retries_limit']);
        $this->assertSame(300, $c['usage_report']['retry_timeout']);
        $this->assertSame('NOTICE', $c['logger']['level']);
    }

    public function testShippedSampleMatchesTheDefaultsWhereItSaysSo(): void
    {
        $c = Settings::load(dirname(__DIR__, 3) . '/includes/acroniscloud/config.yaml.sample');
        $d = Settings::load('');
        $this->assertSame($d['cloud_api'], $c['cloud_api']);
        $this->assertSame($d['usage_report'], $c['usage_report']);
        $this->assertSame('DEBUG', $c['logger']['level']);
    }

    /** @dataProvider brokenConfigs */
    public function testBrokenConfigNamesTheKeyAndLine(string $yaml, array $expected): void
    {
        $f = $this->host->writeFile('includes/acroniscloud/config.yaml', $yaml);
        try {
            Settings::load($f);
            $this->fail('accepted a broken config');
        } catch (\AcronisCloud\ConfigException $e) {
            foreach ($expected as $part) {
                $this->assertStringContainsString($part, $e->getMessage());
            }
        }
    }

    public function brokenConfigs(): array
    {
        return [
            'wrong type' => ["logger:\n  enabled: maybe\n", ['enabled', 'line 2']],
            'typo' => ["cloud_api:\n  verfy_ssl: true\n", ['verfy_ssl', 'line 2']],
            'bad yaml' => ["logger: [\n", ['invalid configuration']],
            'cache storage' => ["cache:\n  storage_type: redis\n", ['Cache storage type "redis" is not supported.']],
            'zero timeout' => ["cloud_api:\n  timeout: 0\n", ['cloud_api.connect_timeout and cloud_api.timeout']],
        ];
    }

    public function testNoSecretReachesAnyLogOrMessage(): void
    {
        $this->enableModuleLog(true);
        $this->enableFileLog('DEBUG');
        $seed = $this->sim->seed();
        $dc2 = $this->sim->seed(1);
        // A conversion (password grant + new client secret), a good test, failing tests.
        $converted = $this->addServer(['username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username']);
        $outputs = [json_encode($this->host->ok('server:test', [$converted]))];
        $wrong = $this->addServer(['username' => $dc2['admin']['login'], 'password' => 'Not-The-Password-42', 'accesshash' => 'username', 'no-hook' => true]);
        $this->secrets[] = 'Not-The-Password-42';
        $outputs[] = json_encode($this->host->ok('server:test', [$wrong]));
        $this->sim->faults([['kind' => 'token_expiry', 'revoke_all' => true]]);
        $outputs[] = json_encode($this->host->ok('server:test', [$converted]));
        $this->secrets[] = $this->serverRow($converted)['password'];
        // Every bearer token the simulator issued or saw.
        foreach ([0, 1] as $dc) {
            foreach ($this->sim->requests($dc) as $r) {
                if (preg_match('/^Bearer (.+)$/', $r['headers']['authorization'] ?? '', $m)) {
                    $this->secrets[] = $m[1];
                    $parts = explode('.', $m[1]);
                    $this->secrets[] = end($parts); // the signature part
                }
            }
        }
        $this->assertGreaterThan(3, count($this->secrets));
        $this->assertNoSecretIn('module log', json_encode($this->host->moduleLog()));
        $this->assertNoSecretIn('activity log', json_encode($this->host->activityLog()));
        $this->assertNoSecretIn('file log', (string) @file_get_contents($this->logFile()));
        $this->assertNoSecretIn('callback results', implode("\n", $outputs));
        $this->assertNotSame('', (string) @file_get_contents($this->logFile()), 'the file log was written');
    }
}
