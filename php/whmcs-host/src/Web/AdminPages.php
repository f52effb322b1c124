<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

use WHMCS\Database\Capsule;
use WhmcsHost\Args;
use WhmcsHost\Bootstrap;
use WhmcsHost\Commands;
use WhmcsHost\Crypto;
use WhmcsHost\ModuleError;
use WhmcsHost\Modules;
use WhmcsHost\Params;
use WhmcsHost\Seeder;

/** Admin area pages of the browser mode (php/whmcs-host/README.md "Browser mode"). */
final class AdminPages
{
    // ------------------------------------------------------------ session

    /** Logged-in admin row or redirect to login.php?redirect=<this page>. */
    private static function requireAdmin(): object
    {
        $id = (int) ($_SESSION['adminid'] ?? 0);
        $admin = $id > 0 ? Capsule::table('tbladmins')->where('id', $id)->first() : null;
        if ($admin === null || (int) $admin->disabled === 1) {
            unset($_SESSION['adminid']);
            $target = App::relativeUri(App::adminPath(Bootstrap::root()));
            App::redirect('login.php?redirect=' . rawurlencode($target));
        }
        return $admin;
    }

    private static function out(string $html): void
    {
        header('Content-Type: text/html; charset=utf-8');
        echo $html;
    }

    /**
     * login.php: form (username, password, token). POST checks
     * tbladmins.passwordhash. Test switch: GET ?autologin=<username> works
     * only when the server was started with --autologin (WHMCSHOST_AUTOLOGIN=1).
     */
    public static function login(): void
    {
        $redirect = App::safeTarget((string) ($_REQUEST['redirect'] ?? ''), 'index.php');
        $error = App::loginError(
            (string) ($_GET['autologin'] ?? ''),
            'admin',
            static function (string $auto) use ($redirect): void {
                $admin = Capsule::table('tbladmins')->where('username', $auto)->where('disabled', 0)->first();
                if ($admin !== null) {
                    self::loginAs($admin, $redirect);
                }
            },
            static function () use ($redirect): void {
                $admin = Capsule::table('tbladmins')->where('username', (string) ($_POST['username'] ?? ''))->where('disabled', 0)->first();
                if ($admin !== null && password_verify((string) ($_POST['password'] ?? ''), (string) $admin->passwordhash)) {
                    self::loginAs($admin, $redirect);
                }
            }
        );
        $body = View::loginForm(
            $error,
            'frmlogin',
            ['redirect' => $redirect],
            '<div class="form-group"><label for="inputUsername">Username</label><input id="inputUsername" name="username" autocomplete="username"></div>',
            'btnLogin'
        );
        self::out(View::bare('Admin Login', $body));
    }

    private static function loginAs(object $admin, string $redirect): void
    {
        session_regenerate_id(true);
        $_SESSION['adminid'] = (int) $admin->id;
        logActivity('Admin Login (emulation): ' . $admin->username);
        App::redirect($redirect);
    }

    public static function logout(): void
    {
        unset($_SESSION['adminid']);
        App::redirect('login.php');
    }

    public static function index(): void
    {
        $admin = self::requireAdmin();
        $list = '';
        foreach (self::activeAddons() as $module => $name) {
            $list .= '<li><a href="addonmodules.php?module=' . rawurlencode($module) . '">' . View::e($name) . '</a></li>';
        }
        $body = '<p id="welcome">Welcome back, ' . View::e($admin->firstname ?: $admin->username) . '.</p>'
            . '<h2>Addon modules</h2><ul id="addon-list">' . ($list ?: '<li>No active addon modules</li>') . '</ul>';
        self::out(View::admin('index', 'Dashboard', $body));
    }

    // ------------------------------------------------------------ addons

    /** @return array<string,string> active addon module => display name */
    public static function activeAddons(): array
    {
        $out = [];
        try {
            foreach (Capsule::table('tbladdonmodules')->where('setting', 'version')->orderBy('module')->pluck('module')->all() as $m) {
                $out[(string) $m] = (string) $m;
            }
        } catch (\Throwable $e) {
        }
        return $out;
    }

    /** @return array<string,string> tbladdonmodules settings of $module */
    private static function addonSettings(string $module): array
    {
        return array_map('strval', Capsule::table('tbladdonmodules')->where('module', $module)->pluck('value', 'setting')->all());
    }

    /** $_ADDONLANG of modules/addons/<m>/lang/<language>.php (english fallback, [] without a file). */
    public static function addonLang(string $module, string $language): array
    {
        $dir = Bootstrap::root() . '/modules/addons/' . $module . '/lang/';
        foreach ([strtolower($language ?: 'english'), 'english'] as $lang) {
            if (preg_match('/^[a-z_-]+$/', $lang) && is_file($dir . $lang . '.php')) {
                return (static function (string $__file): array {
                    $_ADDONLANG = [];
                    include $__file;
                    return is_array($_ADDONLANG) ? $_ADDONLANG : [];
                })($dir . $lang . '.php');
            }
        }
        return [];
    }

