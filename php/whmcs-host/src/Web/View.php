<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

/**
 * Minimal HTML5 layouts (admin + client area) and Smarty rendering.
 * No external assets: styles are inline. The DOM is ours, not WHMCS's
 * (docs/whmcs-emulation.md "Choices" #11) — UI tests must target the module's own markup.
 */
final class View
{
    public static function e($value): string
    {
        return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
    }

    private const CSS = <<<'CSS'
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f5f6f8}
header.whmcshost{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header.whmcshost a{color:#fff;text-decoration:none}
header.whmcshost .brand{font-weight:bold;margin-right:1rem}
.layout{display:flex;gap:1rem;padding:1rem}
.sidebar{min-width:12rem;background:#fff;border:1px solid #ddd;padding:.5rem}
main{flex:1;background:#fff;border:1px solid #ddd;padding:1rem;min-height:20rem}
.alert{padding:.5rem 1rem;border-radius:3px;margin:.5rem 0}
.alert-danger{background:#fde2e2;border:1px solid #e99}.alert-success{background:#e2f6e2;border:1px solid #9c9}
.alert-info{background:#e2eefd;border:1px solid #99c}
table.datatable{border-collapse:collapse;width:100%}table.datatable td,table.datatable th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}
.form-group{margin:.5rem 0}.form-group label{display:inline-block;min-width:12rem;font-weight:600}
.btn{padding:.3rem .8rem;border:1px solid #888;border-radius:3px;background:#eee;cursor:pointer}
.btn-primary{background:#2a6ebb;color:#fff;border-color:#2a6ebb}.btn-danger{background:#b33;color:#fff}
.field-description{color:#666;font-size:.9em;margin-left:.5rem}
nav.breadcrumb{font-size:.9em;margin-bottom:.5rem}
CSS;

    /** Page without navigation (errors, login). */
    public static function bare(string $title, string $body): string
    {
        return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' . self::e($title) . '</title>'
            . '<meta name="viewport" content="width=device-width, initial-scale=1"><style>' . self::CSS . '</style></head>'
            . '<body><main id="contentarea"><h1>' . self::e($title) . '</h1>' . $body . '</main></body></html>';
    }

    /**
     * Admin layout: AdminAreaHeadOutput in <head>, AdminAreaHeaderOutput at the
     * top of <body>, AdminAreaFooterOutput before </body> (vars: filename,
     * pagetitle, template, adminid, …).
     */
    public static function admin(string $filename, string $title, string $content, string $sidebar = '', array $extraHookVars = []): string
    {
        $vars = ['filename' => $filename, 'pagetitle' => $title, 'template' => 'blend', 'adminid' => (int) ($_SESSION['adminid'] ?? 0),
            'jquerycode' => '', 'jscode' => '', 'csrfToken' => App::token()] + $extraHookVars;
        $head = (string) run_hook('AdminAreaHeadOutput', $vars);
        $header = (string) run_hook('AdminAreaHeaderOutput', $vars);
        $footer = (string) run_hook('AdminAreaFooterOutput', $vars);
        $nav = '';
        foreach (['index.php' => 'Dashboard', 'configaddonmods.php' => 'Addon Modules', 'configservers.php' => 'Servers',
            'configproducts.php' => 'Products/Services', 'clientsservices.php' => 'Client Services', 'logout.php' => 'Logout'] as $href => $label) {
            $nav .= '<a href="' . $href . '">' . self::e($label) . '</a>';
        }
        foreach (AdminPages::activeAddons() as $module => $name) {
            $nav .= '<a class="addon-link" href="addonmodules.php?module=' . rawurlencode($module) . '">' . self::e($name) . '</a>';
        }
        return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' . self::e($title) . ' - WHMCS (emulation)</title>'
            . '<meta name="viewport" content="width=device-width, initial-scale=1"><style>' . self::CSS . '</style>'
            . '<script>var csrfToken = ' . json_encode(App::token()) . ';var whmcsBaseUrl = "";var adminBaseRoutePath = "/' . self::e(App::adminPath(\WhmcsHost\Bootstrap::root())) . '";</script>'
            . $head . '</head><body class="whmcs-admin" data-filename="' . self::e($filename) . '">'
            . '<header class="whmcshost"><span class="brand">WHMCS emulation · Admin</span>' . $nav . '</header>'
            . $header
            . '<div class="layout">' . ($sidebar !== '' ? '<aside class="sidebar" id="sidebar">' . $sidebar . '</aside>' : '')
            . '<main id="contentarea"><h1>' . self::e($title) . '</h1>' . $content . '</main></div>'
            . $footer . '</body></html>';
    }

    /**
     * Client layout: ClientAreaHeadOutput in <head>, ClientAreaHeaderOutput at
     * the top of <body>, ClientAreaFooterOutput before </body>; the hooks get
     * the page's template variables. JS global `csrfToken` as in Twenty-One.
     */
    public static function client(string $title, string $content, array $pageVars = [], string $breadcrumbHtml = ''): string
    {
        $vars = $pageVars + self::clientVars($title);
        $head = (string) run_hook('ClientAreaHeadOutput', $vars);
        $header = (string) run_hook('ClientAreaHeaderOutput', $vars);
        $footer = (string) run_hook('ClientAreaFooterOutput', $vars);
        $nav = '<a href="index.php">Home</a>';
        if (!empty($_SESSION['uid'])) {
            $nav .= '<a href="clientarea.php?action=services">My Services</a><a href="logout.php">Logout</a>';
        } else {
            $nav .= '<a href="login.php">Login</a>';
        }
        return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' . self::e($title) . ' - ' . self::e($vars['companyname']) . '</title>'
            . '<meta name="viewport" content="width=device-width, initial-scale=1"><style>' . self::CSS . '</style>'
            . '<script>var csrfToken = ' . json_encode($vars['token']) . ', WHMCS = {};</script>'
            . $head . '</head><body class="whmcs-client" data-phone-cc-input="1">'
            . '<header class="whmcshost"><span class="brand">' . self::e($vars['companyname']) . '</span>' . $nav . '</header>'
            . $header
            . '<div class="layout"><main id="main-body">' . $breadcrumbHtml . '<h1 id="pagetitle">' . self::e($title) . '</h1>' . $content . '</main></div>'
            . $footer . '</body></html>';
    }

    /** The page variables every client-area template gets (php/whmcs-host/README.md "Browser mode"). */
    public static function clientVars(string $title = '', string $filename = 'clientarea'): array
    {
        $config = $GLOBALS['CONFIG'] ?? [];
        $client = null;
        if (!empty($_SESSION['uid'])) {
            $client = \WHMCS\User\Client::find((int) $_SESSION['uid']);
        }
        return [
            'LANG' => $GLOBALS['_LANG'] ?? [],
            'WEB_ROOT' => '',
            'token' => App::token(),
            'systemurl' => (string) ($config['SystemURL'] ?? ''),
            'template' => (string) ($config['Template'] ?? 'twenty-one'),
            'language' => (string) ($config['Language'] ?? 'english'),
            'loggedin' => !empty($_SESSION['uid']),
            'client' => $client,
            'clientsdetails' => $client ? $client->toArray() : [],
            'companyname' => (string) ($config['CompanyName'] ?? 'WHMCS'),
            'charset' => 'utf-8',
            'BASE_PATH_CSS' => '/assets/css',
            'BASE_PATH_JS' => '/assets/js',
            'BASE_PATH_IMG' => '/assets/img',
            'BASE_PATH_FONTS' => '/assets/fonts',
            'todaysdate' => date('l, jS F Y'),
            'filename' => $filename,
            'pagetitle' => $title,
        ];
    }

    /** Renders a Smarty template file (absolute path) with $vars; no default escaping (docs/whmcs-emulation.md "Choices" #11). */
    public static function smarty(string $file, array $vars): string
    {
        if (!is_file($file)) {
            throw new \RuntimeException('Template not found: ' . $file);
        }
        $smarty = new \Smarty();
        $compile = (string) ($GLOBALS['templates_compiledir'] ?? sys_get_temp_dir());
        $smarty->setCompileDir($compile);
        $smarty->setCacheDir($compile);
        $smarty->setTemplateDir([dirname($file)]);
        $smarty->escape_html = false;
        foreach ($vars as $k => $v) {
            $smarty->assign($k, $v);
        }
        return (string) $smarty->fetch('file:' . $file);
    }

    /** @param array<string,string> $crumbs url => label */
    public static function breadcrumb(array $crumbs): string
    {
        if ($crumbs === []) {
            return '';
        }
        $parts = ['<a href="index.php">Home</a>'];
        foreach ($crumbs as $url => $label) {
            $parts[] = '<a href="' . self::e($url) . '">' . self::e($label) . '</a>';
        }
        return '<nav class="breadcrumb" aria-label="breadcrumb">' . implode(' / ', $parts) . '</nav>';
    }

    /** Hidden token field as WHMCS prints it (generate_token('form')). */
    public static function tokenField(): string
    {
        return (string) generate_token('form');
    }

    /**
     * The body of a login page (admin and client area): the error box when $error is set, then the
     * form posting to login.php with the CSRF token, the hidden fields, the user name input
     * ($userInput, HTML), the password and the Login button.
     *
     * @param array<string, string> $hidden name => value
     */
    public static function loginForm(string $error, string $formId, array $hidden, string $userInput, string $buttonId): string
    {
        $fields = '';
        foreach ($hidden as $name => $value) {
            $fields .= '<input type="hidden" name="' . self::e($name) . '" value="' . self::e($value) . '">';
        }
        return ($error !== '' ? '<div class="alert alert-danger" id="login-error">' . self::e($error) . '</div>' : '')
            . '<form method="post" action="login.php" id="' . self::e($formId) . '">' . self::tokenField()
            . $fields
            . $userInput
            . '<div class="form-group"><label for="inputPassword">Password</label><input id="inputPassword" type="password" name="password" autocomplete="current-password"></div>'
            . '<button type="submit" class="btn btn-primary" id="' . self::e($buttonId) . '">Login</button></form>';
    }
}
