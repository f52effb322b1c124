<?php
/**
 * Global helper functions WHMCS provides to modules and hooks (hooks, localAPI, logs, crypto,
 * CSRF tokens: docs/whmcs-emulation.md "What it provides"). Loaded by init.php (WhmcsHost\Bootstrap).
 */

use WhmcsHost\Crypto;
use WhmcsHost\Hooks;
use WhmcsHost\LocalApi;
use WhmcsHost\ModuleLog;

if (!function_exists('add_hook')) {
    /** @param callable|string $function */
    function add_hook($hookPoint, $priority, $function)
    {
        Hooks::add((string) $hookPoint, (int) $priority, $function);
    }
}

if (!function_exists('run_hook')) {
    /** @return string|array see WhmcsHost\Hooks::run */
    function run_hook($hookPoint, $vars = [])
    {
        return Hooks::run((string) $hookPoint, is_array($vars) ? $vars : []);
    }
}

if (!function_exists('localAPI')) {
    function localAPI($command, $values = [], $adminUser = '')
    {
        return LocalApi::call($command, $values, $adminUser);
    }
}

if (!function_exists('logModuleCall')) {
    function logModuleCall($module, $action, $requestString, $responseData, $processedData = '', $replaceVars = [])
    {
        ModuleLog::logModuleCall($module, $action, $requestString, $responseData, $processedData, $replaceVars);
    }
}

if (!function_exists('logActivity')) {
    function logActivity($message, $clientId = 0)
    {
        ModuleLog::logActivity($message, $clientId);
    }
}

if (!function_exists('encrypt')) {
    function encrypt($string)
    {
        return Crypto::encrypt((string) $string);
    }
}

if (!function_exists('decrypt')) {
    function decrypt($string)
    {
        return Crypto::decrypt((string) $string);
    }
}

if (!function_exists('generate_token')) {
    /** $type: 'plain' (token), 'form' (hidden input), 'link' (&token=…). */
    function generate_token($type = 'form')
    {
        if (!isset($_SESSION) || !is_array($_SESSION)) {
            $_SESSION = [];
        }
        if (empty($_SESSION['tkval'])) {
            $_SESSION['tkval'] = bin2hex(random_bytes(20));
        }
        $token = $_SESSION['tkval'];
        if ($type === 'plain') {
            return $token;
        }
        if ($type === 'link') {
            return '&token=' . $token;
        }
        return '<input type="hidden" name="token" value="' . htmlspecialchars($token, ENT_QUOTES) . '" />';
    }
}

if (!function_exists('check_token')) {
    /**
     * CLI requests: permissive by default (tests): returns true/false but
     * never stops the request. With env WHMCSHOST_CSRF=strict a mismatch ends
     * the request with "Invalid CSRF Protection Token" like WHMCS does.
     * Browser mode (serve): strict unless `serve --csrf off` — a mismatch ends
     * the request with the 403 CSRF page (also accepts header X-CSRF-Token).
     */
    function check_token($namespace = 'WHMCS.default', $token = null)
    {
        $expected = $_SESSION['tkval'] ?? '';
        $given = $token !== null ? (string) $token : (string) ($_POST['token'] ?? $_GET['token'] ?? $_SERVER['HTTP_X_CSRF_TOKEN'] ?? '');
        $ok = $expected !== '' && hash_equals((string) $expected, $given);
        if (!$ok && defined('WHMCSHOST_BROWSER') && \WhmcsHost\Web\App::csrfMode() === 'strict') {
            // Browser mode: same refusal as the router's POST check (403 page, request ends).
            \WhmcsHost\Web\App::csrfRefuse();
        }
        if (!$ok && getenv('WHMCSHOST_CSRF') === 'strict') {
            echo 'Invalid CSRF Protection Token';
            exit(1);
        }
        return $ok;
    }
}
