<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

use WHMCS\Database\Capsule;
use WhmcsHost\Bootstrap;
use WhmcsHost\Modules;
use WhmcsHost\Params;

/** Client area pages of the browser mode (php/whmcs-host/README.md "Browser mode"). */
final class ClientPages
{
    private static function out(string $html): void
    {
        header('Content-Type: text/html; charset=utf-8');
        echo $html;
    }

    /** Logged-in client id or redirect to login.php?goto=<this page>. */
    private static function requireClient(): int
    {
        $uid = (int) ($_SESSION['uid'] ?? 0);
        if ($uid <= 0 || !Capsule::table('tblclients')->where('id', $uid)->exists()) {
            unset($_SESSION['uid']);
            App::redirect('login.php?goto=' . rawurlencode(App::relativeUri('')));
        }
        return $uid;
    }

    /**
     * login.php (dologin.php): email + password. The emulation has no client
     * passwords (no tblusers): the password is env WHMCSHOST_CLIENT_PASSWORD
     * (default "password") for every client. Test switch (serve --autologin):
     * GET login.php?autologin=<client id>[&goto=…].
     */
    public static function login(): void
    {
        $goto = App::safeTarget((string) ($_REQUEST['goto'] ?? ''), 'clientarea.php');
        $auto = (int) ($_GET['autologin'] ?? 0);
        $error = App::loginError(
            $auto > 0 ? (string) $auto : '',
            'client',
            static function (string $auto) use ($goto): void {
                if (Capsule::table('tblclients')->where('id', (int) $auto)->exists()) {
                    self::loginAs((int) $auto, $goto);
                }
            },
            static function () use ($goto): void {
                $client = Capsule::table('tblclients')->where('email', (string) ($_POST['username'] ?? $_POST['email'] ?? ''))->where('status', 'Active')->first();
                $password = getenv('WHMCSHOST_CLIENT_PASSWORD') ?: 'password';
                if ($client !== null && hash_equals($password, (string) ($_POST['password'] ?? ''))) {
                    self::loginAs((int) $client->id, $goto);
                }
            }
        );
        $body = View::loginForm(
            $error,
            'frmLogin',
            ['goto' => $goto],
            '<div class="form-group"><label for="inputEmail">Email Address</label><input id="inputEmail" name="username" type="email" autocomplete="username"></div>',
            'login'
        );
        self::out(View::client('Login', $body, ['filename' => 'login']));
    }

    private static function loginAs(int $uid, string $goto): void
    {
        session_regenerate_id(true);
        $_SESSION['uid'] = $uid;
        App::redirect($goto);
    }

    public static function logout(): void
    {
        unset($_SESSION['uid']);
        App::redirect('index.php');
    }

    /**
     * index.php?m=<addon> → <addon>_clientarea($vars): requirelogin,
     * pagetitle, breadcrumb, templatefile (relative to the addon dir, no .tpl),
     * vars. Without m: a home page.
     */
    public static function index(): void
    {
        $m = (string) ($_GET['m'] ?? '');
        if ($m === '') {
            self::out(View::client('Portal Home', '<p id="home">Client area (WHMCS emulation).</p>', ['filename' => 'index']));
            return;
        }
        $active = preg_match('/^[A-Za-z][A-Za-z0-9_]*$/', $m)
            && Capsule::table('tbladdonmodules')->where('module', $m)->where('setting', 'version')->exists()
            && is_file(Modules::file('addons', $m));
        if (!$active || !Modules::exists('addons', $m, 'clientarea')) {
            http_response_code(404);
            self::out(View::client('Not Found', '<div class="alert alert-danger" id="addon-error">Invalid module</div>', ['filename' => 'index']));
            return;
        }
        $language = (string) ($GLOBALS['CONFIG']['Language'] ?? 'english');
        $vars = AdminPages::addonVars($m, 'index.php?m=' . $m, $language);
        $r = Modules::call('addons', $m, 'clientarea', $vars);
        if (!is_array($r)) {
            self::out(View::client($m, (string) $r, ['filename' => 'index']));
            return;
        }
        if (!empty($r['requirelogin'])) {
            self::requireClient();
        }
        $title = (string) ($r['pagetitle'] ?? $m);
        $content = '';
        if (!empty($r['templatefile'])) {
            $file = self::templatePath(Bootstrap::root() . '/modules/addons/' . $m, (string) $r['templatefile']);
            $content = View::smarty($file, array_merge(View::clientVars($title, 'index'), ['modulelink' => $vars['modulelink']], (array) ($r['vars'] ?? [])));
        }
        self::out(View::client($title, $content, ['filename' => 'index', 'templatefile' => (string) ($r['templatefile'] ?? '')],
            View::breadcrumb((array) ($r['breadcrumb'] ?? []))));
    }

