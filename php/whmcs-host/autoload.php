<?php
/**
 * Class loading for the emulated WHMCS root. Required by the generated
 * `<root>/vendor/autoload.php`, which returns the loader (WHMCS's own
 * vendor/autoload.php returns Composer's ClassLoader; modules add PSR-4
 * prefixes to it).
 *
 * Exposes: Illuminate (database/eloquent/support/collections), Carbon,
 * Symfony bits and Smarty from Debian's /usr/share/php; the WHMCS\ classes
 * of this emulation; WhmcsHost\ internals.
 */

if (!class_exists(\WhmcsHost\ClassLoader::class, false)) {
    if (strpos((string) get_include_path(), '/usr/share/php') === false) {
        set_include_path(get_include_path() . PATH_SEPARATOR . '/usr/share/php');
    }
    require_once '/usr/share/php/Illuminate/Database/autoload.php';
    require_once '/usr/share/php/Carbon/autoload.php';
    require_once __DIR__ . '/src/ClassLoader.php';

    // Smarty 3 (Debian smarty3): load lazily on first use of \Smarty / \SmartyBC.
    spl_autoload_register(static function (string $class): void {
        if ($class === 'Smarty' || $class === 'SmartyBC') {
            require_once '/usr/share/php/smarty3/' . $class . '.class.php';
        }
    });

    $GLOBALS['__whmcshost_loader'] = new \WhmcsHost\ClassLoader();
    $GLOBALS['__whmcshost_loader']->addPsr4('WHMCS\\', __DIR__ . '/whmcs');
    $GLOBALS['__whmcshost_loader']->addPsr4('WhmcsHost\\', __DIR__ . '/src');
    $GLOBALS['__whmcshost_loader']->addClassMap([
        'Lang' => __DIR__ . '/whmcs/Lang.php',
        'AdminLang' => __DIR__ . '/whmcs/AdminLang.php',
    ]);
    $GLOBALS['__whmcshost_loader']->register();
    if (!class_exists('Composer\\Autoload\\ClassLoader', false)) {
        class_alias(\WhmcsHost\ClassLoader::class, 'Composer\\Autoload\\ClassLoader');
    }
}

return $GLOBALS['__whmcshost_loader'];
