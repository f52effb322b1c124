<?php
/**
 * php-fpm entry of the emulated WHMCS for `make soak`: nginx sends every request here
 * (SCRIPT_FILENAME) with WHMCSHOST_ROOT in the pool's environment. It runs the browser mode's
 * router (php/whmcs-host/router.php) as php -S would; the router answers "false" only for other
 * .php files of the root, which the soak never requests.
 */

if ((require __DIR__ . '/../whmcs-host/router.php') === false) {
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
    echo "Not Found\n";
}