    /** $vars for _output/_sidebar/_clientarea: settings + modulelink + version + _lang (docs/whmcs-emulation.md "Choices" #10). */
    public static function addonVars(string $module, string $modulelink, string $language): array
    {
        $settings = self::addonSettings($module);
        $config = Modules::call('addons', $module, 'config', [], true);
        unset($settings['version'], $settings['access']);
        return $settings + [
            'module' => $module,
            'modulelink' => $modulelink,
            'version' => (string) ($config['version'] ?? ''),
            '_lang' => self::addonLang($module, $language),
        ];
    }

    /**
     * addonmodules.php?module=<m>: admin session, role access (tbladdonmodules
     * `access` contains the admin's roleid), _upgrade when the stored version
     * differs from _config()['version'] (then the stored version is updated),
     * _output($vars) echo captured into the admin layout (+ _sidebar). A module
     * that sends its own headers and exit()s (JSON actions) is not wrapped.
     */
    public static function addonmodules(): void
    {
        $admin = self::requireAdmin();
        $module = (string) ($_GET['module'] ?? '');
        if ($module === '') {
            self::out(View::admin('addonmodules', 'Addon Modules', self::addonListHtml()));
            return;
        }
        if (!preg_match('/^[A-Za-z][A-Za-z0-9_]*$/', $module) || !is_file(Modules::file('addons', $module))) {
            http_response_code(404);
            self::out(View::admin('addonmodules', 'Addon Modules', '<div class="alert alert-danger" id="addon-error">Invalid addon module</div>'));
            return;
        }
        $settings = self::addonSettings($module);
        if (!isset($settings['version'])) {
            http_response_code(404);
            self::out(View::admin('addonmodules', 'Addon Modules', '<div class="alert alert-danger" id="addon-error">This addon module is not activated</div>'));
            return;
        }
        $roles = array_filter(array_map('trim', explode(',', (string) ($settings['access'] ?? ''))), 'strlen');
        if (!in_array((string) $admin->roleid, $roles, true)) {
            http_response_code(403);
            self::out(View::admin('addonmodules', 'Access Denied', '<div class="alert alert-danger" id="access-denied">You do not have permission to access this addon module.</div>'));
            return;
        }
        $config = Modules::call('addons', $module, 'config', [], true);
        $version = (string) ($config['version'] ?? '');
        if ($settings['version'] !== $version) {
            if (function_exists($module . '_upgrade')) {
                Modules::call('addons', $module, 'upgrade', ['version' => $settings['version']]);
            }
            Seeder::setAddonSetting($module, 'version', $version);
        }
        $vars = self::addonVars($module, 'addonmodules.php?module=' . $module, (string) ($admin->language ?: 'english'));
        $sidebar = '';
        if (function_exists($module . '_sidebar')) {
            $sidebar = (string) Modules::call('addons', $module, 'sidebar', $vars);
        }
        ob_start();
        if (function_exists($module . '_output')) {
            Modules::call('addons', $module, 'output', $vars);
        } else {
            echo '<p>This module has no output.</p>';
        }
        $content = (string) ob_get_clean();
        $title = (string) ($config['name'] ?? $module);
        if (headers_sent()) {
            echo $content;
            return;
        }
        self::out(View::admin('addonmodules', $title, '<div id="addon-output" data-module="' . View::e($module) . '">' . $content . '</div>', $sidebar,
            ['module' => $module]));
    }

    private static function addonListHtml(): string
    {
        $rows = '';
        foreach (glob(Bootstrap::root() . '/modules/addons/*', GLOB_ONLYDIR) ?: [] as $dir) {
            $m = basename($dir);
            if (!is_file("$dir/$m.php")) {
                continue;
            }
            $active = isset(self::activeAddons()[$m]);
            $rows .= '<tr data-module="' . View::e($m) . '"><td>' . View::e($m) . '</td><td>' . ($active ? 'Active' : 'Inactive') . '</td><td>'
                . ($active ? '<a href="addonmodules.php?module=' . rawurlencode($m) . '">Open</a>' : '') . '</td></tr>';
        }
        return '<table class="datatable" id="addon-modules"><tr><th>Module</th><th>Status</th><th></th></tr>' . $rows . '</table>';
    }

