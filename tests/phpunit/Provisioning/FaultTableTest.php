<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * Step × fault table of issue 4: a platform fault is injected at one step of CreateAccount,
 * ChangePackage or TerminateAccount; the command runs (it may fail, with a message), the
 * fault is cleared and the command is run again. Afterwards exactly one tenant and one user
 * exist for the service, quotas are as ordered and no orphan tenant is left (for terminate:
 * nothing is left). The table of outcomes is written to tests/artifacts/fault-table.md and
 * printed at the end of the suite.
 */
final class FaultTableTest extends ProvisioningTestCase
{
    /** @var array<string, array{first:string, rerun:string}> */
    private static array $table = [];

    /** Steps of the lifecycle as "METHOD path-glob". */
    private const CREATE_STEPS = [
        'token' => ['POST', '/api/2/idp/token'],
        'tenant create' => ['POST', '/api/2/tenants'],
        'application binding' => ['POST', '/api/2/applications/*/bindings/tenants/*'],
        'offering items' => ['PUT', '/api/2/tenants/*/offering_items'],
        'pricing' => ['PUT', '/api/2/tenants/*/pricing'],
        'login check' => ['GET', '/api/2/users/check_login'],
        'user create' => ['POST', '/api/2/users'],
        'activation' => ['POST', '/api/1/actions/mail/activate'],
        'roles' => ['PUT', '/api/2/users/*/access_policies'],
    ];

    private const CHANGE_STEPS = [
        'tenant update' => ['PUT', '/api/2/tenants/*'],
        'offering items' => ['PUT', '/api/2/tenants/*/offering_items'],
        'user update' => ['PUT', '/api/2/users/*'],
        'roles' => ['PUT', '/api/2/users/*/access_policies'],
    ];

    private const TERMINATE_STEPS = [
        'tenant read' => ['GET', '/api/2/tenants/*'],
        'disable' => ['PUT', '/api/2/tenants/*'],
        'delete' => ['DELETE', '/api/2/tenants/*'],
    ];

    /** Fault kinds with their parameters; `writes` = only meaningful on PUT/DELETE. */
    private const FAULTS = [
        '5xx' => ['kind' => 'http_5xx', 'status' => 503],
        'timeout' => ['kind' => 'latency', 'ms' => 2500],
        'dropped connection' => ['kind' => 'connection_reset'],
        'lost answer' => ['kind' => 'drop_response_after_commit'],
        '429 Retry-After' => ['kind' => 'rate_limit', 'seconds' => 1],
        'malformed JSON' => ['kind' => 'invalid_json'],
        'version conflict' => ['kind' => 'version_bump', 'writes' => true],
        'token expiry' => ['kind' => 'token_expiry', 'revoke_all' => true, 'global' => true],
    ];

    public static function tearDownAfterClass(): void
    {
        parent::tearDownAfterClass();
        if (self::$table === []) {
            return;
        }
        $lines = ["| operation × step × fault | first run | re-run |", '|---|---|---|'];
        foreach (self::$table as $case => $row) {
            $lines[] = "| $case | " . str_replace('|', '\\|', $row['first']) . ' | ' . $row['rerun'] . ' |';
        }
        $text = implode("\n", $lines) . "\n";
        $dir = dirname(__DIR__, 2) . '/artifacts';
        @mkdir($dir, 0777, true);
        file_put_contents("$dir/fault-table.md", $text);
        fwrite(STDERR, "\nFault table (" . count(self::$table) . " cases):\n" . $text);
    }

    private static function cases(string $op, array $steps): \Generator
    {
        foreach ($steps as $step => [$method, $path]) {
            foreach (self::FAULTS as $name => $fault) {
                if (!empty($fault['writes']) && !in_array($method, ['PUT', 'DELETE'], true)) {
                    continue;
                }
                if (!empty($fault['global']) && $step !== array_key_first($steps)) {
                    continue;
                }
                yield "$op × $step × $name" => [$op, $step, $method, $path, $name];
            }
        }
    }

    public static function createCases(): \Generator
    {
        yield from self::cases('create', self::CREATE_STEPS);
    }

    public static function changeCases(): \Generator
    {
        yield from self::cases('change', self::CHANGE_STEPS);
    }

    public static function terminateCases(): \Generator
    {
        yield from self::cases('terminate', self::TERMINATE_STEPS);
    }

    protected function setUp(): void
    {
        parent::setUp();
        // Short timeouts keep the timeout rows fast; retries stay on (the module's defaults).
        $this->writeConfig(['timeout' => 2, 'connect_timeout' => 2]);
    }

