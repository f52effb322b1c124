<?php
declare(strict_types=1);

namespace WhmcsHost\Testing;

use WhmcsHost\Installer;

/**
 * Test databases on a MySQL/MariaDB server, made through an admin account (WHMCS_DB_ADMIN_DSN, printed by
 * `php/dev/mariadb.sh env`): one fresh database per test root, named after WHMCS_DB_DSN's database
 * (`whmcs` → `whmcs_t<pid>_<hex>`), with a user holding the rights a WHMCS installation has
 * (self::WHMCS_RIGHTS, no global right). Everything made here is dropped by drop() or at the end of the
 * process (unless WHMCSHOST_KEEP_DB is set, for a look after a failure).
 *
 *   $dbs = TestDatabases::fromEnv();             // null when WHMCS_DB_DSN is not a MySQL DSN
 *   $db = $dbs->create();                        // ['name' => …, 'user' => …, 'password' => …, 'dsn' => …]
 *   $dsn = $dbs->createUser($db['name'], TestDatabases::without('CREATE'));   // scenario L79
 *   $dsn = $dbs->createUser($db['name'], ['SELECT']);                         // read-only user
 *   $copy = $dbs->copy($db['name']);             // mysqldump + restore into a fresh database
 */
final class TestDatabases
{
    /** What WHMCS asks of its database user (on its database only). */
    public const WHMCS_RIGHTS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP',
        'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'REFERENCES'];

    private static ?self $fromEnv = null;

    /** @var array<string, true> databases to drop */
    private array $databases = [];
    /** @var array<string, true> users to drop */
    private array $users = [];
    private ?\PDO $pdo = null;

    /**
     * @param array{host:string, port:string, user:string, password:string, socket:string} $admin
     * @param array{host:string, port:string, socket:string, name:string} $server where the roots connect
     */
    public function __construct(private array $admin, private array $server)
    {
        register_shutdown_function(function (): void {
            if (getenv('WHMCSHOST_KEEP_DB') === false) {
                $this->dropAll();
            }
        });
    }

    /** The process-wide instance for WHMCS_DB_DSN / WHMCS_DB_ADMIN_DSN, or null when they are not MySQL DSNs. */
    public static function fromEnv(): ?self
    {
        if (self::$fromEnv !== null) {
            return self::$fromEnv;
        }
        $dsn = (string) getenv('WHMCS_DB_DSN');
        if (!preg_match('#^(mysql|mariadb)(://|:)#', $dsn)) {
            return null;
        }
        $adminDsn = (string) getenv('WHMCS_DB_ADMIN_DSN');
        if ($adminDsn === '') {
            throw new \RuntimeException('WHMCS_DB_DSN is a MySQL DSN: WHMCS_DB_ADMIN_DSN (an account that creates databases and users) is needed too; see php/dev/mariadb.sh env');
        }
        $server = Installer::parseDb($dsn, '/');
        // The admin DSN names no database ("mysql://ADMIN:PASS@HOST:PORT/[?socket=…]"): borrow the WHMCS one.
        [$base, $query] = array_pad(explode('?', $adminDsn, 2), 2, '');
        $admin = Installer::parseDb(rtrim($base, '/') . '/' . $server['name'] . ($query !== '' ? '?' . $query : ''), '/');
        return self::$fromEnv = new self($admin, $server);
    }

    /** WHMCS's rights minus some (e.g. without('CREATE') for a user that cannot create tables). */
    public static function without(string ...$rights): array
    {
        $drop = array_map('strtoupper', $rights);
        return array_values(array_filter(self::WHMCS_RIGHTS, static fn ($r) => !in_array($r, $drop, true)));
    }

