<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

/**
 * Browser mode (php/whmcs-host/README.md "Browser mode"): request routing, session, CSRF, error pages.
 * Called by router.php; one PHP process per HTTP request (php -S).
 *
 * CSRF (docs/whmcs-emulation.md "Choices" #2): every POST to an emulated page must carry the
 * session token (generate_token()) as form field `token`, query parameter
 * `token` or header `X-CSRF-Token`; otherwise the request stops BEFORE any
 * module code runs with HTTP 403 and an "Invalid CSRF Protection Token" page.
 * `serve --csrf off` (env WHMCSHOST_CSRF=off) disables the check.
 */
final class App
{
    /** path (relative to root) => [area, page] */
    private static function routes(string $admin): array
    {
        return [
            "$admin/login.php" => ['admin', 'login'],
            "$admin/dologin.php" => ['admin', 'login'],
            "$admin/logout.php" => ['admin', 'logout'],
            "$admin/index.php" => ['admin', 'index'],
            "$admin/addonmodules.php" => ['admin', 'addonmodules'],
            "$admin/configaddonmods.php" => ['admin', 'configaddonmods'],
            "$admin/configservers.php" => ['admin', 'configservers'],
            "$admin/configproducts.php" => ['admin', 'configproducts'],
            "$admin/clientsservices.php" => ['admin', 'clientsservices'],
            'clientarea.php' => ['client', 'clientarea'],
            'index.php' => ['client', 'index'],
            'login.php' => ['client', 'login'],
            'dologin.php' => ['client', 'login'],
            'logout.php' => ['client', 'logout'],
        ];
    }

    /** Content types of the static files served from the root (others: 403). */
    public const MIME = [
        'css' => 'text/css; charset=utf-8', 'js' => 'text/javascript; charset=utf-8', 'mjs' => 'text/javascript; charset=utf-8',
        'map' => 'application/json', 'json' => 'application/json', 'html' => 'text/html; charset=utf-8', 'htm' => 'text/html; charset=utf-8',
        'txt' => 'text/plain; charset=utf-8', 'png' => 'image/png', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'gif' => 'image/gif',
        'svg' => 'image/svg+xml', 'ico' => 'image/x-icon', 'webp' => 'image/webp', 'woff' => 'font/woff', 'woff2' => 'font/woff2',
        'ttf' => 'font/ttf', 'otf' => 'font/otf', 'eot' => 'application/vnd.ms-fontobject', 'wasm' => 'application/wasm',
    ];

    public static function adminPath(string $root): string
    {
        static $cache = null;
        if ($cache === null) {
            $meta = json_decode((string) @file_get_contents($root . '/.whmcs-host.json'), true) ?: [];
            $cache = trim((string) ($meta['adminpath'] ?? 'admin'), '/') ?: 'admin';
        }
        return $cache;
    }

    /**
     * @return bool|array{0:string,1:string} false: let php -S handle it; true: answered; array: emulated page
     */
    public static function route(string $root)
    {
        $path = rawurldecode((string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH));
        $path = '/' . ltrim(preg_replace('#/+#', '/', $path), '/');
        $segments = explode('/', trim($path, '/'));
        foreach ($segments as $seg) {
            if ($seg === '..' || ($seg !== '' && $seg[0] === '.')) {
                self::plain(404, 'Not Found');
                return true;
            }
        }
        $rel = ltrim($path, '/');
        if ($rel === '' || substr($path, -1) === '/') {
            $rel .= 'index.php';
        }
        $routes = self::routes(self::adminPath($root));
        if (isset($routes[$rel])) {
            return $routes[$rel];
        }
        $file = realpath($root . '/' . $rel);
        if ($file === false || strncmp($file, rtrim((string) realpath($root), '/') . '/', strlen(rtrim((string) realpath($root), '/')) + 1) !== 0
            || !is_file($file)) {
            self::plain(404, 'Not Found');
            return true;
        }
        $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
        if ($ext === 'php') {
            return false;
        }
        if (!isset(self::MIME[$ext])) {
            self::plain(403, 'Forbidden');
            return true;
        }
        $mtime = (int) filemtime($file);
        header('Content-Type: ' . self::MIME[$ext]);
        header('Content-Length: ' . filesize($file));
        header('Last-Modified: ' . gmdate('D, d M Y H:i:s', $mtime) . ' GMT');
        header('X-Content-Type-Options: nosniff');
        if (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'HEAD') {
            readfile($file);
        }
        return true;
    }

    private static function plain(int $status, string $text): void
    {
        http_response_code($status);
        header('Content-Type: text/plain; charset=utf-8');
        echo $text . "\n";
    }

