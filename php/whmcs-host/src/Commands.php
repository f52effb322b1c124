<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * Child-side implementation of the runner commands. Runs inside the emulated
 * request process after init.php (except `install`, which creates the root).
 */
final class Commands
{
    /** tblservers fields settable by server:add / server:edit (option name => column) */
    private const SERVER_FIELDS = [
        'name' => 'name', 'hostname' => 'hostname', 'ip' => 'ipaddress', 'ipaddress' => 'ipaddress',
        'assignedips' => 'assignedips', 'port' => 'port', 'secure' => 'secure', 'username' => 'username',
        'password' => 'password', 'accesshash' => 'accesshash', 'type' => 'type', 'maxaccounts' => 'maxaccounts',
        'active' => 'active', 'disabled' => 'disabled', 'noc' => 'noc', 'statusaddress' => 'statusaddress',
        'monthlycost' => 'monthlycost',
    ];

    /** lifecycle command => [function suffix, status on success] */
    private const LIFECYCLE = [
        'create' => ['CreateAccount', 'Active'],
        'suspend' => ['SuspendAccount', 'Suspended'],
        'unsuspend' => ['UnsuspendAccount', 'Active'],
        'terminate' => ['TerminateAccount', 'Terminated'],
        'changepackage' => ['ChangePackage', null],
        'renew' => ['Renew', null],
        'changepassword' => ['ChangePassword', null],
    ];

    public static function names(): array
    {
        return [
            'install', 'server:add', 'server:edit', 'server:delete', 'server:test', 'server:get', 'server:list',
            'server:params', 'service:add', 'service:get', 'service:params', 'product:add', 'product:save',
            'module:call', 'module:create', 'module:suspend', 'module:unsuspend', 'module:terminate',
            'module:changepackage', 'module:metrics', 'module:renew', 'module:changepassword', 'hook:run', 'hook:list', 'sql',
            'modulelog', 'activitylog', 'config:set', 'config:get', 'addon:set', 'addon:get', 'addon:activate',
            'localapi', 'schema:tables', 'schema:columns',
        ];
    }

    /**
     * Test utilities that are not emulated WHMCS requests: they read/write the
     * database only and do not load hook files (so a broken or extension-less
     * hook file cannot hide the state a test wants to inspect).
     */
    public static function utilityCommands(): array
    {
        return ['server:get', 'server:list', 'server:params', 'service:get', 'service:params', 'sql', 'modulelog', 'activitylog', 'config:set',
            'config:get', 'addon:set', 'addon:get', 'schema:tables', 'schema:columns'];
    }

    /** @return mixed the command result */
    public static function run(string $command, Args $a)
    {
        if (strncmp($command, 'module:', 7) === 0 && isset(self::LIFECYCLE[substr($command, 7)])) {
            return self::lifecycle(substr($command, 7), $a);
        }
        switch ($command) {
            case 'server:add': return self::serverAdd($a);
            case 'server:edit': return self::serverEdit($a);
            case 'server:delete': return self::serverDelete($a);
            case 'server:test': return self::serverTest($a);
            case 'server:get': return self::serverGet((int) $a->pos(0, 'server id'));
            case 'server:list': return array_map(static fn ($r) => self::serverGet((int) $r->id), Capsule::table('tblservers')->orderBy('id')->get()->all());
            case 'server:params': return Params::server((int) $a->pos(0, 'server id'));
            case 'service:add': return self::serviceAdd($a);
            case 'service:get': return self::serviceGet((int) $a->pos(0, 'service id'));
            case 'service:params': return self::paramsForOutput(Params::service((int) $a->pos(0, 'service id')));
            case 'product:add': return self::productAdd($a);
            case 'product:save': return self::productSave($a);
            case 'module:call': return self::moduleCall($a);
            case 'module:metrics': return self::moduleMetrics($a);
            case 'hook:run': return Hooks::run($a->pos(0, 'hook point'), (array) $a->json('vars', []));
            case 'hook:list': return self::hookList();
            case 'sql': return self::sql($a);
            case 'modulelog': return self::logTable('tblmodulelog', $a);
            case 'activitylog': return self::logTable('tblactivitylog', $a);
            case 'config:set': return self::configSet($a->pos(0, 'setting'), $a->positional[1] ?? '');
            case 'config:get': return Capsule::table('tblconfiguration')->where('setting', $a->pos(0, 'setting'))->value('value');
            case 'addon:set': return self::addonSet($a->pos(0, 'module'), $a->pos(1, 'setting'), $a->positional[2] ?? '');
            case 'addon:get': return Capsule::table('tbladdonmodules')->where('module', $a->pos(0, 'module'))->pluck('value', 'setting')->all();
            case 'addon:activate': return self::addonActivate($a->pos(0, 'module'));
            case 'schema:tables': return array_values(array_filter(Schema::tableNames(), static fn ($t) => Capsule::schema()->hasTable($t)));
            case 'schema:columns': return Capsule::schema()->getColumnListing($a->pos(0, 'table'));
            case 'localapi': return localAPI($a->pos(0, 'command'), (array) $a->json('vars', []), (string) $a->str('admin', ''));
        }
        throw new UsageError("Unknown command: $command");
    }