    /**
     * configaddonmods.php: activate/deactivate addons and save their settings
     * (fields of _config(); yesno stores 'on' or ''), access = role ids.
     */
    public static function configaddonmods(): void
    {
        self::requireAdmin();
        $msg = '';
        if (App::method() === 'POST') {
            $module = (string) ($_POST['module'] ?? '');
            if (!preg_match('/^[A-Za-z][A-Za-z0-9_]*$/', $module) || !is_file(Modules::file('addons', $module))) {
                throw new \RuntimeException('Invalid addon module');
            }
            $action = (string) ($_POST['action'] ?? '');
            if ($action === 'activate') {
                try {
                    Commands::run('addon:activate', Args::parse([$module]));
                    $msg = '<div class="alert alert-success">Activated ' . View::e($module) . '</div>';
                } catch (ModuleError $e) {
                    $msg = '<div class="alert alert-danger">' . View::e($e->getMessage()) . '</div>';
                }
            } elseif ($action === 'deactivate') {
                $res = function_exists($module . '_deactivate') || Modules::exists('addons', $module, 'deactivate')
                    ? Modules::call('addons', $module, 'deactivate', [], true) : null;
                if (!is_array($res) || ($res['status'] ?? '') !== 'error') {
                    Capsule::table('tbladdonmodules')->where('module', $module)->delete();
                    $active = array_filter(explode(',', (string) ($GLOBALS['CONFIG']['ActiveAddonModules'] ?? '')), static fn ($m) => $m !== '' && $m !== $module);
                    Commands::run('config:set', Args::parse(['ActiveAddonModules', implode(',', $active)]));
                }
                $msg = '<div class="alert alert-info">' . View::e(is_array($res) ? (string) ($res['description'] ?? 'Deactivated') : 'Deactivated') . '</div>';
            } elseif ($action === 'save') {
                $config = Modules::call('addons', $module, 'config', [], true);
                foreach ((array) ($config['fields'] ?? []) as $key => $field) {
                    $type = strtolower((string) ($field['Type'] ?? 'text'));
                    $value = $_POST['fields'][$key] ?? '';
                    Seeder::setAddonSetting($module, (string) $key, $type === 'yesno' ? ($value !== '' ? 'on' : '') : (string) $value);
                }
                $roles = array_map('intval', (array) ($_POST['access'] ?? []));
                Seeder::setAddonSetting($module, 'access', implode(',', $roles));
                $msg = '<div class="alert alert-success">Changes Saved Successfully!</div>';
            }
        }
        $html = $msg . self::addonListHtml();
        foreach (glob(Bootstrap::root() . '/modules/addons/*', GLOB_ONLYDIR) ?: [] as $dir) {
            $m = basename($dir);
            if (!is_file("$dir/$m.php")) {
                continue;
            }
            $config = Modules::call('addons', $m, 'config', [], true);
            $settings = self::addonSettings($m);
            $active = isset($settings['version']);
            $html .= '<section class="addon-config" id="addon-' . View::e($m) . '"><h2>' . View::e($config['name'] ?? $m) . ' <small>'
                . View::e($config['version'] ?? '') . '</small></h2><p>' . View::e($config['description'] ?? '') . '</p>'
                . '<form method="post" action="configaddonmods.php">' . View::tokenField() . '<input type="hidden" name="module" value="' . View::e($m) . '">'
                . '<button class="btn" name="action" value="' . ($active ? 'deactivate' : 'activate') . '">' . ($active ? 'Deactivate' : 'Activate') . '</button></form>';
            if ($active) {
                $fields = '';
                foreach ((array) ($config['fields'] ?? []) as $key => $field) {
                    $fields .= Fields::render('fields[' . $key . ']', 'addon-' . $m . '-' . $key, (array) $field, $settings[$key] ?? null);
                }
                $roles = '';
                $allowed = explode(',', (string) ($settings['access'] ?? ''));
                foreach (Capsule::table('tbladminroles')->orderBy('id')->get() as $role) {
                    $roles .= '<label><input type="checkbox" name="access[]" value="' . (int) $role->id . '"' . (in_array((string) $role->id, $allowed, true) ? ' checked' : '')
                        . '> ' . View::e($role->name) . '</label> ';
                }
                $html .= '<form method="post" action="configaddonmods.php">' . View::tokenField() . '<input type="hidden" name="module" value="' . View::e($m) . '">'
                    . '<input type="hidden" name="action" value="save">' . $fields . '<div class="form-group"><label>Access Control</label>' . $roles . '</div>'
                    . '<button class="btn btn-primary" type="submit">Save Changes</button></form>';
            }
            $html .= '</section>';
        }
        self::out(View::admin('configaddonmods', 'Addon Modules', $html));
    }

    // ------------------------------------------------------------ servers

    /** @return string[] server module names (modules/servers/<m>/<m>.php) */
    private static function serverModules(): array
    {
        $out = [];
        foreach (glob(Bootstrap::root() . '/modules/servers/*', GLOB_ONLYDIR) ?: [] as $dir) {
            if (is_file($dir . '/' . basename($dir) . '.php')) {
                $out[] = basename($dir);
            }
        }
        return $out;
    }

