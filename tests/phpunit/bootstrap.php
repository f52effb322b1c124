<?php
/**
 * PHPUnit bootstrap: autoload the WHMCS host emulation's own classes
 * (WhmcsHost\ → php/whmcs-host/src) and test helpers
 * (WhmcsHost\Tests\ → tests/phpunit). Test code must not load WHMCS or module
 * code in-process; use WhmcsHost\Testing\WhmcsHost to run requests.
 */
spl_autoload_register(static function (string $class): void {
    $map = [
        'WhmcsHost\\Tests\\' => __DIR__ . '/',
        'AcronisCloud\\Tests\\' => __DIR__ . '/',
        'AcronisCloud\\Dev\\' => dirname(__DIR__, 2) . '/php/dev/',
        'AcronisCloud\\Whmcs\\' => dirname(__DIR__, 2) . '/includes/acroniscloud/lib/Whmcs/',
        'WhmcsHost\\' => dirname(__DIR__, 2) . '/php/whmcs-host/src/',
    ];
    foreach ($map as $prefix => $dir) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});

// The suites drive the built extension and simulator; default to the release build paths.
foreach (['ACRONISCLOUD_EXT' => '/target/release/libacroniscloud.so', 'ACRONIS_SIM_BIN' => '/target/release/acronis-sim'] as $var => $path) {
    if (getenv($var) === false || getenv($var) === '') {
        putenv($var . '=' . dirname(__DIR__, 2) . $path);
    }
}