    // ---------------------------------------------------------------- install

    public static function install(string $root, Args $a)
    {
        $meta = Installer::assemble($root, [
            'db' => (string) $a->str('db', ''),
            'repo' => $a->str('repo') ?? dirname(Installer::hostDir(), 2),
            'extra' => array_map('strval', $a->all('extra')),
            'adminpath' => (string) $a->str('adminpath', 'admin'),
            'link' => (string) $a->str('link', 'copy'),
        ]);
        $root = realpath($root);
        if (!defined('WHMCSHOST_SKIP_HOOKS')) {
            define('WHMCSHOST_SKIP_HOOKS', true);
        }
        require $root . '/init.php';
        if (Capsule::connection()->getDriverName() !== 'sqlite') {
            Schema::dropInstallation();
        }
        $build = static function () use ($a): array {
            $tables = Schema::create();
            $seeded = Seeder::seed([
                'version' => $a->str('whmcs-version', Seeder::DEFAULT_VERSION),
                'seed' => (string) $a->str('seed', ''),
                'moduledebug' => $a->has('module-debug') ? 'on' : '',
            ]);
            return [$tables, $seeded];
        };
        // SQLite DDL is transactional: one transaction makes install much faster.
        [$tables, $seeded] = Capsule::connection()->getDriverName() === 'sqlite'
            ? Capsule::connection()->transaction($build)
            : $build();
        return ['root' => $root, 'repo' => $meta['repo'], 'extra' => $meta['extra'], 'db' => $meta['db'], 'tables' => $tables, 'seeded' => $seeded];
    }

    // ---------------------------------------------------------------- servers

    private static function serverFieldsFromArgs(Args $a): array
    {
        $fields = [];
        foreach (self::SERVER_FIELDS as $opt => $column) {
            if ($a->has($opt)) {
                $fields[$column] = (string) $a->str($opt, '');
            }
        }
        foreach (array_keys($a->options) as $opt) {
            if (!isset(self::SERVER_FIELDS[$opt]) && !in_array($opt, ['hook-first', 'no-hook'], true)) {
                throw new UsageError("Unknown server field --$opt");
            }
        }
        return $fields;
    }

    private static function serverAdd(Args $a): array
    {
        $f = self::serverFieldsFromArgs($a);
        foreach (['name', 'hostname', 'username'] as $required) {
            if (!isset($f[$required])) {
                throw new UsageError("server:add needs --$required");
            }
        }
        if (!isset($f['password'])) {
            throw new UsageError('server:add needs --password');
        }
        $f += ['type' => 'acroniscloud', 'secure' => 'on'];
        $id = Seeder::addServer($f);
        $hooks = $a->has('no-hook') ? [] : Hooks::run('ServerAdd', ['serverid' => $id]);
        return ['serverid' => $id, 'hooks' => count($hooks)];
    }