    /**
     * configservers.php — list; ?action=manage[&id=N] form; POST action=save
     * (insert/update → ServerAdd/ServerEdit), action=testconnection (JSON:
     * the module's TestConnection result), action=delete (→ ServerDelete).
     * An empty password on edit keeps the stored one.
     */
    public static function configservers(): void
    {
        self::requireAdmin();
        $action = (string) ($_REQUEST['action'] ?? '');
        if (App::method() === 'POST' && $action === 'testconnection') {
            self::testConnection();
            return;
        }
        $msg = '';
        if (App::method() === 'POST' && $action === 'save') {
            $id = (int) ($_POST['id'] ?? 0);
            $argv = $id > 0 ? [(string) $id] : [];
            foreach (['name', 'hostname', 'ipaddress', 'type', 'username', 'password', 'accesshash', 'port'] as $f) {
                $v = (string) ($_POST[$f] ?? '');
                if ($f === 'password' && $v === '' && $id > 0) {
                    continue;
                }
                if ($f === 'port' && $v === '' && $id === 0) {
                    continue;
                }
                $argv[] = '--' . $f . '=' . $v;
            }
            $argv[] = '--secure=' . (!empty($_POST['secure']) ? 'on' : '');
            try {
                $r = Commands::run($id > 0 ? 'server:edit' : 'server:add', Args::parse($argv));
                App::redirect('configservers.php?action=manage&id=' . (int) $r['serverid'] . '&saved=1');
            } catch (\WhmcsHost\UsageError $e) {
                $msg = '<div class="alert alert-danger" id="server-error">' . View::e($e->getMessage()) . '</div>';
                $action = 'manage';
            }
        }
        if (App::method() === 'POST' && $action === 'delete') {
            try {
                Commands::run('server:delete', Args::parse([(string) (int) ($_POST['id'] ?? 0)]));
                App::redirect('configservers.php?deleted=1');
            } catch (\RuntimeException $e) {
                if ($e instanceof Halt) {
                    throw $e;
                }
                $msg = '<div class="alert alert-danger" id="server-error">' . View::e($e->getMessage()) . '</div>';
            }
        }
        if ($action === 'manage') {
            self::serverForm((int) ($_REQUEST['id'] ?? 0), $msg);
            return;
        }
        if (isset($_GET['deleted'])) {
            $msg .= '<div class="alert alert-success">Server deleted</div>';
        }
        $rows = '';
        foreach (Capsule::table('tblservers')->orderBy('id')->get() as $s) {
            $rows .= '<tr data-serverid="' . (int) $s->id . '"><td>' . (int) $s->id . '</td><td>' . View::e($s->name) . '</td><td>' . View::e($s->hostname)
                . '</td><td>' . View::e($s->type) . '</td><td><a href="configservers.php?action=manage&amp;id=' . (int) $s->id . '">Edit</a></td></tr>';
        }
        self::out(View::admin('configservers', 'Servers', $msg . '<p><a class="btn" id="addServer" href="configservers.php?action=manage">Add New Server</a></p>'
            . '<table class="datatable" id="servers"><tr><th>ID</th><th>Name</th><th>Hostname</th><th>Module</th><th></th></tr>' . $rows . '</table>'));
    }

    private static function serverForm(int $id, string $msg): void
    {
        $row = ['id' => 0, 'name' => '', 'hostname' => '', 'ipaddress' => '', 'type' => '', 'username' => '', 'accesshash' => '', 'secure' => 'on', 'port' => null];
        if ($id > 0) {
            $db = Capsule::table('tblservers')->where('id', $id)->first();
            if ($db === null) {
                http_response_code(404);
                self::out(View::admin('configservers', 'Servers', '<div class="alert alert-danger">Server not found</div>'));
                return;
            }
            $row = (array) $db;
        }
        if (isset($_GET['saved'])) {
            $msg .= '<div class="alert alert-success" id="server-saved">Changes Saved Successfully!</div>';
        }
        $types = '';
        foreach (self::serverModules() as $m) {
            $types .= '<option value="' . View::e($m) . '"' . ($m === $row['type'] ? ' selected' : '') . '>' . View::e($m) . '</option>';
        }
        $input = static fn (string $name, string $id, string $value, string $label, string $type = 'text') =>
            '<div class="form-group"><label for="' . $id . '">' . View::e($label) . '</label><input type="' . $type . '" id="' . $id . '" name="' . $name
            . '" value="' . View::e($value) . '"></div>';
        $form = '<form method="post" action="configservers.php" id="frmServerConfig">' . View::tokenField()
            . '<input type="hidden" name="action" value="save"><input type="hidden" name="id" id="inputServerId" value="' . (int) $row['id'] . '">'
            . $input('name', 'inputName', (string) $row['name'], 'Name')
            . $input('hostname', 'inputHostname', (string) $row['hostname'], 'Hostname')
            . $input('ipaddress', 'inputIpAddress', (string) $row['ipaddress'], 'IP Address')
            . '<div class="form-group"><label for="inputServerType">Module</label><select id="inputServerType" name="type">' . $types . '</select></div>'
            . $input('username', 'inputUsername', (string) $row['username'], 'Username')
            . '<div class="form-group"><label for="inputPassword">Password</label><input id="inputPassword" type="password" name="password" value="" placeholder="'
            . ($id > 0 ? '(unchanged)' : '') . '" autocomplete="new-password"></div>'
            . '<div class="form-group"><label for="serverHash">Access Hash</label><textarea id="serverHash" name="accesshash" rows="3" cols="40">'
            . View::e($row['accesshash']) . '</textarea></div>'
            . '<div class="form-group"><label for="inputSecure">Secure</label><input type="checkbox" id="inputSecure" name="secure" value="on"'
            . ($row['secure'] === 'on' ? ' checked' : '') . '> Use SSL Mode for Connections</div>'
            . $input('port', 'inputPort', $row['port'] === null ? '' : (string) $row['port'], 'Port')
            . '<p><button type="button" class="btn" id="testConnection">Test Connection</button> '
            . '<button type="submit" class="btn btn-primary" id="btnSaveServer">Save Changes</button></p>'
            . '<div id="testConnectionResult" role="status" aria-live="polite"></div></form>';
        if ($id > 0) {
            $form .= '<form method="post" action="configservers.php" id="frmServerDelete">' . View::tokenField()
                . '<input type="hidden" name="action" value="delete"><input type="hidden" name="id" value="' . $id . '">'
                . '<button type="submit" class="btn btn-danger" id="btnDeleteServer">Delete</button></form>';
        }
        $form .= <<<'JS'
<script>
document.getElementById('testConnection').addEventListener('click', function () {
  var out = document.getElementById('testConnectionResult');
  var data = new FormData(document.getElementById('frmServerConfig'));
  data.set('action', 'testconnection');
  out.className = 'alert alert-info'; out.textContent = 'Testing…';
  fetch('configservers.php?action=testconnection', {method: 'POST', body: data, credentials: 'same-origin'})
    .then(function (r) { return r.json(); })
    .then(function (j) {
      out.className = j.success ? 'alert alert-success test-ok' : 'alert alert-danger test-failed';
      out.textContent = j.success ? 'Connection successful' : ('Connection failed: ' + (j.error || 'unknown error'));
    })
    .catch(function (e) { out.className = 'alert alert-danger test-failed'; out.textContent = 'Test failed: ' + e; });
});
</script>
JS;
        self::out(View::admin('configservers', $id > 0 ? 'Edit Server' : 'Add Server', $msg . $form));
    }

