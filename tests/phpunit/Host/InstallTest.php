<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

final class InstallTest extends HostTestCase
{
    public function testRootLayout(): void
    {
        $root = self::host()->root();
        foreach (['configuration.php', 'init.php', 'vendor/autoload.php', 'admin', 'templates_c', 'includes/hooks', 'modules/servers', 'modules/addons'] as $path) {
            self::assertFileExists("$root/$path");
        }
        self::assertFileExists("$root/modules/servers/fakemodule/fakemodule.php");
        self::assertFileExists("$root/modules/servers/fakemodule/lib/Provider.php");
        self::assertFalse(is_link("$root/modules/servers/fakemodule"), 'copy mode: __DIR__ of module files is in the root');
        self::assertFileExists("$root/includes/hooks/fakemodule.php");
        $config = file_get_contents("$root/configuration.php");
        self::assertStringContainsString('$cc_encryption_hash', $config);
        self::assertStringContainsString('$db_name', $config);
        self::assertStringContainsString('$templates_compiledir', $config);
        self::assertStringContainsString("define('WHMCS'", file_get_contents("$root/init.php"));
    }

    public function testAllSpecTablesExist(): void
    {
        $tables = self::host()->ok('schema:tables');
        foreach (['tblservers', 'tblservergroups', 'tblservergroupsrel', 'tblproducts', 'tblproductgroups', 'tblhosting',
            'tblclients', 'tblcustomfields', 'tblcustomfieldsvalues', 'tblproductconfiggroups', 'tblproductconfiglinks',
            'tblproductconfigoptions', 'tblproductconfigoptionssub', 'tblhostingconfigoptions', 'tblpricing',
            'tblcurrencies', 'tblupgrades', 'tbladdonmodules', 'tblconfiguration', 'tblmodulelog', 'tblactivitylog',
            'tblpaymentgateways', 'tbladmins', 'tbladminperms', 'tblusage_items', 'tblmetric_usage',
            'tblserver_tenants', 'tbltenant_stats', 'tblfileassetsettings', 'tblstorageconfigurations'] as $table) {
            self::assertContains($table, $tables);
        }
    }

    /** @dataProvider columnProvider */
    public function testColumns(string $table, array $present, array $absent): void
    {
        $columns = self::host()->ok('schema:columns', [$table]);
        foreach ($present as $c) {
            self::assertContains($c, $columns, "$table.$c");
        }
        foreach ($absent as $c) {
            self::assertNotContains($c, $columns, "$table.$c must not exist");
        }
    }

    public function columnProvider(): array
    {
        return [
            'servers' => ['tblservers', ['id', 'name', 'ipaddress', 'hostname', 'type', 'username', 'password', 'accesshash', 'secure', 'port', 'active', 'disabled', 'nameserver5ip', 'maxaccounts'], ['created_at', 'updated_at']],
            'hosting' => ['tblhosting', ['userid', 'packageid', 'server', 'domainstatus', 'username', 'password', 'suspendreason', 'termination_date', 'lastupdate', 'created_at', 'updated_at'], []],
            'products' => ['tblproducts', ['gid', 'servertype', 'configoption1', 'configoption24', 'paytype', 'retired', 'created_at', 'updated_at'], []],
            'customfields' => ['tblcustomfields', ['type', 'relid', 'fieldname', 'fieldtype', 'adminonly', 'sortorder', 'created_at', 'updated_at'], []],
            'customfieldsvalues' => ['tblcustomfieldsvalues', ['fieldid', 'relid', 'value', 'created_at', 'updated_at'], []],
            'upgrades' => ['tblupgrades', ['type', 'relid', 'originalvalue', 'newvalue', 'new_cycle', 'status', 'paid'], ['created_at']],
            'configoptions' => ['tblproductconfigoptions', ['gid', 'optionname', 'optiontype', 'qtyminimum', 'qtymaximum', 'order', 'hidden'], ['created_at']],
            'modulelog' => ['tblmodulelog', ['id', 'date', 'module', 'action', 'request', 'response', 'arrdata'], []],
            'activitylog' => ['tblactivitylog', ['date', 'description', 'user', 'userid', 'user_id', 'admin_id', 'ipaddr'], []],
            'usage_items' => ['tblusage_items', ['rel_type', 'rel_id', 'module_type', 'module', 'metric', 'included', 'is_hidden', 'deleted_at'], []],
        ];
    }

