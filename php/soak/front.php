<?php
/**
 * php-fpm entry of the emulated WHMCS for `make soak`: nginx sends every request here
 * (SCRIPT_FILENAME), WHMCSHOST_ROOT comes from the pool's environment. It is the browser mode's
 * router (php/whmcs-host/router.php) minus the per-request re-copy of the module files from the
 * repository: like a production WHMCS, the soak's installation keeps the files it was installed
 * with, and hashing every module file on every request would dominate the figures.
 */

$__whmcshost_root = (string) getenv('WHMCSHOST_ROOT');
ini_set('display_errors', '0');
ini_set('log_errors', '1');
require __DIR__ . '/../whmcs-host/autoload.php';

$__whmcshost_route = \WhmcsHost\Web\App::route($__whmcshost_root);
if ($__whmcshost_route === false) {
    // Another .php file of the root: the soak never requests one.
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
    echo "Not Found\n";
    return;
}
if ($__whmcshost_route === true) {
    return; // answered (static file, 404, 403)
}

define('WHMCSHOST_BROWSER', true);
$_SERVER['DOCUMENT_ROOT'] = $__whmcshost_root;
chdir($__whmcshost_root);
\WhmcsHost\Web\App::startSession($__whmcshost_root);
require $__whmcshost_root . '/init.php';
\WhmcsHost\Web\App::dispatch($__whmcshost_route);