    /** JSON {"success":bool,"error":string,"result":<module return>} */
    private static function testConnection(): void
    {
        $id = (int) ($_POST['id'] ?? $_POST['serverid'] ?? 0);
        $row = ['id' => '', 'port' => null];
        if ($id > 0) {
            $db = Capsule::table('tblservers')->where('id', $id)->first();
            if ($db !== null) {
                $row = (array) $db;
                $row['password'] = Crypto::decrypt((string) $row['password']);
            }
        }
        foreach (['name', 'hostname', 'ipaddress', 'type', 'username', 'password', 'accesshash', 'port'] as $f) {
            if (isset($_POST[$f]) && ($f !== 'password' || $_POST[$f] !== '' || $id === 0)) {
                $row[$f] = (string) $_POST[$f];
            }
        }
        $row['secure'] = !empty($_POST['secure']) ? 'on' : '';
        $row['port'] = ($row['port'] ?? '') === '' ? null : $row['port'];
        $_POST['serverid'] = (string) ($id ?: '');
        $_POST['password'] = (string) ($row['password'] ?? '');
        $_REQUEST = array_merge($_GET, $_POST);
        header('Content-Type: application/json');
        try {
            $type = (string) ($row['type'] ?? '');
            if (!in_array($type, self::serverModules(), true) || !Modules::exists('servers', $type, 'TestConnection')) {
                throw new \RuntimeException('Module does not support connection testing');
            }
            $result = Modules::call('servers', $type, 'TestConnection', Params::serverFromFields($row));
            $success = is_array($result) && !empty($result['success']);
            $error = is_array($result) ? (string) ($result['error'] ?? '') : 'Invalid TestConnection response';
            echo json_encode(['success' => $success, 'error' => $error, 'result' => \WhmcsHost\Json::normalize($result)]);
        } catch (\Throwable $e) {
            echo json_encode(['success' => false, 'error' => $e->getMessage()]);
        }
    }

    // ------------------------------------------------------------ products

    /** Server params for ConfigOptions/Loader/MetricProvider: first server of the product's module (or an empty set). */
    private static function productServerParams(string $module): array
    {
        $id = Capsule::table('tblservers')->where('type', $module)->where('disabled', 0)->orderBy('id')->value('id');
        if ($id !== null) {
            return Params::server((int) $id);
        }
        return Params::serverFromFields([]) + ['server' => false];
    }