    /**
     * A new empty database (utf8mb4) and a user with WHMCS's rights on it.
     *
     * @return array{name:string, user:string, password:string, dsn:string}
     */
    public function create(string $tag = 't'): array
    {
        $name = $this->newName($tag);
        $this->admin()->exec('CREATE DATABASE ' . self::ident($name) . ' CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
        $this->databases[$name] = true;
        [$user, $password, $dsn] = $this->newUser($name, self::WHMCS_RIGHTS, $name);
        return ['name' => $name, 'user' => $user, 'password' => $password, 'dsn' => $dsn];
    }

    /**
     * Another user on $database with exactly $rights (a list of privilege names, [] = none); returns its DSN.
     * Its name is "<database>_u<n>", its host '%' (the server listens on loopback only).
     */
    public function createUser(string $database, array $rights): string
    {
        return $this->newUser($database, $rights, null)[2];
    }

    /** mysqldump of $database (schema and data, one consistent snapshot) into $file; returns $file. */
    public function dump(string $database, ?string $file = null): string
    {
        $file ??= sys_get_temp_dir() . '/' . $database . '-' . bin2hex(random_bytes(3)) . '.sql';
        $this->client(['mysqldump', '--single-transaction', '--routines', '--triggers', '--hex-blob',
            '--default-character-set=utf8mb4', '--result-file=' . $file, $database]);
        return $file;
    }

    /** Loads a dump into $database (which must exist). */
    public function restore(string $file, string $database): void
    {
        $this->client(['mariadb', '--default-character-set=utf8mb4', $database], $file);
    }

    /**
     * A backup/restore round trip: dumps $database with mysqldump and restores it into a fresh database with
     * its own WHMCS-rights user; returns it like create(). Point a root at it with WhmcsHost::useDatabase().
     *
     * @return array{name:string, user:string, password:string, dsn:string}
     */
    public function copy(string $database): array
    {
        $file = $this->dump($database);
        try {
            $copy = $this->create('r');
            $this->restore($file, $copy['name']);
            return $copy;
        } finally {
            @unlink($file);
        }
    }

    /**
     * Makes $target an exact copy of $source's tables and rows (server-side, much faster than a dump for
     * fixtures reused by many tests); tables of $target that $source lacks are dropped.
     */
    public function cloneInto(string $source, string $target): void
    {
        $pdo = $this->admin();
        $tables = static function (string $db) use ($pdo): array {
            $q = $pdo->prepare('SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = ?');
            $q->execute([$db, 'BASE TABLE']);
            return $q->fetchAll(\PDO::FETCH_COLUMN);
        };
        $pdo->exec('SET SESSION foreign_key_checks = 0');
        try {
            foreach ($tables($target) as $table) {
                $pdo->exec('DROP TABLE ' . self::ident($target) . '.' . self::ident($table));
            }
            foreach ($tables($source) as $table) {
                $to = self::ident($target) . '.' . self::ident($table);
                $from = self::ident($source) . '.' . self::ident($table);
                $pdo->exec("CREATE TABLE $to LIKE $from");
                $pdo->exec("INSERT INTO $to SELECT * FROM $from");
            }
        } finally {
            $pdo->exec('SET SESSION foreign_key_checks = 1');
        }
    }

    /** Drops a database made here and the users made for it. */
    public function drop(string $database): void
    {
        if (!isset($this->databases[$database])) {
            return;
        }
        foreach (array_keys($this->users) as $user) {
            if (strncmp($user, $database . '_u', strlen($database) + 2) === 0 || $user === $database) {
                $this->admin()->exec('DROP USER IF EXISTS ' . self::quote($user) . "@'%'");
                unset($this->users[$user]);
            }
        }
        $this->admin()->exec('DROP DATABASE IF EXISTS ' . self::ident($database));
        unset($this->databases[$database]);
    }

    public function dropAll(): void
    {
        foreach (array_keys($this->databases) as $database) {
            try {
                $this->drop($database);
            } catch (\Throwable $e) {
                fwrite(STDERR, "TestDatabases: cannot drop $database: " . $e->getMessage() . "\n");
            }
        }
    }

    /** The admin connection (PDO, exceptions on error). */
    public function admin(): \PDO
    {
        if ($this->pdo === null) {
            $dsn = $this->admin['socket'] !== ''
                ? 'mysql:unix_socket=' . $this->admin['socket']
                : 'mysql:host=' . $this->admin['host'] . ';port=' . $this->admin['port'];
            $this->pdo = new \PDO($dsn . ';charset=utf8mb4', $this->admin['user'], $this->admin['password'], [
                \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            ]);
        }
        return $this->pdo;
    }

    /** @return array{0:string, 1:string, 2:string} user, password, DSN */
    private function newUser(string $database, array $rights, ?string $name): array
    {
        if ($name === null) {
            $n = 1;
            while (isset($this->users[$name = $database . '_u' . $n])) {
                $n++;
            }
        }
        $password = bin2hex(random_bytes(12));
        $pdo = $this->admin();
        $account = self::quote($name) . "@'%'";
        $pdo->exec("CREATE USER $account IDENTIFIED BY " . self::quote($password));
        $this->users[$name] = true;
        foreach ($rights as $right) {
            if (!in_array(strtoupper((string) $right), self::WHMCS_RIGHTS, true)) {
                throw new \InvalidArgumentException("Unknown database right: $right");
            }
        }
        if ($rights !== []) {
            $pdo->exec('GRANT ' . implode(', ', $rights) . ' ON ' . self::ident($database) . ".* TO $account");
        }
        return [$name, $password, $this->dsnFor($name, $password, $database)];
    }

    private function dsnFor(string $user, string $password, string $database): string
    {
        $host = $this->server['host'] . ($this->server['port'] !== '' ? ':' . $this->server['port'] : '');
        $query = $this->server['socket'] !== '' ? '?socket=' . rawurlencode($this->server['socket']) : '';
        return 'mysql://' . rawurlencode($user) . ':' . rawurlencode($password) . '@' . $host . '/' . rawurlencode($database) . $query;
    }

    /**
     * "<base>_<tag><pid>_<hex>", at most 27 characters: the user names "<db>_u<n>" must fit MySQL's 32
     * (MariaDB allows 80).
     */
    private function newName(string $tag): string
    {
        $base = preg_replace('/[^A-Za-z0-9_]/', '_', $this->server['name']) ?: 'whmcs';
        $suffix = '_' . $tag . getmypid() . '_' . bin2hex(random_bytes(3));
        return substr($base, 0, max(1, 27 - strlen($suffix))) . $suffix;
    }

    /**
     * Runs mysqldump/mariadb with the admin account; the password goes through a private option file,
     * never on a command line (visible to every user in ps).
     */
    private function client(array $argv, ?string $stdin = null): void
    {
        $cnf = tempnam(sys_get_temp_dir(), 'whmcs-db-');
        chmod($cnf, 0600);
        $conn = $this->admin['socket'] !== ''
            ? "socket=\"{$this->admin['socket']}\"\nprotocol=socket\n"
            : "host=\"{$this->admin['host']}\"\nport={$this->admin['port']}\nprotocol=tcp\n";
        file_put_contents($cnf, "[client]\nuser=\"{$this->admin['user']}\"\npassword=\"{$this->admin['password']}\"\n$conn");
        try {
            $cmd = array_merge([array_shift($argv), '--defaults-file=' . $cnf], $argv);
            $in = $stdin === null ? ['file', '/dev/null', 'r'] : ['file', $stdin, 'r'];
            $proc = proc_open($cmd, [0 => $in, 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            if (!is_resource($proc)) {
                throw new \RuntimeException('Cannot start ' . $cmd[0]);
            }
            $out = stream_get_contents($pipes[1]);
            $err = stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            $exit = proc_close($proc);
            if ($exit !== 0) {
                throw new \RuntimeException(sprintf('%s failed (exit %d): %s', $cmd[0], $exit, trim($err . $out)));
            }
        } finally {
            @unlink($cnf);
        }
    }

    private static function ident(string $name): string
    {
        return '`' . str_replace('`', '``', $name) . '`';
    }

    private static function quote(string $value): string
    {
        return "'" . str_replace(["\\", "'"], ["\\\\", "''"], $value) . "'";
    }
}
