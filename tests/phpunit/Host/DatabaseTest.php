<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

use WhmcsHost\Bootstrap;
use WhmcsHost\Installer;
use WhmcsHost\Testing\TestDatabases;
use WhmcsHost\Testing\WhmcsHost;

/**
 * The emulation's database settings (configuration.php as WHMCS names them) and, with
 * WHMCS_DB_DSN=mysql://… (`make test-php-mariadb`), the MariaDB test harness: a fresh database per root,
 * users with fewer rights, backup/restore, a second node on one database.
 */
final class DatabaseTest extends HostTestCase
{
    /** @var WhmcsHost[] roots made by a test, destroyed after it */
    private array $roots = [];

    protected function tearDown(): void
    {
        foreach ($this->roots as $root) {
            $root->destroy();
        }
        $this->roots = [];
    }

    public function testConfigurationPhpHasWhmcsDatabaseVariables(): void
    {
        $config = (string) file_get_contents(self::host()->root() . '/configuration.php');
        foreach (array_merge(['db_host', 'db_port', 'db_username', 'db_password', 'db_name', 'mysql_charset'], Installer::TLS_SETTINGS) as $name) {
            self::assertMatchesRegularExpression('/^\$' . $name . ' = \'.*\';$/m', $config, $name);
        }
    }

    public function testMysqlUrlWithSocketCharsetAndTlsBecomesWhmcsVariables(): void
    {
        $db = Installer::parseDb('mysql://u%40x:p%3Aw@localhost/whmcs?socket=/run/my.sock&charset=utf8&tls_ca=/ca.pem&tls_verify_cert=1', '/r');
        self::assertSame(['u@x', 'p:w', 'whmcs', '/run/my.sock', 'utf8'], [$db['user'], $db['password'], $db['name'], $db['socket'], $db['charset']]);
        $php = Installer::configurationPhp($db, str_repeat('a', 64), '/r/templates_c', 'admin');
        self::assertStringContainsString("\$db_host = 'localhost:/run/my.sock';", $php);
        self::assertStringContainsString("\$db_tls_ca = '/ca.pem';", $php);
        self::assertStringContainsString("\$db_tls_verify_cert = '1';", $php);
        self::assertStringContainsString("\$mysql_charset = 'utf8';", $php);
        self::assertSame(['localhost', '/run/my.sock'], Bootstrap::hostAndSocket('localhost:/run/my.sock'));
        self::assertSame(['db.example.test', ''], Bootstrap::hostAndSocket('db.example.test'));
    }

    public function testMysqlConnectionSettingsFromConfigurationVariables(): void
    {
        if (!extension_loaded('pdo_mysql')) {
            self::fail('pdo_mysql is missing: php/dev/mariadb.sh start installs php8.2-mysql');
        }
        $c = Bootstrap::connectionConfig('/r', ['db_host' => 'localhost:/run/my.sock', 'db_port' => '', 'db_username' => 'u',
            'db_password' => 'p', 'db_name' => 'w', 'mysql_charset' => 'utf8', 'db_tls_ca' => '/ca.pem', 'db_tls_verify_cert' => '']);
        self::assertSame(['localhost', '3306', '/run/my.sock', 'utf8', 'utf8_unicode_ci', 'InnoDB'],
            [$c['host'], $c['port'], $c['unix_socket'], $c['charset'], $c['collation'], $c['engine']]);
        self::assertSame([\PDO::MYSQL_ATTR_SSL_CA => '/ca.pem', \PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false], $c['options']);
        self::assertArrayNotHasKey('strict', $c, 'the session keeps the server sql_mode');
        $plain = Bootstrap::connectionConfig('/r', ['db_host' => 'db', 'db_port' => '3307', 'db_name' => 'w']);
        self::assertSame([], $plain['options'], 'no TLS setting, no TLS');
        self::assertSame('', $plain['unix_socket']);
    }

    public function testInvalidMysqlUrlIsRefusedWithoutItsPassword(): void
    {
        $dir = sys_get_temp_dir() . '/whmcs-db-bad-' . bin2hex(random_bytes(3));
        try {
            $this->roots[] = WhmcsHost::create($dir, ['repo' => self::repoDir(), 'db' => 'mysql://u:s3cret-pw@db.example.test']);
            self::fail('install accepted a MySQL URL without a database name');
        } catch (\RuntimeException $e) {
            self::assertStringContainsString('Invalid MySQL URL', $e->getMessage());
            self::assertStringNotContainsString('s3cret-pw', $e->getMessage());
        } finally {
            exec('rm -rf ' . escapeshellarg($dir));
        }
    }