    private static function serverEdit(Args $a): array
    {
        $id = (int) $a->pos(0, 'server id');
        if (!Capsule::table('tblservers')->where('id', $id)->exists()) {
            throw new \RuntimeException("Server $id not found");
        }
        $f = self::serverFieldsFromArgs($a);
        if (array_key_exists('password', $f)) {
            $f['password'] = Crypto::encrypt($f['password']);
        }
        if (array_key_exists('secure', $f)) {
            $f['secure'] = Seeder::onOff($f['secure']);
        }
        if (array_key_exists('port', $f)) {
            $f['port'] = $f['port'] === '' ? null : (int) $f['port'];
        }
        if ($f) {
            Capsule::table('tblservers')->where('id', $id)->update($f);
        }
        $hooks = $a->has('no-hook') ? [] : Hooks::run('ServerEdit', ['serverid' => $id]);
        return ['serverid' => $id, 'updated' => array_keys($f), 'hooks' => count($hooks)];
    }

    /**
     * Deletes the row, then fires ServerDelete (docs/whmcs-emulation.md "Choices" #8; the
     * module's hook: docs/behaviour.md §A.12); --hook-first fires before deleting.
     */
    private static function serverDelete(Args $a): array
    {
        $id = (int) $a->pos(0, 'server id');
        if (!Capsule::table('tblservers')->where('id', $id)->exists()) {
            throw new \RuntimeException("Server $id not found");
        }
        $inUse = Capsule::table('tblhosting')->where('server', $id)->count();
        if ($inUse > 0 && !$a->has('force')) {
            throw new \RuntimeException("Server $id is assigned to $inUse service(s); WHMCS refuses to delete it (use --force)");
        }
        $hooks = [];
        if ($a->has('hook-first')) {
            $hooks = Hooks::run('ServerDelete', ['serverid' => $id]);
        }
        Capsule::table('tblservers')->where('id', $id)->delete();
        Capsule::table('tblservergroupsrel')->where('serverid', $id)->delete();
        if (!$a->has('hook-first') && !$a->has('no-hook')) {
            $hooks = Hooks::run('ServerDelete', ['serverid' => $id]);
        }
        return ['serverid' => $id, 'deleted' => true, 'hooks' => count($hooks)];
    }

    private static function serverGet(int $id): array
    {
        return self::rowWithPassword('tblservers', $id, 'Server');
    }

    /** Row $id of $table (tblservers, tblhosting) with its password decrypted; $what names it when missing. */
    private static function rowWithPassword(string $table, int $id, string $what): array
    {
        $row = Capsule::table($table)->where('id', $id)->first();
        if ($row === null) {
            throw new \RuntimeException("$what $id not found");
        }
        $row = (array) $row;
        $row['password'] = Crypto::decrypt((string) $row['password']);
        return $row;
    }

    /**
     * server:test ID            — stored server (form posted with serverid=ID)
     * server:test --hostname …  — unsaved server, values from the "form"
     */
    private static function serverTest(Args $a)
    {
        $id = $a->positional[0] ?? '';
        if ($id !== '') {
            $row = self::serverGet((int) $id);
            foreach (self::SERVER_FIELDS as $opt => $column) {
                if ($a->has($opt)) {
                    $row[$column] = (string) $a->str($opt, '');
                }
            }
        } else {
            $row = ['id' => ''] + self::serverFieldsFromArgs($a) + ['type' => 'acroniscloud', 'secure' => 'on', 'port' => null];
        }
        $row['secure'] = Seeder::onOff($row['secure'] ?? '');
        $params = Params::serverFromFields($row);
        $_POST = [
            'serverid' => (string) ($row['id'] ?? ''),
            'name' => (string) ($row['name'] ?? ''),
            'hostname' => (string) ($row['hostname'] ?? ''),
            'ipaddress' => (string) ($row['ipaddress'] ?? ''),
            'assignedips' => (string) ($row['assignedips'] ?? ''),
            'type' => (string) ($row['type'] ?? ''),
            'username' => (string) ($row['username'] ?? ''),
            'password' => (string) ($row['password'] ?? ''),
            'accesshash' => (string) ($row['accesshash'] ?? ''),
            'secure' => (string) $row['secure'],
            'port' => $row['port'] === null ? '' : (string) $row['port'],
            'action' => 'testconnection',
            'token' => generate_token('plain'),
        ];
        $_REQUEST = $_POST;
        $_GET = ['action' => 'testconnection'];
        $module = (string) ($row['type'] ?? '');
        return Modules::call('servers', $module, 'TestConnection', $params);
    }

