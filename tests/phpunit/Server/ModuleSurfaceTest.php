<?php

namespace AcronisCloud\Tests\Server;

use AcronisCloud\AcronisServer;
use AcronisCloud\Tests\Support\ModuleTestCase;
use AcronisCloud\Tests\Support\PhpProcess;

/** The provisioning module's static surface (MetaData, ConfigOptions) and server helpers. */
final class ModuleSurfaceTest extends ModuleTestCase
{
    public function testMetaDataMatchesTheReference(): void
    {
        $this->assertSame([
            'DisplayName' => 'Acronis Cyber Cloud',
            'APIVersion' => '1.1',
            'RequiresServer' => true,
            'ListAccountsUniqueIdentifierField' => 'customfield.tenant_id',
        ], $this->host->ok('module:call', ['MetaData', 'module' => 'acroniscloud']));
    }

    public function testL84ConfigOptionsHaveOnlyTheTemplateByDefault(): void
    {
        $opts = $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud']);
        $this->assertSame(['templateId'], array_keys($opts));
        $this->assertSame('Template name', $opts['templateId']['FriendlyName']);
        $this->assertSame('dropdown', $opts['templateId']['Type']);
        $this->assertStringContainsString('href="/admin/addonmodules.php?module=acroniscloud"', $opts['templateId']['Description']);
    }

    public function testL84ActivationMethodWhenCredentialsMayBeAsked(): void
    {
        $this->writeConfig([], "product:\n  ask_user_credentials: true\n");
        $opts = $this->host->ok('module:call', ['ConfigOptions', 'module' => 'acroniscloud']);
        $this->assertSame(['templateId', 'activationMethod'], array_keys($opts));
        $this->assertSame(['email' => 'Send an email message', 'password' => 'Require credentials when placing order'], $opts['activationMethod']['Options']);
    }

    public function testCreateApiClientReturnsWorkingCredentials(): void
    {
        $seed = $this->sim->seed();
        $config = $this->host->root() . '/includes/acroniscloud/config.yaml';
        $login = new AcronisServer(['id' => 5, 'hostname' => 'localhost', 'port' => $this->sim->port(), 'secure' => 'on',
            'username' => $seed['admin']['login'], 'password' => $seed['admin']['password'], 'accesshash' => 'username'], ['config_file' => $config]);
        $c = $login->createApiClient();
        $this->assertSame($seed['root_tenant_id'], $c['tenant_id']);
        $this->assertSame('127.0.0.1', $c['hostname']);
        $this->assertSame($this->sim->port(), $c['port']);
        $this->assertTrue($c['secure']);
        $client = new AcronisServer(['id' => 5, 'hostname' => $c['hostname'], 'port' => $c['port'], 'secure' => 'on',
            'username' => $c['client_id'], 'password' => $c['client_secret'], 'accesshash' => 'client_credentials'], ['config_file' => $config]);
        $this->assertSame($seed['root_tenant_id'], $client->rootTenantId());
        $this->expectException(\AcronisCloud\ValidationException::class);
        $client->createApiClient();
    }

    public function testSystemTrustStoreHonoursSslCertFile(): void
    {
        $seed = $this->sim->seed();
        $server = var_export(['id' => 1, 'hostname' => 'localhost', 'port' => $this->sim->port(), 'secure' => 'on',
            'username' => $seed['client']['client_id'], 'password' => $seed['client']['client_secret'], 'accesshash' => 'client_credentials'], true);
        $code = "<?php echo json_encode((new AcronisCloud\\AcronisServer($server, ['config_file' => '']))->testConnection());";
        $withCa = PhpProcess::run($code, ['SSL_CERT_FILE' => $this->sim->caFile()]);
        $this->assertSame('{"success":true,"error":""}', $withCa['stdout'], $withCa['stderr']);
        $without = PhpProcess::run($code, ['SSL_CERT_FILE' => '/nonexistent/ca.pem']);
        $this->assertStringContainsString('"success":false', $without['stdout']);
    }
}