    /** @group mysql */
    public function testEveryTableIsInnoDbUtf8mb4WithAPrimaryKey(): void
    {
        $h = $this->mysqlRoot();
        $tables = $h->sql("SELECT table_name AS t, engine AS e, table_collation AS c FROM information_schema.tables WHERE table_schema = DATABASE()");
        self::assertCount(count(\WhmcsHost\Schema::tableNames()), $tables);
        foreach ($tables as $t) {
            self::assertSame(['InnoDB', 'utf8mb4_unicode_ci'], [$t['e'], $t['c']], $t['t']);
        }
        $withoutKey = $h->sql("SELECT t.table_name FROM information_schema.tables t LEFT JOIN information_schema.table_constraints k
            ON k.table_schema = t.table_schema AND k.table_name = t.table_name AND k.constraint_type = 'PRIMARY KEY'
            WHERE t.table_schema = DATABASE() AND k.constraint_name IS NULL");
        self::assertSame([], $withoutKey);
        self::assertStringContainsString('STRICT_TRANS_TABLES', $h->sql('SELECT @@SESSION.sql_mode AS m')[0]['m']);
    }

    /** @group mysql */
    public function testEachRootHasItsOwnDatabaseWithWhmcsRights(): void
    {
        $a = $this->mysqlRoot();
        $b = $this->mysqlRoot();
        self::assertNotSame($a->database()['name'], $b->database()['name']);
        $a->sql("UPDATE tblconfiguration SET value = 'A' WHERE setting = 'CompanyName'");
        self::assertNotSame('A', $b->ok('config:get', ['CompanyName']));
        $grants = implode("\n", array_map(static fn ($r) => (string) array_values($r)[0], $a->sql('SHOW GRANTS')));
        self::assertStringContainsString('GRANT USAGE ON *.*', $grants, 'no global right');
        foreach (TestDatabases::WHMCS_RIGHTS as $right) {
            self::assertStringContainsString($right, $grants);
        }
        $name = $a->database()['name'];
        $a->destroy();
        array_shift($this->roots);
        $left = TestDatabases::fromEnv()->admin()->query("SHOW DATABASES LIKE '" . $name . "'")->fetchAll();
        self::assertSame([], $left, 'destroy() drops the database');
    }

    /** @group mysql */
    public function testInstallReplacesAnEarlierEmulationInstallOnlyAndRefusesOtherDatabases(): void
    {
        $h = $this->mysqlRoot();
        $h->sql('CREATE TABLE acroniscloud_probe (id INT PRIMARY KEY)');
        $h->sql('CREATE TABLE other_app (id INT PRIMARY KEY)');
        $again = WhmcsHost::create(sys_get_temp_dir() . '/whmcs-db-again-' . bin2hex(random_bytes(3)), [
            'repo' => self::repoDir(), 'db' => $h->database()['dsn'],
        ]);
        $this->roots[] = $again;
        $tables = array_column($again->sql('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()'), 't');
        self::assertNotContains('acroniscloud_probe', $tables, "the earlier installation's module tables are gone");
        self::assertContains('other_app', $tables, 'other tables are left alone');
        self::assertContains('tblservers', $tables);

        $dbs = TestDatabases::fromEnv();
        $foreign = $dbs->create('f');
        $dbs->admin()->exec("CREATE TABLE `{$foreign['name']}`.tblclients (id INT PRIMARY KEY)");
        $dir = sys_get_temp_dir() . '/whmcs-db-foreign-' . bin2hex(random_bytes(3));
        try {
            WhmcsHost::create($dir, ['repo' => self::repoDir(), 'db' => $foreign['dsn']]);
            self::fail('install replaced a database it did not create');
        } catch (\RuntimeException $e) {
            self::assertStringContainsString('no WHMCS emulation installation', $e->getMessage());
        } finally {
            exec('rm -rf ' . escapeshellarg($dir));
        }
        $left = $dbs->admin()->query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{$foreign['name']}'")->fetchColumn();
        self::assertSame(1, (int) $left, 'the foreign database is untouched');
        $dbs->drop($foreign['name']);
    }

    /**
     * Scenario L79's set-up: a database user without CREATE cannot create the module's tables.
     *
     * @group mysql
     */
    public function testUserWithoutCreateAndReadOnlyUser(): void
    {
        $h = $this->mysqlRoot();
        $dbs = TestDatabases::fromEnv();
        $h->useDatabase($dbs->createUser($h->database()['name'], TestDatabases::without('CREATE')));
        $r = $h->run('sql', ['CREATE TABLE acroniscloud_probe (id INT PRIMARY KEY)']);
        self::assertSame(1, $r['exit']);
        self::assertStringContainsString('CREATE command denied', (string) $r['json']['error']);
        self::assertSame(['affected' => 1], $h->sql("UPDATE tblconfiguration SET value = 'x' WHERE setting = 'CompanyName'"));

        $h->useDatabase($dbs->createUser($h->database()['name'], ['SELECT']));
        self::assertSame('x', $h->ok('config:get', ['CompanyName']));
        $r = $h->run('sql', ["UPDATE tblconfiguration SET value = 'y' WHERE setting = 'CompanyName'"]);
        self::assertStringContainsString('UPDATE command denied', (string) $r['json']['error']);
        self::assertStringNotContainsString($h->database()['password'], $r['stdout'] . $r['stderr']);
    }

    /** @group mysql */
    public function testBackupRestoredIntoAFreshDatabase(): void
    {
        $h = $this->mysqlRoot();
        $h->sql("INSERT INTO tblservers (name, hostname, type) VALUES ('Acronis EU2', 'eu2.example.test', 'acroniscloud')");
        $copy = TestDatabases::fromEnv()->copy($h->database()['name']);
        $restored = $h->secondNode(sys_get_temp_dir() . '/whmcs-db-restored-' . bin2hex(random_bytes(3)));
        $this->roots[] = $restored;
        $restored->useDatabase($copy['dsn']);
        self::assertSame('eu2.example.test', $restored->sql('SELECT hostname FROM tblservers')[0]['hostname']);
        $restored->sql("UPDATE tblservers SET hostname = 'moved.example.test'");
        self::assertSame('eu2.example.test', $h->sql('SELECT hostname FROM tblservers')[0]['hostname'], 'the copy is separate');
        TestDatabases::fromEnv()->drop($copy['name']);
    }

    public function testSecondNodeWorksOnTheSameDatabase(): void
    {
        $h = self::host();
        $node = $h->secondNode(sys_get_temp_dir() . '/whmcs-db-node2-' . bin2hex(random_bytes(3)));
        try {
            $node->ok('config:set', ['CompanyName', 'Set on node 2']);
            self::assertSame('Set on node 2', $h->ok('config:get', ['CompanyName']));
            $r = WhmcsHost::runAtOnce(['a' => [$h, 'config:set', ['NodeA', '1']], 'b' => [$node, 'config:set', ['NodeB', '2']]]);
            self::assertSame([0, 0], [$r['a']['exit'], $r['b']['exit']], $r['a']['stdout'] . $r['b']['stdout']);
            self::assertSame(['1', '2'], [$node->ok('config:get', ['NodeA']), $h->ok('config:get', ['NodeB'])]);
            self::assertNotSame($h->root(), $node->root());
        } finally {
            $node->destroy();
        }
        self::assertSame('Set on node 2', $h->ok('config:get', ['CompanyName']), "node 2's destroy() leaves the database");
    }

    /** @group mysql */
    public function testSocketConnection(): void
    {
        $h = $this->mysqlRoot();
        $socket = (string) getenv('MARIADB_SOCKET');
        if ($socket === '') {
            self::markTestSkipped('MARIADB_SOCKET is not set (a MySQL server other than php/dev/mariadb.sh)');
        }
        $db = $h->database();
        $h->useDatabase('mysql://' . rawurlencode($db['user']) . ':' . rawurlencode($db['password']) . '@localhost/' . $db['name'] . '?socket=' . rawurlencode($socket));
        self::assertStringContainsString("localhost:$socket", (string) file_get_contents($h->root() . '/configuration.php'));
        $via = $h->sql('SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()');
        self::assertSame('localhost', $via[0]['host'], 'connected through the UNIX socket');
    }

    /**
     * WHMCS's $db_tls_ca and $db_tls_verify_cert: an encrypted connection, the server certificate checked.
     *
     * @group mysql
     */
    public function testTlsConnection(): void
    {
        $h = $this->mysqlRoot();
        $ca = (string) getenv('MARIADB_TLS_CA');
        if ($ca === '') {
            self::markTestSkipped('MARIADB_TLS_CA is not set (a MySQL server other than php/dev/mariadb.sh)');
        }
        $h->useDatabase($h->database()['dsn'] . '?tls_ca=' . rawurlencode($ca) . '&tls_verify_cert=1');
        self::assertStringContainsString("\$db_tls_ca = '$ca';", (string) file_get_contents($h->root() . '/configuration.php'));
        $tls = $h->sql("SHOW SESSION STATUS LIKE 'Ssl_version'");
        self::assertMatchesRegularExpression('/^TLSv1\.[23]$/', (string) $tls[0]['Value']);

        // A CA that did not sign the server certificate: the connection is refused, not silently unencrypted.
        $other = $h->writeFile('other-ca.pem', (string) file_get_contents('/etc/ssl/certs/ca-certificates.crt'));
        $h->useDatabase($h->database()['dsn'] . '?tls_ca=' . rawurlencode($other) . '&tls_verify_cert=1');
        $r = $h->run('sql', ['SELECT 1']);
        self::assertSame(1, $r['exit'], $r['stdout']);
        self::assertStringNotContainsString($h->database()['password'], $r['stdout'] . $r['stderr']);
    }

    /** A fresh root of its own on MySQL/MariaDB; the MySQL-only tests are skipped on SQLite runs. */
    private function mysqlRoot(): WhmcsHost
    {
        if (TestDatabases::fromEnv() === null) {
            self::markTestSkipped('MySQL/MariaDB only: run with WHMCS_DB_DSN=mysql://… (make test-php-mariadb)');
        }
        $h = WhmcsHost::create(sys_get_temp_dir() . '/whmcs-db-test-' . bin2hex(random_bytes(4)), ['repo' => self::repoDir()]);
        $this->roots[] = $h;
        return $h;
    }
}