    // ---------------------------------------------------------------- services & products

    private static function serviceAdd(Args $a): array
    {
        $f = [
            'userid' => (int) $a->str('userid', '1'),
            'packageid' => (int) $a->str('pid', '1'),
            'server' => (int) $a->str('server', '0'),
            'domainstatus' => (string) $a->str('status', 'Pending'),
        ];
        foreach (['domain', 'username', 'password', 'billingcycle', 'paymentmethod', 'notes'] as $opt) {
            if ($a->has($opt)) {
                $f[$opt] = (string) $a->str($opt, '');
            }
        }
        $id = Seeder::addService($f);
        $now = date('Y-m-d H:i:s');
        foreach ($a->all('customfield') as $spec) {
            [$name, $value] = array_pad(explode('=', (string) $spec, 2), 2, '');
            $field = self::findByCutName('tblcustomfields', 'fieldname', $name, ['type' => 'product', 'relid' => $f['packageid']]);
            $fieldId = $field ? $field->id : Capsule::table('tblcustomfields')->insertGetId([
                'type' => 'product', 'relid' => $f['packageid'], 'fieldname' => $name, 'fieldtype' => 'text',
                'description' => '', 'fieldoptions' => '', 'regexpr' => '', 'created_at' => $now, 'updated_at' => $now,
            ]);
            Capsule::table('tblcustomfieldsvalues')->insert(['fieldid' => $fieldId, 'relid' => $id, 'value' => $value, 'created_at' => $now, 'updated_at' => $now]);
        }
        foreach ($a->all('configoption') as $spec) {
            [$name, $value] = array_pad(explode('=', (string) $spec, 2), 2, '');
            $gids = Capsule::table('tblproductconfiglinks')->where('pid', $f['packageid'])->pluck('gid')->all();
            $option = null;
            foreach (Capsule::table('tblproductconfigoptions')->whereIn('gid', $gids ?: [0])->get() as $o) {
                if ($o->optionname === $name || Params::cutName((string) $o->optionname) === $name) {
                    $option = $o;
                }
            }
            if ($option === null) {
                throw new UsageError("No configurable option '$name' linked to product {$f['packageid']}");
            }
            $row = ['relid' => $id, 'configid' => $option->id, 'optionid' => 0, 'qty' => 0];
            if (in_array((string) $option->optiontype, ['3', '4'], true)) {
                $row['qty'] = (int) $value;
            } else {
                $sub = self::findByCutName('tblproductconfigoptionssub', 'optionname', $value, ['configid' => $option->id]);
                if ($sub === null) {
                    throw new UsageError("No sub-option '$value' for configurable option '$name'");
                }
                $row['optionid'] = $sub->id;
            }
            Capsule::table('tblhostingconfigoptions')->insert($row);
        }
        return ['serviceid' => $id];
    }

    private static function findByCutName(string $table, string $column, string $name, array $where)
    {
        foreach (Capsule::table($table)->where($where)->orderBy('id')->get() as $row) {
            if ($row->$column === $name || Params::cutName((string) $row->$column) === $name) {
                return $row;
            }
        }
        return null;
    }

    private static function serviceGet(int $id): array
    {
        return self::rowWithPassword('tblhosting', $id, 'Service');
    }