    /** templatefile is relative to the module dir, without ".tpl"; must stay inside it. */
    private static function templatePath(string $moduleDir, string $templatefile): string
    {
        $rel = ltrim($templatefile, '/');
        if (substr($rel, -4) !== '.tpl') {
            $rel .= '.tpl';
        }
        $real = realpath($moduleDir . '/' . $rel);
        if ($real === false || strncmp($real, (string) realpath($moduleDir) . '/', strlen((string) realpath($moduleDir)) + 1) !== 0) {
            throw new \RuntimeException('Template not found in module directory: ' . $templatefile);
        }
        return $real;
    }

    /**
     * clientarea.php: login required; action=productdetails&id=N (ownership:
     * another client's service → 302 clientarea.php?action=services);
     * otherwise the service list.
     */
    public static function clientarea(): void
    {
        $uid = self::requireClient();
        $action = (string) ($_REQUEST['action'] ?? '');
        if ($action === 'productdetails') {
            self::productDetails($uid, (int) ($_REQUEST['id'] ?? 0));
            return;
        }
        $rows = '';
        foreach (Capsule::table('tblhosting')->where('userid', $uid)->orderBy('id')->get() as $s) {
            $name = (string) Capsule::table('tblproducts')->where('id', $s->packageid)->value('name');
            $rows .= '<tr data-serviceid="' . (int) $s->id . '"><td><a href="clientarea.php?action=productdetails&amp;id=' . (int) $s->id . '">'
                . View::e($name) . '</a></td><td>' . View::e($s->domain) . '</td><td>' . View::e($s->domainstatus) . '</td></tr>';
        }
        self::out(View::client('My Products & Services', '<table class="datatable" id="tableServicesList"><tr><th>Product/Service</th><th>Domain</th><th>Status</th></tr>'
            . $rows . '</table>', ['filename' => 'clientarea', 'clientareaaction' => 'services']));
    }

