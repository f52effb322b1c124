<?php
/**
 * Router script of the browser mode (`whmcs --root DIR serve`; php/whmcs-host/README.md "Browser mode"):
 *   php -S HOST:PORT -t ROOT php/whmcs-host/router.php
 * Every HTTP request is one PHP process run of this file (php -S semantics).
 * Emulated pages (admin/*.php, clientarea.php, index.php, login.php, …) are
 * handled by WhmcsHost\Web\App after init.php has been included at top
 * level (so its variables are globals, as in WHMCS); static files from the
 * root (module assets) are served with an explicit content type; other
 * existing .php files are left to php -S.
 */

$__whmcshost_root = getenv('WHMCSHOST_ROOT') ?: $_SERVER['DOCUMENT_ROOT'];
// Like a production WHMCS: PHP warnings/notices never go into the page; they
// are logged to the serve log (php -S stderr, `serve --log`).
ini_set('display_errors', '0');
ini_set('log_errors', '1');
require __DIR__ . '/autoload.php';

$__whmcshost_route = \WhmcsHost\Web\App::route($__whmcshost_root);
if ($__whmcshost_route === false) {
    return false; // let php -S run/serve the file itself
}
if ($__whmcshost_route === true) {
    return true; // answered (static file, 404, 403)
}

define('WHMCSHOST_BROWSER', true);
$_SERVER['DOCUMENT_ROOT'] = $__whmcshost_root;
chdir($__whmcshost_root);
\WhmcsHost\Installer::sync($__whmcshost_root);
\WhmcsHost\Web\App::startSession($__whmcshost_root);
require $__whmcshost_root . '/init.php';
\WhmcsHost\Web\App::dispatch($__whmcshost_route);