    private function inject(string $method, string $path, string $faultName): void
    {
        $fault = self::FAULTS[$faultName];
        unset($fault['writes'], $fault['global']);
        if ($fault['kind'] !== 'token_expiry') {
            $fault += ['method' => $method, 'path' => $path, 'next' => 1];
        }
        $this->sim->faults([$fault]);
    }

    /** Exactly one tenant and one user for the service, with the ordered quotas. */
    private function assertProvisionedOnce(string $case): void
    {
        $tenants = $this->serviceTenants();
        $this->assertCount(1, $tenants, "$case: one tenant");
        $tid = $tenants[0]['id'];
        $fields = $this->fields();
        $this->assertSame($tid, $fields['tenant_id'] ?? '', "$case: stored tenant id");
        $users = $this->tenantUsers($tid);
        $this->assertCount(1, $users, "$case: one user");
        $this->assertSame($users[0]['id'], $fields['user_id'] ?? '', "$case: stored user id");
        $this->assertSame($users[0]['login'], $fields['cloud_login'] ?? '', "$case: stored login");
        $items = $this->cloudItems($tid);
        $this->assertEquals(10, $items['pw_workstations:']['quota']['value'] ?? null, "$case: workstations quota");
        $this->assertEquals(107374182400, $items['pw_storage:' . $this->infra('backup')]['quota']['value'] ?? null, "$case: storage quota");
        $policies = $this->requestsTo('PUT', '/api/2/users/' . $users[0]['id'] . '/access_policies');
        $this->assertNotEmpty($policies, "$case: roles set");
    }

    private function record(string $case, string $first, string $rerun): void
    {
        self::$table[$case] = ['first' => $first === 'success' ? 'success' : 'error: ' . mb_strimwidth($first, 0, 90, '…'), 'rerun' => $rerun];
    }

    /** @dataProvider createCases */
    public function testCreateAccountSurvivesFault(string $op, string $step, string $method, string $path, string $fault): void
    {
        $case = "$op × $step × $fault";
        $this->inject($method, $path, $fault);
        $first = $this->module('create');
        $this->sim->faults([]);
        $rerun = $this->module('create');
        $this->assertSame('success', $rerun, "$case: re-run after the fault is cleared (first run: $first)");
        $this->assertProvisionedOnce($case);
        $this->assertNoSecretIn($case, $first);
        $this->record($case, $first, $rerun);
    }

    /** @dataProvider changeCases */
    public function testChangePackageSurvivesFault(string $op, string $step, string $method, string $path, string $fault): void
    {
        $case = "$op × $step × $fault";
        $this->setOption('pw_servers:quantity:|Servers', 2);
        $this->assertSame('success', $this->module('create'));
        $this->setOption('pw_servers:quantity:|Servers', 5);
        $this->host->sql('UPDATE tblclients SET email = ? WHERE id = ?', ['ops@acme.test', $this->client]);
        $this->sim->clearRequests();
        $this->inject($method, $path, $fault);
        $first = $this->module('changepackage');
        $this->sim->faults([]);
        $rerun = $this->module('changepackage');
        $this->assertSame('success', $rerun, "$case: re-run (first run: $first)");
        $this->assertProvisionedOnce($case);
        $tid = $this->fields()['tenant_id'];
        $this->assertEquals(5, $this->cloudItems($tid)['pw_servers:']['quota']['value'] ?? null, "$case: new quota");
        $this->assertSame('ops@acme.test', $this->cloudTenant($tid)['contact']['email'], "$case: contact");
        $this->record($case, $first, $rerun);
    }

    /** @dataProvider terminateCases */
    public function testTerminateSurvivesFault(string $op, string $step, string $method, string $path, string $fault): void
    {
        $case = "$op × $step × $fault";
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $this->inject($method, $path, $fault);
        $first = $this->module('terminate');
        $this->sim->faults([]);
        $rerun = $first === 'success' ? 'success' : $this->module('terminate');
        if ($first === 'success') {
            // Already done: a second terminate must also be success.
            $rerun = $this->module('terminate');
        }
        $this->assertSame('success', $rerun, "$case: re-run (first run: $first)");
        $this->assertSame([], $this->serviceTenants(), "$case: tenant gone");
        $this->assertSame('', $this->fields()['tenant_id'] ?? '', "$case: field cleared");
        $this->assertNotSame('', $tid);
        $this->record($case, $first, $rerun);
    }
}