    /**
     * configproducts.php — list; ?action=edit&id=PID (Module Settings tab:
     * module select, ConfigOptions fields incl. dropdown/radio/yesno/textarea/
     * Loader, metric list from MetricProvider); POST action=save stores the
     * values by position in configoptionN and fires ProductEdit (product:save).
     */
    public static function configproducts(): void
    {
        self::requireAdmin();
        $action = (string) ($_REQUEST['action'] ?? '');
        $pid = (int) ($_REQUEST['id'] ?? 0);
        if (App::method() === 'POST' && $action === 'save' && $pid > 0) {
            $argv = [(string) $pid];
            if (isset($_POST['servertype'])) {
                $argv[] = '--servertype=' . (string) $_POST['servertype'];
            }
            if (isset($_POST['name'])) {
                $argv[] = '--name=' . (string) $_POST['name'];
            }
            $posted = (array) ($_POST['packageconfigoption'] ?? []);
            $types = (array) ($_POST['packageconfigoptiontype'] ?? []);
            for ($i = 1; $i <= 24; $i++) {
                if (array_key_exists((string) $i, $posted) || isset($types[$i])) {
                    $v = $posted[$i] ?? '';
                    if (($types[$i] ?? '') === 'yesno') {
                        $v = $v !== '' ? 'on' : '';
                    }
                    $argv[] = '--configoption' . $i . '=' . (string) $v;
                }
            }
            Commands::run('product:save', Args::parse($argv));
            App::redirect('configproducts.php?action=edit&id=' . $pid . '&tab=3&success=true');
        }
        if ($action === 'edit' && $pid > 0) {
            self::productForm($pid);
            return;
        }
        $rows = '';
        foreach (Capsule::table('tblproducts')->orderBy('id')->get() as $p) {
            $rows .= '<tr data-pid="' . (int) $p->id . '"><td>' . (int) $p->id . '</td><td>' . View::e($p->name) . '</td><td>' . View::e($p->servertype)
                . '</td><td><a href="configproducts.php?action=edit&amp;id=' . (int) $p->id . '&amp;tab=3">Edit</a></td></tr>';
        }
        self::out(View::admin('configproducts', 'Products/Services', '<table class="datatable" id="products"><tr><th>ID</th><th>Name</th><th>Module</th><th></th></tr>' . $rows . '</table>'));
    }

    private static function productForm(int $pid): void
    {
        $p = Capsule::table('tblproducts')->where('id', $pid)->first();
        if ($p === null) {
            http_response_code(404);
            self::out(View::admin('configproducts', 'Products/Services', '<div class="alert alert-danger">Product not found</div>'));
            return;
        }
        $module = (string) ($_GET['module'] ?? $p->servertype);
        $modules = '<option value="">None</option>';
        foreach (self::serverModules() as $m) {
            $modules .= '<option value="' . View::e($m) . '"' . ($m === $module ? ' selected' : '') . '>' . View::e($m) . '</option>';
        }
        $fieldsHtml = '';
        $metricsHtml = '';
        if ($module !== '' && in_array($module, self::serverModules(), true)) {
            $params = self::productServerParams($module) + ['pid' => $pid, 'producttype' => (string) $p->type, 'moduletype' => $module];
            for ($i = 1; $i <= 24; $i++) {
                $params['configoption' . $i] = (string) ($p->{'configoption' . $i} ?? '');
            }
            try {
                $options = Modules::exists('servers', $module, 'ConfigOptions') ? Modules::call('servers', $module, 'ConfigOptions', $params) : [];
            } catch (\Throwable $e) {
                $options = [];
                $fieldsHtml .= '<div class="alert alert-danger" id="configoptions-error">' . View::e($e->getMessage()) . '</div>';
            }
            $i = 0;
            foreach ((array) $options as $key => $field) {
                $i++;
                if ($i > 24) {
                    break;
                }
                $field = (array) $field;
                $field['FriendlyName'] = $field['FriendlyName'] ?? (is_string($key) ? $key : 'Option ' . $i);
                $fieldsHtml .= '<input type="hidden" name="packageconfigoptiontype[' . $i . ']" value="' . View::e(strtolower((string) ($field['Type'] ?? 'text'))) . '">'
                    . Fields::render('packageconfigoption[' . $i . ']', 'configoption' . $i, $field, (string) ($p->{'configoption' . $i} ?? ''), $params);
            }
            if (Modules::exists('servers', $module, 'MetricProvider')) {
                try {
                    $provider = Modules::call('servers', $module, 'MetricProvider', $params);
                    $items = '';
                    foreach ($provider->metrics() as $metric) {
                        $units = $metric->units();
                        $items .= '<tr data-metric="' . View::e($metric->systemName()) . '"><td>' . View::e($metric->systemName()) . '</td><td>'
                            . View::e($metric->displayName()) . '</td><td>' . View::e($metric->type()) . '</td><td>'
                            . View::e(is_object($units) && method_exists($units, 'name') ? $units->name() : '') . '</td></tr>';
                    }
                    $metricsHtml = '<h3>Metric Billing</h3><table class="datatable" id="metrics"><tr><th>Metric</th><th>Name</th><th>Type</th><th>Unit</th></tr>' . $items . '</table>';
                } catch (\Throwable $e) {
                    $metricsHtml = '<h3>Metric Billing</h3><div class="alert alert-danger" id="metrics-error">' . View::e($e->getMessage()) . '</div>';
                }
            }
        }
        $msg = isset($_GET['success']) ? '<div class="alert alert-success" id="product-saved">Changes Saved Successfully!</div>' : '';
        $html = $msg . '<nav class="tabs"><a href="#tab1">Details</a> | <a href="#tab3" class="active">Module Settings</a></nav>'
            . '<form method="post" action="configproducts.php?action=save&amp;id=' . $pid . '" id="frmProductEdit">' . View::tokenField()
            . '<section id="tab1"><div class="form-group"><label for="inputName">Product Name</label><input id="inputName" name="name" value="' . View::e($p->name) . '"></div></section>'
            . '<section id="tab3"><h2>Module Settings</h2><div class="form-group"><label for="inputModule">Module Name</label><select id="inputModule" name="servertype"'
            . ' onchange="location.href=\'configproducts.php?action=edit&amp;id=' . $pid . '&amp;tab=3&amp;module=\'+encodeURIComponent(this.value)">' . $modules . '</select></div>'
            . '<div id="moduleSettings">' . $fieldsHtml . '</div>' . $metricsHtml . '</section>'
            . '<p><button type="submit" class="btn btn-primary" id="btnSaveProduct">Save Changes</button></p></form>';
        self::out(View::admin('configproducts', 'Edit Product: ' . $p->name, $html));
    }