    public function testSeed(): void
    {
        $h = self::host();
        $config = [];
        foreach ($h->sql('SELECT setting, value FROM tblconfiguration') as $row) {
            $config[$row['setting']] = $row['value'];
        }
        foreach (['Version', 'Language', 'ModuleDebugMode', 'SystemURL', 'Template'] as $key) {
            self::assertArrayHasKey($key, $config);
        }
        self::assertMatchesRegularExpression('/^8\.\d+\.\d+/', $config['Version']);
        self::assertSame('', $config['ModuleDebugMode']);
        self::assertCount(1, $h->sql('SELECT id FROM tblcurrencies'));
        self::assertCount(1, $h->sql('SELECT id FROM tblclients'));
        self::assertCount(1, $h->sql('SELECT id FROM tblproductgroups'));
        self::assertCount(1, $h->sql("SELECT id FROM tblproducts WHERE servertype = 'acroniscloud'"));
        self::assertCount(1, $h->sql("SELECT id FROM tbladmins WHERE username = 'admin'"));
        self::assertCount(0, $h->sql('SELECT id FROM tblservers WHERE name = ?', ['Acronis EU2']), 'no server without --seed full');
    }

    public function testEnvironmentSeenByModules(): void
    {
        $env = self::host()->ok('module:call', ['Environment', '--module' => 'fakemodule']);
        self::assertTrue($env['WHMCS']);
        self::assertSame(self::host()->root(), $env['ROOTDIR']);
        self::assertSame('admin', $env['customadminpath']);
        self::assertSame(self::host()->root() . '/templates_c', $env['templates_compiledir']);
        self::assertNotEmpty($env['CONFIG_Version']);
        self::assertTrue($env['adminlang']);
        self::assertSame(1, $env['session']['adminid']);
        self::assertTrue($env['loader_has_addPsr4']);
        self::assertSame(['Capsule' => true, 'Eloquent' => true, 'Carbon' => true, 'Smarty' => true], $env['classes']);
        self::assertSame(1, $env['capsule_rows']);
        self::assertTrue($env['hooks_loaded'], 'includes/hooks/*.php loaded');
        self::assertFalse($env['disabled_hook_loaded'], 'hook files starting with _ are skipped');
    }

    public function testClientContext(): void
    {
        $env = self::host()->ok('module:call', ['Environment', '--module' => 'fakemodule', '--context' => 'client', '--client-id' => '1']);
        self::assertFalse($env['adminlang']);
        self::assertSame(['uid' => 1], $env['session']);
    }

    public function testEachRequestRunsInItsOwnProcess(): void
    {
        $a = self::host()->ok('module:call', ['Environment', '--module' => 'fakemodule']);
        $b = self::host()->ok('module:call', ['Environment', '--module' => 'fakemodule']);
        self::assertNotSame($a['pid'], $b['pid']);
        self::assertNotSame(getmypid(), $a['pid']);
        self::assertSame(1, $a['calls']);
        self::assertSame(1, $b['calls'], 'static state does not survive between requests');
    }

    public function testModuleClassAutoloadIsCaseInsensitive(): void
    {
        $server = self::host()->ok('server:add', ['--name' => 'M', '--hostname' => 'ok.example.test', '--username' => 'u', '--password' => 'p', '--type' => 'fakemodule'])['serverid'];
        $provider = self::host()->ok('module:call', ['MetricProvider', '--server' => $server]);
        self::assertSame('WHMCS\\Module\\Server\\FakeModule\\Provider', $provider['__class']);
    }

