<?php
/**
 * One emulated WHMCS request (child process started by bin/whmcs).
 *
 *   php request.php RESULT_FILE ROOT COMMAND [ARGS...]
 *
 * Writes {"ok":…,"result"|"error"…,"output":…,"php_errors":[…]} to
 * RESULT_FILE. Uncaught exceptions, fatal errors and exit()/die() in module
 * code are reported there as failures. Request context options (consumed
 * here, not passed to the command): --context admin|client|cron (default
 * admin), --client-id N.
 */

$__whmcshost = [
    'result_file' => $argv[1] ?? '',
    'root' => $argv[2] ?? '',
    'command' => $argv[3] ?? '',
    'written' => false,
    'php_errors' => [],
];
if ($__whmcshost['result_file'] === '' || $__whmcshost['command'] === '') {
    fwrite(STDERR, "usage: php request.php RESULT_FILE ROOT COMMAND [ARGS...]\n");
    exit(2);
}

require __DIR__ . '/autoload.php';

function __whmcshost_write(array $payload): void
{
    global $__whmcshost;
    if ($__whmcshost['written']) {
        return;
    }
    $__whmcshost['written'] = true;
    $output = '';
    while (ob_get_level() > 0) {
        $output = ob_get_clean() . $output;
    }
    $payload['output'] = $output;
    $payload['php_errors'] = $__whmcshost['php_errors'];
    file_put_contents($__whmcshost['result_file'], \WhmcsHost\Json::encode($payload));
}

function __whmcshost_exception(\Throwable $e): array
{
    $data = ['class' => get_class($e), 'message' => $e->getMessage(), 'file' => $e->getFile(), 'line' => $e->getLine()];
    if ($e->getPrevious() !== null) {
        $data['previous'] = ['class' => get_class($e->getPrevious()), 'message' => $e->getPrevious()->getMessage()];
    }
    return $data;
}

set_error_handler(static function (int $no, string $msg, string $file, int $line): bool {
    if (!(error_reporting() & $no)) {
        return false;
    }
    $names = [E_WARNING => 'Warning', E_NOTICE => 'Notice', E_DEPRECATED => 'Deprecated', E_USER_WARNING => 'Warning',
        E_USER_NOTICE => 'Notice', E_USER_DEPRECATED => 'Deprecated', E_USER_ERROR => 'Error', E_RECOVERABLE_ERROR => 'Error'];
    $GLOBALS['__whmcshost']['php_errors'][] = ['type' => $names[$no] ?? (string) $no, 'message' => $msg, 'file' => $file, 'line' => $line];
    return false; // let PHP report it as usual (stderr)
});

register_shutdown_function(static function (): void {
    global $__whmcshost;
    if ($__whmcshost['written']) {
        return;
    }
    $err = error_get_last();
    $fatal = E_ERROR | E_PARSE | E_CORE_ERROR | E_COMPILE_ERROR | E_USER_ERROR | E_RECOVERABLE_ERROR;
    if ($err !== null && ($err['type'] & $fatal)) {
        __whmcshost_write([
            'ok' => false,
            'error' => 'PHP Fatal error: ' . $err['message'],
            'exception' => ['class' => 'FatalError', 'message' => $err['message'], 'file' => $err['file'], 'line' => $err['line']],
            'terminated' => 'fatal',
        ]);
        return;
    }
    __whmcshost_write([
        'ok' => false,
        'error' => 'The request was ended by exit()/die() before the command completed',
        'exception' => ['class' => 'Exit', 'message' => 'exit() or die() called'],
        'terminated' => 'exit',
    ]);
});

// Request context
$__whmcshost_args = \WhmcsHost\Args::parse(array_slice($argv, 4));
$__whmcshost_context = (string) $__whmcshost_args->str('context', 'admin');
$__whmcshost_clientid = (int) $__whmcshost_args->str('client-id', '0');
unset($__whmcshost_args->options['context'], $__whmcshost_args->options['client-id']);

$_GET = $_POST = $_REQUEST = $_COOKIE = [];
$_SESSION = [];
if ($__whmcshost_context === 'admin') {
    $_SESSION['adminid'] = 1;
    $_ADMINLANG = ['locale' => 'en_GB', 'global' => ['save' => 'Save Changes']];
} elseif ($__whmcshost_context === 'client') {
    if ($__whmcshost_clientid > 0) {
        $_SESSION['uid'] = $__whmcshost_clientid;
    }
    $_LANG = ['locale' => 'en_GB'];
}

ob_start();
try {
    if ($__whmcshost['command'] === 'install') {
        $__whmcshost_result = \WhmcsHost\Commands::install($__whmcshost['root'], $__whmcshost_args);
    } else {
        if (!is_file($__whmcshost['root'] . '/init.php')) {
            throw new \WhmcsHost\UsageError('Not a WHMCS emulation root (no init.php): ' . $__whmcshost['root']);
        }
        chdir($__whmcshost['root']);
        $_SERVER['DOCUMENT_ROOT'] = $__whmcshost['root'];
        $_SERVER['REMOTE_ADDR'] = '127.0.0.1';
        $_SERVER['REQUEST_URI'] = '/' . $__whmcshost['command'];
        if (in_array($__whmcshost['command'], \WhmcsHost\Commands::utilityCommands(), true) && !defined('WHMCSHOST_SKIP_HOOKS')) {
            define('WHMCSHOST_SKIP_HOOKS', true);
        }
        // init.php is included at top level so its variables are globals, as in WHMCS.
        require $__whmcshost['root'] . '/init.php';
        $__whmcshost_result = \WhmcsHost\Commands::run($__whmcshost['command'], $__whmcshost_args);
    }
    __whmcshost_write(['ok' => true, 'result' => $__whmcshost_result]);
} catch (\WhmcsHost\ModuleError $e) {
    __whmcshost_write(['ok' => false, 'error' => $e->getMessage(), 'result' => $e->result]);
} catch (\WhmcsHost\UsageError $e) {
    __whmcshost_write(['ok' => false, 'error' => $e->getMessage(), 'usage' => true, 'exception' => __whmcshost_exception($e)]);
} catch (\Throwable $e) {
    __whmcshost_write(['ok' => false, 'error' => $e->getMessage(), 'exception' => __whmcshost_exception($e)]);
}