    private static function productAdd(Args $a): array
    {
        $now = date('Y-m-d H:i:s');
        $row = [
            'type' => (string) $a->str('type', 'other'), 'gid' => (int) $a->str('gid', '1'),
            'name' => (string) $a->str('name', 'Product'), 'paytype' => (string) $a->str('paytype', 'recurring'),
            'servertype' => (string) $a->str('module', 'acroniscloud'), 'autosetup' => (string) $a->str('autosetup', ''),
            'created_at' => $now, 'updated_at' => $now,
        ];
        for ($i = 1; $i <= 24; $i++) {
            if ($a->has('configoption' . $i)) {
                $row['configoption' . $i] = (string) $a->str('configoption' . $i, '');
            }
        }
        $pid = (int) Capsule::table('tblproducts')->insertGetId($row);
        Capsule::table('tblpricing')->insert(['type' => 'product', 'currency' => 1, 'relid' => $pid, 'monthly' => 10]);
        return ['pid' => $pid];
    }

    /** Product save: store configoptionN (and other columns given), fire ProductEdit. */
    private static function productSave(Args $a): array
    {
        $pid = (int) $a->pos(0, 'product id');
        if (!Capsule::table('tblproducts')->where('id', $pid)->exists()) {
            throw new \RuntimeException("Product $pid not found");
        }
        $update = [];
        foreach ($a->options as $opt => $_) {
            if ($opt === 'no-hook') {
                continue;
            }
            if (!preg_match('/^(configoption([1-9]|1[0-9]|2[0-4])|name|servertype|paytype|type|gid|hidden|retired|autosetup|servergroup)$/', $opt)) {
                throw new UsageError("Unknown product field --$opt");
            }
            $update[$opt] = (string) $a->str($opt, '');
        }
        if ($update) {
            $update['updated_at'] = date('Y-m-d H:i:s');
            Capsule::table('tblproducts')->where('id', $pid)->update($update);
        }
        $product = (array) Capsule::table('tblproducts')->where('id', $pid)->first();
        $vars = ['pid' => $pid] + $product;
        unset($vars['id'], $vars['created_at'], $vars['updated_at']);
        for ($i = 1; $i <= 24; $i++) {
            $vars['configoption' . $i] = (string) ($vars['configoption' . $i] ?? '');
        }
        $hooks = $a->has('no-hook') ? [] : Hooks::run('ProductEdit', $vars);
        return ['pid' => $pid, 'hooks' => count($hooks)];
    }

    // ---------------------------------------------------------------- module calls

    private static function paramsFromArgs(Args $a, ?string &$module): array
    {
        if ($a->has('service')) {
            $params = Params::service((int) $a->str('service'));
            $module = $module ?: (string) $params['moduletype'];
        } elseif ($a->has('server')) {
            $params = Params::server((int) $a->str('server'));
            $module = $module ?: (string) Capsule::table('tblservers')->where('id', (int) $a->str('server'))->value('type');
        } else {
            $params = [];
        }
        $extra = $a->json('args', []);
        if (!is_array($extra)) {
            throw new UsageError('--args must be a JSON object');
        }
        return array_merge($params, $extra);
    }

    /**
     * module:call FUNCTION [--service ID | --server ID] [--module NAME] [--args JSON] [--post JSON] [--get JSON]
     * [--session JSON] [--addon]; --session seeds $_SESSION (e.g. the CSRF token `tkval`).
     */
    private static function moduleCall(Args $a)
    {
        $function = $a->pos(0, 'function');
        $module = $a->str('module');
        $params = self::paramsFromArgs($a, $module);
        if ($module === null || $module === '') {
            throw new UsageError('module:call needs --service, --server or --module');
        }
        $_POST = (array) $a->json('post', []);
        $_GET = (array) $a->json('get', []);
        $_REQUEST = array_merge($_GET, $_POST);
        $_SESSION = array_merge(isset($_SESSION) && is_array($_SESSION) ? $_SESSION : [], (array) $a->json('session', []));
        $noArgs = in_array($function, ['MetaData', 'config', 'activate', 'deactivate'], true);
        return Modules::call($a->has('addon') ? 'addons' : 'servers', $module, $function, $params, $noArgs);
    }

