<?php

namespace AcronisCloud\Tests\Provisioning;

/**
 * Issue 13, moving a service to another client: WHMCS changes `tblhosting.userid` (the admin's
 * "Move Product/Service"), then fires `AdminServiceEdit`; the module notices that the stored
 * owner differs and points the tenant (its `customer_id` tag, name and contact) at the new
 * client, the administrator user's e-mail only when the addon setting says so. A later
 * module callback notices a move the hook missed. Every move is audited once.
 */
final class MoveServiceTest extends ProvisioningTestCase
{
    /** A second client (Umbrella GmbH), copied from the first with its own name and e-mail. */
    private function otherClient(): int
    {
        $row = $this->host->sql('SELECT * FROM tblclients WHERE id = ?', [$this->client])[0];
        unset($row['id']);
        $row = array_merge($row, ['uuid' => bin2hex(random_bytes(8)), 'companyname' => 'Umbrella GmbH', 'firstname' => 'Ute',
            'lastname' => 'Lang', 'email' => 'ute@umbrella.test']);
        $cols = array_keys($row);
        $this->host->sql('INSERT INTO tblclients (' . implode(', ', $cols) . ') VALUES (' . implode(', ', array_fill(0, count($cols), '?')) . ')', array_values($row));
        return (int) $this->host->sql('SELECT MAX(id) AS id FROM tblclients')[0]['id'];
    }

    /** The admin gives the service to `$client` and saves it (as WHMCS does). */
    private function moveTo(int $client, bool $hook = true): void
    {
        $this->host->sql('UPDATE tblhosting SET userid = ? WHERE id = ?', [$client, $this->service]);
        if ($hook) {
            $this->host->ok('hook:run', ['AdminServiceEdit', 'vars' => ['userid' => $client, 'serviceid' => $this->service]]);
        }
    }

    private function moves(): array
    {
        return $this->host->sql("SELECT * FROM acroniscloud_audit WHERE service_id = ? AND action = 'move' ORDER BY id", [$this->service]);
    }

    public function testAdminServiceEditMovesTheTenantToTheNewClient(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $uid = $this->fields()['user_id'];
        $new = $this->otherClient();
        $this->sim->clearRequests();
        $this->host->activityLog(true);

        $this->moveTo($new);

        $tenant = $this->cloudTenant($tid);
        $this->assertStringContainsString("whmcs-user-id=$new", (string) $tenant['customer_id']);
        $this->assertStringContainsString('whmcs-service-id=' . $this->service, (string) $tenant['customer_id']);
        $this->assertSame('ute@umbrella.test', $tenant['contact']['email']);
        $this->assertStringContainsString('Umbrella', $tenant['name']);
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/users/$uid"), 'the user e-mail stays unless the addon setting says so');
        $this->assertSame('it@acme.test', $this->sim->api('GET', "/api/2/users/$uid")['contact']['email']);

        $moves = $this->moves();
        $this->assertCount(1, $moves);
        $this->assertSame('AdminServiceEdit', $moves[0]['actor']);
        $this->assertSame(['client_id' => $this->client, 'email' => null], json_decode($moves[0]['before_json'], true));
        $this->assertSame(['client_id' => $new, 'email' => 'ute@umbrella.test'], json_decode($moves[0]['after_json'], true));
        $this->assertStringContainsString("moved from the client {$this->client} to the client $new", json_encode($this->host->activityLog()));

        // Saving the service again moves nothing; the service keeps working for its new owner.
        $this->sim->clearRequests();
        $this->host->ok('hook:run', ['AdminServiceEdit', 'vars' => ['userid' => $new, 'serviceid' => $this->service]]);
        $this->assertCount(0, $this->requestsTo('PUT', "/api/2/tenants/$tid"));
        $this->assertCount(1, $this->moves());
        $this->assertSame('success', $this->module('suspend'));
        $this->assertSame('success', $this->module('unsuspend'));
        $this->assertCount(1, $this->moves());
    }

    public function testTheAddonSettingAlsoMovesTheAdministratorsEmail(): void
    {
        $this->assertSame('success', $this->module('create'));
        $uid = $this->fields()['user_id'];
        $this->host->ok('addon:set', ['acroniscloud', 'move_user_email', 'on']);
        $this->moveTo($this->otherClient());
        $this->assertSame('ute@umbrella.test', $this->sim->api('GET', "/api/2/users/$uid")['contact']['email']);
    }

    public function testALaterCallbackFollowsAMoveTheHookMissed(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $new = $this->otherClient();
        $this->moveTo($new, false);
        $this->assertSame('success', $this->module('suspend'));
        $this->assertStringContainsString("whmcs-user-id=$new", (string) $this->cloudTenant($tid)['customer_id']);
        $this->assertFalse($this->cloudTenant($tid)['enabled']);
        $actions = array_column($this->host->sql('SELECT action FROM acroniscloud_audit WHERE service_id = ? ORDER BY id', [$this->service]), 'action');
        $this->assertSame(['create', 'move', 'suspend'], $actions);
    }

    public function testAFailedMoveKeepsTheServiceWorkingAndIsRetried(): void
    {
        $this->assertSame('success', $this->module('create'));
        $tid = $this->fields()['tenant_id'];
        $new = $this->otherClient();
        // Every tenant update fails (also the module's retries): the platform is down for it.
        $this->sim->faults([['kind' => 'http_5xx', 'status' => 503, 'method' => 'PUT', 'path' => "/api/2/tenants/$tid"]]);
        $this->moveTo($new);
        $this->assertStringNotContainsString("whmcs-user-id=$new", (string) $this->cloudTenant($tid)['customer_id']);
        $failed = $this->moves();
        $this->assertCount(1, $failed);
        $this->assertNotSame('success', $failed[0]['result']);
        $this->assertStringContainsString('moving to the new client failed', json_encode($this->host->activityLog()));

        $this->sim->faults([]);
        $this->moveTo($new);
        $this->assertStringContainsString("whmcs-user-id=$new", (string) $this->cloudTenant($tid)['customer_id']);
        $this->assertSame('success', $this->moves()[1]['result']);
    }
}