    // ------------------------------------------------------------ services

    /**
     * clientsservices.php?userid=U&id=N — service details, custom fields (save
     * → AdminServiceEdit hook), module command buttons (POST modop=create|
     * suspend|unsuspend|terminate|changepackage: exact "success" → status
     * change, otherwise the error is shown and the status is unchanged),
     * AdminCustomButtonArray buttons (modop=custom&ac=Fn), SSO (modop=sso →
     * ServiceSingleSignOn → 302 to redirectTo or the errorMsg).
     */
    public static function clientsservices(): void
    {
        self::requireAdmin();
        $id = (int) ($_REQUEST['id'] ?? $_REQUEST['productselect'] ?? 0);
        if ($id === 0) {
            $rows = '';
            foreach (Capsule::table('tblhosting')->orderBy('id')->get() as $s) {
                $rows .= '<tr data-serviceid="' . (int) $s->id . '"><td>' . (int) $s->id . '</td><td>' . (int) $s->userid . '</td><td>' . View::e($s->domainstatus)
                    . '</td><td><a href="clientsservices.php?userid=' . (int) $s->userid . '&amp;id=' . (int) $s->id . '">Manage</a></td></tr>';
            }
            self::out(View::admin('clientsservices', 'Client Services', '<table class="datatable" id="services"><tr><th>ID</th><th>Client</th><th>Status</th><th></th></tr>' . $rows . '</table>'));
            return;
        }
        $service = Capsule::table('tblhosting')->where('id', $id)->first();
        if ($service === null) {
            http_response_code(404);
            self::out(View::admin('clientsservices', 'Client Services', '<div class="alert alert-danger">Service not found</div>'));
            return;
        }
        $msg = '';
        $module = (string) Capsule::table('tblproducts')->where('id', $service->packageid)->value('servertype');
        if (App::method() === 'POST') {
            $modop = (string) ($_POST['modop'] ?? '');
            $lifecycle = ['create', 'suspend', 'unsuspend', 'terminate', 'changepackage', 'renew', 'changepassword'];
            if (in_array($modop, $lifecycle, true)) {
                $argv = [(string) $id];
                if ($modop === 'suspend') {
                    $argv[] = '--reason=' . (string) ($_POST['suspreason'] ?? '');
                }
                try {
                    Commands::run('module:' . $modop, Args::parse($argv));
                    $msg = '<div class="alert alert-success" id="module-result" data-result="success">Module Command Success</div>';
                } catch (ModuleError $e) {
                    $msg = '<div class="alert alert-danger" id="module-result" data-result="error">Module Command Error: ' . View::e($e->getMessage()) . '</div>';
                }
            } elseif ($modop === 'custom') {
                $fn = (string) ($_POST['ac'] ?? '');
                $buttons = Modules::exists('servers', $module, 'AdminCustomButtonArray') ? (array) Modules::call('servers', $module, 'AdminCustomButtonArray', Params::service($id)) : [];
                if (!in_array($fn, array_values($buttons), true)) {
                    $msg = '<div class="alert alert-danger" id="module-result" data-result="error">Invalid custom function</div>';
                } else {
                    $r = Modules::call('servers', $module, $fn, Params::service($id));
                    $msg = $r === 'success'
                        ? '<div class="alert alert-success" id="module-result" data-result="success">Module Command Success</div>'
                        : '<div class="alert alert-danger" id="module-result" data-result="error">Module Command Error: ' . View::e(is_string($r) ? $r : 'invalid response') . '</div>';
                }
            } elseif ($modop === 'sso') {
                $r = Modules::exists('servers', $module, 'ServiceSingleSignOn') ? Modules::call('servers', $module, 'ServiceSingleSignOn', Params::service($id)) : null;
                if (is_array($r) && !empty($r['success']) && !empty($r['redirectTo'])) {
                    App::redirect((string) $r['redirectTo']);
                }
                $msg = '<div class="alert alert-danger" id="sso-error">' . View::e(is_array($r) ? (string) ($r['errorMsg'] ?? 'Single sign-on failed') : 'Single sign-on is not supported') . '</div>';
            } elseif (($_POST['action'] ?? '') === 'save') {
                $now = date('Y-m-d H:i:s');
                foreach ((array) ($_POST['customfield'] ?? []) as $fid => $value) {
                    $q = Capsule::table('tblcustomfieldsvalues')->where('fieldid', (int) $fid)->where('relid', $id);
                    if ($q->exists()) {
                        $q->update(['value' => (string) $value, 'updated_at' => $now]);
                    } else {
                        Capsule::table('tblcustomfieldsvalues')->insert(['fieldid' => (int) $fid, 'relid' => $id, 'value' => (string) $value, 'created_at' => $now, 'updated_at' => $now]);
                    }
                }
                run_hook('AdminServiceEdit', ['userid' => (int) $service->userid, 'serviceid' => $id]);
                $msg = '<div class="alert alert-success" id="service-saved">Changes Saved Successfully!</div>';
            }
            $service = Capsule::table('tblhosting')->where('id', $id)->first();
        }
        $product = Capsule::table('tblproducts')->where('id', $service->packageid)->first();
        $fields = '';
        foreach (Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $service->packageid)->orderBy('sortorder')->orderBy('id')->get() as $cf) {
            $value = (string) Capsule::table('tblcustomfieldsvalues')->where('fieldid', $cf->id)->where('relid', $id)->value('value');
            $fields .= '<div class="form-group"><label for="customfield' . (int) $cf->id . '">' . View::e(Params::cutName((string) $cf->fieldname)) . '</label>'
                . '<input id="customfield' . (int) $cf->id . '" name="customfield[' . (int) $cf->id . ']" value="' . View::e($value) . '"></div>';
        }
        $button = static fn (string $modop, string $label, string $extra = '') => '<form method="post" class="module-command" style="display:inline">' . View::tokenField()
            . '<input type="hidden" name="id" value="' . $id . '"><input type="hidden" name="modop" value="' . $modop . '">' . $extra
            . '<button type="submit" class="btn" id="btnModule' . ucfirst($modop) . '">' . View::e($label) . '</button></form> ';
        $buttons = $button('create', 'Create') . $button('suspend', 'Suspend', '<input type="hidden" name="suspreason" value="">')
            . $button('unsuspend', 'Unsuspend') . $button('terminate', 'Terminate') . $button('changepackage', 'Change Package');
        if ($module !== '' && Modules::exists('servers', $module, 'AdminCustomButtonArray')) {
            foreach ((array) Modules::call('servers', $module, 'AdminCustomButtonArray', Params::service($id)) as $label => $fn) {
                $buttons .= '<form method="post" class="module-command" style="display:inline">' . View::tokenField() . '<input type="hidden" name="id" value="' . $id . '">'
                    . '<input type="hidden" name="modop" value="custom"><input type="hidden" name="ac" value="' . View::e($fn) . '">'
                    . '<button type="submit" class="btn btn-custom" data-function="' . View::e($fn) . '">' . View::e($label) . '</button></form> ';
            }
        }
        if ($module !== '' && Modules::exists('servers', $module, 'ServiceSingleSignOn')) {
            $buttons .= $button('sso', 'Login to Panel');
        }
        // The module's own rows of the service page (AdminServicesTabFields: label => HTML, docs/whmcs-boundary.md).
        $tabFields = '';
        if ($module !== '' && Modules::exists('servers', $module, 'AdminServicesTabFields')) {
            foreach ((array) Modules::call('servers', $module, 'AdminServicesTabFields', Params::service($id)) as $label => $value) {
                $tabFields .= '<tr><th>' . View::e((string) $label) . '</th><td>' . (string) $value . '</td></tr>';
            }
        }
        $html = $msg . '<table class="datatable" id="service-details">'
            . '<tr><th>Service ID</th><td>' . $id . '</td></tr><tr><th>Client ID</th><td>' . (int) $service->userid . '</td></tr>'
            . '<tr><th>Product</th><td>' . View::e($product->name ?? '') . '</td></tr><tr><th>Module</th><td>' . View::e($module) . '</td></tr>'
            . '<tr><th>Status</th><td id="service-status">' . View::e($service->domainstatus) . '</td></tr>'
            . '<tr><th>Server</th><td>' . (int) $service->server . '</td></tr><tr><th>Domain</th><td>' . View::e($service->domain) . '</td></tr>'
            . '<tr><th>Username</th><td>' . View::e($service->username) . '</td></tr></table>'
            . ($tabFields !== '' ? '<h2>Module</h2><table class="datatable" id="module-tab-fields">' . $tabFields . '</table>' : '')
            . '<h2>Module Commands</h2><div id="module-commands">' . $buttons . '</div>'
            . '<h2>Custom Fields</h2><form method="post" id="frmServiceEdit">' . View::tokenField() . '<input type="hidden" name="id" value="' . $id . '">'
            . '<input type="hidden" name="action" value="save">' . $fields . '<button type="submit" class="btn btn-primary" id="btnSaveService">Save Changes</button></form>';
        self::out(View::admin('clientsservices', 'Client Service #' . $id, $html, '', ['serviceid' => $id, 'userid' => (int) $service->userid]));
    }
}