    public function testRepoChangesShowUpAndRootFilesAreKept(): void
    {
        $repo = sys_get_temp_dir() . '/whmcs-host-late-' . bin2hex(random_bytes(4));
        mkdir("$repo/modules/servers", 0777, true);
        mkdir("$repo/includes/latemod", 0777, true);
        file_put_contents("$repo/includes/latemod/config.yaml", "from: repo\n");
        $h = \WhmcsHost\Testing\WhmcsHost::create($repo . '-root', ['repo' => $repo]);
        try {
            mkdir("$repo/modules/servers/latemod");
            $file = "$repo/modules/servers/latemod/latemod.php";
            file_put_contents($file, "<?php\nfunction latemod_Hello(\$p) { return ['dir' => __DIR__, 'cfg' => file_get_contents(__DIR__ . '/../../../includes/latemod/config.yaml'), 'v' => 1]; }\n");
            file_put_contents("$repo/manage.php", "<?php\nreturn 1;\n");
            $r = $h->ok('module:call', ['Hello', '--module' => 'latemod']);
            self::assertSame($h->root() . '/modules/servers/latemod', $r['dir'], '__DIR__ is inside the root');
            self::assertSame("from: repo\n", $r['cfg']);
            self::assertSame(1, $r['v']);
            self::assertFileExists($h->root() . '/manage.php');

            // an edit in the repo shows up in the next request
            file_put_contents($file, str_replace("'v' => 1", "'v' => 2", (string) file_get_contents($file)));
            // a file written into the root is not overwritten by the repo's
            $h->writeFile('includes/latemod/config.yaml', "from: test\n");
            file_put_contents("$repo/includes/latemod/config.yaml", "from: repo v2\n");
            $r = $h->ok('module:call', ['Hello', '--module' => 'latemod']);
            self::assertSame(2, $r['v']);
            self::assertSame("from: test\n", $r['cfg']);

            // copies whose source disappeared are removed
            unlink("$repo/manage.php");
            $h->ok('sql', ['SELECT 1']);
            self::assertFileDoesNotExist($h->root() . '/manage.php');
        } finally {
            $h->destroy();
            exec('rm -rf ' . escapeshellarg($repo));
        }
    }

    public function testSymlinkMode(): void
    {
        $h = \WhmcsHost\Testing\WhmcsHost::create(sys_get_temp_dir() . '/whmcs-host-symlink-' . bin2hex(random_bytes(4)), [
            'repo' => self::repoDir(), 'extra' => [self::fixtureDir()], 'link' => 'symlink',
        ]);
        try {
            self::assertTrue(is_link($h->root() . '/modules/servers/fakemodule'));
            self::assertTrue(is_link($h->root() . '/includes/hooks/fakemodule.php'));
            self::assertTrue($h->ok('module:call', ['Environment', '--module' => 'fakemodule'])['hooks_loaded']);
        } finally {
            $h->destroy();
        }
    }

    public function testUtilityCommandsDoNotLoadHooks(): void
    {
        $repo = sys_get_temp_dir() . '/whmcs-host-broken-' . bin2hex(random_bytes(4));
        mkdir("$repo/includes/hooks", 0777, true);
        file_put_contents("$repo/includes/hooks/broken.php", "<?php\nthrow new \\RuntimeException('broken hook file');\n");
        $h = \WhmcsHost\Testing\WhmcsHost::create($repo . '-root', ['repo' => $repo]);
        try {
            self::assertSame([['n' => 1]], $h->sql('SELECT COUNT(*) AS n FROM tblclients'));
            $r = $h->run('hook:list');
            self::assertCommandFails($r);
            self::assertSame('broken hook file', $r['json']['exception']['message']);
        } finally {
            $h->destroy();
            exec('rm -rf ' . escapeshellarg($repo));
        }
    }
}