    /**
     * module:create|suspend|unsuspend|terminate|changepackage SERVICEID
     * Exact "success" → status change of LIFECYCLE; anything else → ModuleError
     * (status unchanged; ChangePackage failure fires AfterModuleChangePackageFailed).
     */
    private static function lifecycle(string $op, Args $a): array
    {
        [$suffix, $newStatus] = self::LIFECYCLE[$op];
        $serviceId = (int) $a->pos(0, 'service id');
        $params = Params::service($serviceId);
        if ($op === 'suspend') {
            $params['suspendreason'] = (string) $a->str('reason', '');
        }
        if ($op === 'changepassword' && $a->has('password')) {
            $params['password'] = (string) $a->str('password');
        }
        $module = (string) $params['moduletype'];
        $result = Modules::call('servers', $module, $suffix, $params);
        $before = (string) Capsule::table('tblhosting')->where('id', $serviceId)->value('domainstatus');
        if ($result !== 'success') {
            $message = is_string($result) ? $result : 'Module returned a non-string result';
            if ($op === 'changepackage') {
                Hooks::run('AfterModuleChangePackageFailed', ['params' => $params, 'failureResponseMessage' => $message]);
            }
            throw new ModuleError($message, ['function' => $suffix, 'success' => false, 'message' => $result, 'status' => $before]);
        }
        $update = [];
        if ($newStatus !== null) {
            $update['domainstatus'] = $newStatus;
        }
        if ($op === 'suspend') {
            $update['suspendreason'] = (string) $a->str('reason', '');
        } elseif ($op === 'unsuspend') {
            $update['suspendreason'] = '';
        } elseif ($op === 'terminate') {
            $update['termination_date'] = date('Y-m-d');
        } elseif ($op === 'changepassword' && $a->has('password')) {
            $update['password'] = Crypto::encrypt((string) $a->str('password'));
        }
        if ($update) {
            $update['updated_at'] = date('Y-m-d H:i:s');
            Capsule::table('tblhosting')->where('id', $serviceId)->update($update);
        }
        return ['function' => $suffix, 'success' => true, 'message' => 'success', 'status' => $newStatus ?? $before];
    }

    /**
     * module:metrics --server ID [--tenant T] [--no-usage|--summary]: <type>_MetricProvider(serverParams),
     * then metrics(), usage() and, with --tenant, tenantUsage(T). --summary: counts and memory
     * of usage() instead of the metrics and usage themselves.
     */
    private static function moduleMetrics(Args $a): array
    {
        $serverId = (int) $a->str('server', '0');
        $params = Params::server($serverId);
        $module = (string) Capsule::table('tblservers')->where('id', $serverId)->value('type');
        $provider = Modules::call('servers', $module, 'MetricProvider', $params);
        if (!$provider instanceof \WHMCS\UsageBilling\Contracts\Metrics\ProviderInterface) {
            throw new \RuntimeException('MetricProvider did not return a ProviderInterface (got ' . get_debug_type($provider) . ')');
        }
        $out = ['provider' => get_class($provider), 'metrics' => $provider->metrics()];
        if ($a->has('summary')) {
            $out['metrics'] = count($out['metrics']);
            $out['usage'] = self::usageSummary($provider);
        } elseif (!$a->has('no-usage')) {
            $out['usage'] = $provider->usage();
        }
        if ($a->has('tenant')) {
            $out['tenantUsage'] = $provider->tenantUsage((string) $a->str('tenant'));
        }
        return $out;
    }

    /**
     * usage() without returning it (a large answer does not fit in JSON): tenant count, list
     * sizes, metrics carrying a usage, and the request's memory around the call.
     */
    private static function usageSummary(\WHMCS\UsageBilling\Contracts\Metrics\ProviderInterface $provider): array
    {
        gc_collect_cycles();
        if (function_exists('memory_reset_peak_usage')) {
            memory_reset_peak_usage();
        }
        $before = memory_get_usage();
        $t0 = microtime(true);
        $usage = $provider->usage();
        $seconds = microtime(true) - $t0;
        $peak = memory_get_peak_usage();
        $sizes = [];
        $withUsage = 0;
        $first = null;
        foreach ($usage as $tenant => $list) {
            $first ??= (string) $tenant;
            $sizes[count($list)] = true;
            foreach ($list as $metric) {
                if ($metric->usage() !== null) {
                    $withUsage++;
                }
            }
        }
        return [
            'tenants' => count($usage),
            'list_sizes' => array_keys($sizes),
            'with_usage' => $withUsage,
            'first_tenant' => $first,
            'seconds' => round($seconds, 3),
            'memory_before' => $before,
            'memory_after' => memory_get_usage(),
            'memory_peak' => $peak,
            'memory_limit' => (string) ini_get('memory_limit'),
        ];
    }