    public static function startSession(string $root): void
    {
        $dir = $root . '/templates_c/sessions';
        if (!is_dir($dir)) {
            @mkdir($dir, 0777, true);
        }
        session_save_path($dir);
        session_name('WHMCSHOSTSID');
        session_set_cookie_params(['lifetime' => 0, 'path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
        session_start();
    }

    /** @param array{0:string,1:string} $route */
    public static function dispatch(array $route): void
    {
        [$area, $page] = $route;
        $base = getenv('WHMCSHOST_BASE_URL') ?: ('http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1'));
        $GLOBALS['CONFIG']['SystemURL'] = rtrim($base, '/') . '/';
        if ($area === 'admin') {
            $GLOBALS['_ADMINLANG'] = ['locale' => 'en_GB', 'global' => ['save' => 'Save Changes']];
        } else {
            $GLOBALS['_LANG'] = ['locale' => 'en_GB', 'clientareanavhome' => 'Home'];
        }
        try {
            if (self::method() === 'POST' && self::csrfMode() === 'strict' && !self::tokenValid()) {
                self::csrfRefuse();
            }
            $class = $area === 'admin' ? AdminPages::class : ClientPages::class;
            $class::$page();
        } catch (Halt $h) {
            return;
        } catch (\Throwable $e) {
            while (ob_get_level() > 0) {
                ob_end_clean();
            }
            http_response_code(500);
            $body = '<div class="alert alert-danger" id="whmcshost-error"><strong>' . View::e(get_class($e)) . ':</strong> '
                . View::e($e->getMessage()) . '<br><small>' . View::e($e->getFile() . ':' . $e->getLine()) . '</small></div>';
            echo View::bare('Error', $body);
            error_log('[whmcs-host] ' . get_class($e) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine());
        }
    }

    public static function method(): string
    {
        return strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'));
    }

    public static function csrfMode(): string
    {
        return getenv('WHMCSHOST_CSRF') === 'off' ? 'off' : 'strict';
    }

    public static function token(): string
    {
        return (string) generate_token('plain');
    }

    public static function tokenValid(): bool
    {
        $expected = (string) ($_SESSION['tkval'] ?? '');
        $given = (string) ($_POST['token'] ?? $_GET['token'] ?? $_SERVER['HTTP_X_CSRF_TOKEN'] ?? '');
        return $expected !== '' && $given !== '' && hash_equals($expected, $given);
    }

    /** Ends the request like WHMCS's CSRF check (our rendering: 403 + error page). */
    public static function csrfRefuse(): void
    {
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        http_response_code(403);
        header('Content-Type: text/html; charset=utf-8');
        header('X-WhmcsHost-Csrf: invalid');
        echo View::bare('Invalid CSRF Protection Token',
            '<div class="alert alert-danger" id="csrf-error">Invalid CSRF Protection Token</div>');
        throw new Halt();
    }

    /**
     * The flow of both login pages: the test switch `?autologin=$auto` (only with `serve --autologin`),
     * then a posted form. $autologin($auto) and $post() log in and redirect (ending the request) or
     * return; the error the page shows is returned ('' when there is none).
     */
    public static function loginError(string $auto, string $who, callable $autologin, callable $post): string
    {
        $error = '';
        if ($auto !== '' && getenv('WHMCSHOST_AUTOLOGIN') === '1') {
            $autologin($auto);
            $error = "Unknown $who for autologin";
        } elseif ($auto !== '') {
            $error = 'Auto-login is disabled (start serve with --autologin)';
        }
        if (self::method() === 'POST') {
            $post();
            $error = 'Login Details Incorrect. Please try again.';
            http_response_code(401);
        }
        return $error;
    }

    public static function redirect(string $url, int $status = 302): void
    {
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        http_response_code($status);
        header('Location: ' . $url);
        throw new Halt();
    }

    /** Request URI relative to the given directory level ('' for root, admin path for admin pages). */
    public static function relativeUri(string $dir): string
    {
        $uri = (string) ($_SERVER['REQUEST_URI'] ?? '/');
        $prefix = '/' . ($dir === '' ? '' : $dir . '/');
        return strncmp($uri, $prefix, strlen($prefix)) === 0 ? substr($uri, strlen($prefix)) : ltrim($uri, '/');
    }

    /** Only same-site relative targets are followed after login. */
    public static function safeTarget(string $target, string $default): string
    {
        if ($target === '' || preg_match('#^(?:[a-z][a-z0-9+.-]*:|//|\\\\)#i', $target)) {
            return $default;
        }
        return $target;
    }
}