    /**
     * Product details:
     *  - dosinglesignon=1 → ServiceSingleSignOn: 302 to redirectTo, else its errorMsg on the page;
     *  - modop=custom&a=<fn>: only functions listed in ClientAreaCustomButtonArray
     *    (values) or ClientAreaAllowedFunctions are called (docs/whmcs-emulation.md "Choices" #1:
     *    an unlisted `a` is ignored — nothing called, no message — and the page
     *    continues as without modop); array result → custom page
     *    (templatefile/vars/pagetitle/breadcrumb), ClientArea is NOT called;
     *    string result → {$modulecustombuttonresult} ("success" or the text);
     *  - then ClientArea($params) → {$moduleclientarea} (templatefile+vars,
     *    tabOverviewModuleOutputTemplate/tabOverviewReplacementTemplate +
     *    templateVariables, or a string) rendered in templates/productdetails.tpl.
     */
    private static function productDetails(int $uid, int $id): void
    {
        $service = Capsule::table('tblhosting')->where('id', $id)->first();
        if ($service === null || (int) $service->userid !== $uid) {
            App::redirect('clientarea.php?action=services');
        }
        $params = Params::service($id);
        $module = (string) $params['moduletype'];
        $moduleDir = Bootstrap::root() . '/modules/servers/' . $module;
        $has = static fn (string $fn): bool => $module !== '' && Modules::exists('servers', $module, $fn);
        $pageVars = View::clientVars('Manage Product', 'clientarea') + ['clientareaaction' => 'productdetails', 'serviceid' => $id];
        $errorMsg = '';
        if (($_REQUEST['dosinglesignon'] ?? '') === '1') {
            $r = $has('ServiceSingleSignOn') ? Modules::call('servers', $module, 'ServiceSingleSignOn', $params) : null;
            if (is_array($r) && !empty($r['success']) && !empty($r['redirectTo'])) {
                App::redirect((string) $r['redirectTo']);
            }
            $errorMsg = is_array($r) ? (string) ($r['errorMsg'] ?? 'Single sign-on failed') : 'This service does not support single sign-on';
        }
        $customResult = null;
        if (($_REQUEST['modop'] ?? '') === 'custom' && isset($_REQUEST['a'])) {
            $fn = (string) $_REQUEST['a'];
            $allowed = [];
            if ($has('ClientAreaCustomButtonArray')) {
                $allowed = array_values((array) Modules::call('servers', $module, 'ClientAreaCustomButtonArray', $params));
            }
            if ($has('ClientAreaAllowedFunctions')) {
                $allowed = array_merge($allowed, array_values((array) Modules::call('servers', $module, 'ClientAreaAllowedFunctions', $params)));
            }
            if (preg_match('/^[A-Za-z0-9_]+$/', $fn) && in_array($fn, $allowed, true) && $has($fn)) {
                $r = Modules::call('servers', $module, $fn, $params);
                if (is_array($r)) {
                    $title = (string) ($r['pagetitle'] ?? 'Manage Product');
                    $content = '';
                    if (!empty($r['templatefile'])) {
                        $vars = array_merge($params, View::clientVars($title, 'clientarea'), ['modulecustombuttonresult' => null], (array) ($r['vars'] ?? []));
                        $content = View::smarty(self::templatePath($moduleDir, (string) $r['templatefile']), $vars);
                    }
                    $crumbs = ['clientarea.php?action=services' => 'My Services', 'clientarea.php?action=productdetails&id=' . $id => 'Product Details']
                        + (array) ($r['breadcrumb'] ?? []);
                    self::out(View::client($title, '<div id="module-custom-page" data-function="' . View::e($fn) . '">' . $content . '</div>',
                        $pageVars + ['templatefile' => (string) ($r['templatefile'] ?? '')], View::breadcrumb($crumbs)));
                    return;
                }
                $customResult = $r === 'success' ? 'success' : (is_string($r) ? $r : 'Invalid response');
            }
        }
        $moduleclientarea = '';
        $overviewReplacement = '';
        if ($has('ClientArea')) {
            $r = Modules::call('servers', $module, 'ClientArea', $params);
            if (is_array($r)) {
                if (!empty($r['tabOverviewReplacementTemplate'])) {
                    $overviewReplacement = View::smarty(self::templatePath($moduleDir, (string) $r['tabOverviewReplacementTemplate']),
                        array_merge($params, $pageVars, (array) ($r['templateVariables'] ?? [])));
                } elseif (!empty($r['tabOverviewModuleOutputTemplate'])) {
                    $moduleclientarea = View::smarty(self::templatePath($moduleDir, (string) $r['tabOverviewModuleOutputTemplate']),
                        array_merge($params, $pageVars, (array) ($r['templateVariables'] ?? [])));
                } elseif (!empty($r['templatefile'])) {
                    $moduleclientarea = View::smarty(self::templatePath($moduleDir, (string) $r['templatefile']),
                        array_merge($params, $pageVars, (array) ($r['vars'] ?? [])));
                }
            } elseif (is_string($r)) {
                $moduleclientarea = $r;
            }
        }
        $product = Capsule::table('tblproducts')->where('id', $service->packageid)->first();
        $customfields = [];
        foreach ($params['customfields'] ?? [] as $name => $value) {
            $customfields[] = ['name' => $name, 'value' => $value];
        }
        $buttons = [];
        if ($has('ClientAreaCustomButtonArray')) {
            foreach ((array) Modules::call('servers', $module, 'ClientAreaCustomButtonArray', $params) as $label => $fn) {
                $buttons[] = ['label' => (string) $label, 'function' => (string) $fn];
            }
        }
        $vars = array_merge($pageVars, [
            'id' => $id,
            'regdate' => (string) $service->regdate,
            'groupname' => (string) Capsule::table('tblproductgroups')->where('id', $product->gid ?? 0)->value('name'),
            'product' => (string) ($product->name ?? ''),
            'domain' => (string) $service->domain,
            'status' => (string) $service->domainstatus,
            'rawstatus' => strtolower((string) $service->domainstatus),
            'billingcycle' => (string) $service->billingcycle,
            'nextduedate' => (string) $service->nextduedate,
            'recurringamount' => (string) $service->amount,
            'firstpaymentamount' => (string) $service->firstpaymentamount,
            'paymentmethod' => (string) $service->paymentmethod,
            'username' => (string) $service->username,
            'dedicatedip' => (string) ($service->dedicatedip ?? ''),
            'assignedips' => (string) ($service->assignedips ?? ''),
            'customfields' => $customfields,
            'configurableoptions' => $params['configoptions'] ?? [],
            'moduleclientarea' => $moduleclientarea,
            'tplOverviewTabOutput' => $overviewReplacement,
            'modulecustombuttonresult' => $customResult,
            'modulecustombuttons' => $buttons,
            'showSsoLink' => $has('ServiceSingleSignOn'),
            'ssoErrorMsg' => $errorMsg,
        ]);
        $content = View::smarty(dirname(__DIR__, 2) . '/templates/clientareaproductdetails.tpl', $vars);
        self::out(View::client('Manage Product', $content, $vars,
            View::breadcrumb(['clientarea.php?action=services' => 'My Services', 'clientarea.php?action=productdetails&id=' . $id => 'Product Details'])));
    }
}