    // ---------------------------------------------------------------- misc

    private static function hookList(): array
    {
        $out = [];
        foreach (Hooks::points() as $point) {
            foreach (Hooks::registered($point) as $h) {
                $fn = $h['fn'];
                $out[$point][] = [
                    'priority' => $h['priority'],
                    'function' => is_string($fn) ? $fn : ($fn instanceof \Closure ? 'Closure' : 'callable'),
                ];
            }
        }
        return $out;
    }

    /** SELECT/WITH/PRAGMA/SHOW/EXPLAIN → rows; anything else → affected row count. */
    private static function sql(Args $a)
    {
        $sql = $a->pos(0, 'SQL statement');
        $bind = $a->json('bind', []);
        if (!is_array($bind)) {
            throw new UsageError('--bind must be a JSON array or object');
        }
        $db = Capsule::connection();
        if (preg_match('/^\s*(select|with|pragma|show|explain|describe)\b/i', $sql)) {
            return array_map(static fn ($r) => (array) $r, $db->select($sql, $bind));
        }
        return ['affected' => $db->affectingStatement($sql, $bind)];
    }

    private static function logTable(string $table, Args $a): array
    {
        $q = Capsule::table($table)->orderBy('id');
        if ($a->has('module') && $table === 'tblmodulelog') {
            $q->where('module', (string) $a->str('module'));
        }
        $rows = array_map(static fn ($r) => (array) $r, $q->get()->all());
        if ($a->has('clear')) {
            Capsule::table($table)->delete();
        }
        return $rows;
    }

    private static function configSet(string $setting, string $value): array
    {
        $now = date('Y-m-d H:i:s');
        if (Capsule::table('tblconfiguration')->where('setting', $setting)->exists()) {
            Capsule::table('tblconfiguration')->where('setting', $setting)->update(['value' => $value, 'updated_at' => $now]);
        } else {
            Capsule::table('tblconfiguration')->insert(['setting' => $setting, 'value' => $value, 'created_at' => $now, 'updated_at' => $now]);
        }
        return [$setting => $value];
    }

    private static function addonSet(string $module, string $setting, string $value): array
    {
        Seeder::setAddonSetting($module, $setting, $value);
        return Capsule::table('tbladdonmodules')->where('module', $module)->pluck('value', 'setting')->all();
    }

    /** Admin "Activate": <m>_activate(), then version/access rows and ActiveAddonModules. */
    private static function addonActivate(string $module)
    {
        $config = Modules::call('addons', $module, 'config', [], true);
        $result = Modules::exists('addons', $module, 'activate') ? Modules::call('addons', $module, 'activate', [], true) : null;
        $status = is_array($result) ? (string) ($result['status'] ?? '') : 'success';
        if ($status === 'error') {
            throw new ModuleError((string) ($result['description'] ?? 'activation failed'), $result);
        }
        self::addonSet($module, 'version', (string) ($config['version'] ?? ''));
        self::addonSet($module, 'access', '1');
        $active = array_filter(explode(',', (string) Capsule::table('tblconfiguration')->where('setting', 'ActiveAddonModules')->value('value')));
        if (!in_array($module, $active, true)) {
            $active[] = $module;
        }
        self::configSet('ActiveAddonModules', implode(',', $active));
        return ['activate' => $result, 'version' => $config['version'] ?? ''];
    }

    private static function paramsForOutput(array $params): array
    {
        if (isset($params['model']) && is_object($params['model'])) {
            $params['model'] = get_class($params['model']);
        }
        return $params;
    }
}
