<?php
/**
 * Glue of the client area (docs/behaviour.md §A.10, §A.11, §E) and of the admin service tab:
 * reads what WHMCS knows about the service (owner, product, custom fields, billing, currency,
 * gateway, server row) and hands it to AcronisCloud\ClientArea, which checks ownership and
 * answers. JSON answers of the page's API end the request so WHMCS adds no layout.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/usage.php';

use AcronisCloud\Whmcs\Request;
use AcronisCloud\Whmcs\Servers;
use AcronisCloud\Whmcs\Settings;
use WHMCS\Database\Capsule;

/** Name of the dedicated custom function that serves the page's JSON API (see `docs/whmcs-boundary.md`). */
const ACRONISCLOUD_CLIENT_API = 'ClientAreaApi';
/** Name of the custom page function (the reference's "Management" button). */
const ACRONISCLOUD_CLIENT_PAGE = 'ClientAreaManagement';

/** The logged-in client's language (session choice, profile, then system default). */
function acroniscloud_client_language(array $params): string
{
    $language = (string) ($_SESSION['Language'] ?? '');
    if (trim($language) === '') {
        $language = (string) ($params['clientsdetails']['language'] ?? '');
    }
    return trim($language) !== '' ? $language : Settings::system('Language');
}

/**
 * What the extension needs about the service. `$clientId` is who asks: the logged-in client
 * in the client area, the owner in the admin area.
 */
function acroniscloud_client_context(array $params, int $clientId, string $locale): array
{
    $serviceId = (int) ($params['serviceid'] ?? 0);
    $row = Capsule::table('tblhosting')->where('id', $serviceId)->first();
    $product = $row ? Capsule::table('tblproducts')->where('id', $row->packageid)->first() : null;
    $client = $row ? Capsule::table('tblclients')->where('id', $row->userid)->first() : null;
    $currency = $client ? (string) Capsule::table('tblcurrencies')->where('id', $client->currency)->value('code') : '';
    $gateway = $row ? (string) $row->paymentmethod : '';
    $gatewayName = $gateway !== ''
        ? (string) Capsule::table('tblpaymentgateways')->where('gateway', $gateway)->where('setting', 'name')->value('value')
        : '';
    $fields = (array) ($params['customfields'] ?? []);
    $productId = $product ? (int) $product->id : 0;
    return [
        'service' => [
            'service_id' => $serviceId,
            'owner_id' => $row ? (int) $row->userid : 0,
            'client_id' => $clientId,
            'module' => $product ? (string) $product->servertype : '',
            'product_id' => $product ? (int) $product->id : 0,
            'tenant_id' => trim((string) ($fields['tenant_id'] ?? '')),
            'user_id' => trim((string) ($fields['user_id'] ?? '')),
            'cloud_login' => trim((string) ($fields['cloud_login'] ?? '')),
            'enabled_metrics' => $productId > 0 ? acroniscloud_enabled_metrics($productId) : [],
            'billing' => [
                'product_name' => $product ? (string) $product->name : '',
                'status' => $row ? (string) $row->domainstatus : '',
                'regdate' => $row ? (string) $row->regdate : '',
                'next_due_date' => $row ? (string) $row->nextduedate : '',
                'billing_cycle' => $row ? (string) $row->billingcycle : '',
                'amount' => $row ? number_format((float) $row->amount, 2, '.', '') : '',
                'currency_code' => $currency,
                'payment_method' => $gatewayName !== '' ? $gatewayName : $gateway,
            ],
        ],
        'server' => $row && (int) $row->server > 0 ? Servers::row((int) $row->server) : null,
        'locale' => $locale,
        'l10n_dir' => __DIR__ . '/l10n',
        'page_url' => 'clientarea.php?action=productdetails&id=' . $serviceId . '&modop=custom&a=' . ACRONISCLOUD_CLIENT_PAGE,
    ];
}

/**
 * What a client is shown for an unexpected failure: a short text and the request's reference
 * id; the details go to the module's file log and the WHMCS module log under that id.
 */
function acroniscloud_client_failure(\Throwable $e, string $function): string
{
    $reference = \AcronisCloud\Logger::requestId();
    $detail = get_class($e) . ': ' . $e->getMessage();
    try {
        \AcronisCloud\Logger::log(__DIR__ . '/config.yaml', 'ERROR', "Client area: $function failed (reference $reference): $detail");
    } catch (\Throwable $ignored) {
        // A broken config.yaml is often the failure itself; the module log below still has it.
    }
    if (function_exists('logModuleCall')) {
        logModuleCall('acroniscloud', acroniscloud_log_action('Client area error'), $function,
            \AcronisCloud\Logger::maskJson((string) json_encode(['error' => $detail])), '', []);
    }
    return "The request could not be completed. Please contact support. (reference $reference)";
}

/** The logged-in client (0 in admin or cron context). */
function acroniscloud_logged_in_client(): int
{
    return (int) ($_SESSION['uid'] ?? 0);
}

/** `ClientArea`: the stock product page always moves on to the module's own page (303). */
function acroniscloud_client_area(array $params)
{
    $a = (string) ($_REQUEST['a'] ?? '');
    if ($a === ACRONISCLOUD_CLIENT_PAGE || $a === ACRONISCLOUD_CLIENT_API) {
        return '';
    }
    $id = (int) ($_REQUEST['id'] ?? $params['serviceid'] ?? 0);
    $action = (string) ($_REQUEST['action'] ?? 'productdetails');
    Request::redirect('clientarea.php?' . http_build_query(['action' => $action, 'id' => $id, 'modop' => 'custom', 'a' => ACRONISCLOUD_CLIENT_PAGE]));
}

/** `ClientAreaCustomButtonArray`: the "Management" page (label in the client's language). */
function acroniscloud_client_buttons(array $params): array
{
    $ui = \AcronisCloud\ClientArea::uiStrings(acroniscloud_client_language($params), __DIR__ . '/l10n');
    $label = (string) ($ui['strings']['Management'] ?? 'Management');
    return [$label => ACRONISCLOUD_CLIENT_PAGE];
}

/** `ClientAreaAllowedFunctions`: the JSON API function (not a button). */
function acroniscloud_client_allowed(array $params): array
{
    return [ACRONISCLOUD_CLIENT_API];
}

/** `ClientAreaManagement`: the page (E.1) — a mount point for assets/client.js. */
function acroniscloud_client_page(array $params): array
{
    $id = (int) ($params['serviceid'] ?? 0);
    $locale = acroniscloud_client_language($params);
    $ui = \AcronisCloud\ClientArea::uiStrings($locale, __DIR__ . '/l10n');
    $strings = (array) ($ui['strings'] ?? []);
    $version = \AcronisCloud\AcronisServer::version();
    $base = 'clientarea.php?action=productdetails&id=' . $id;
    $boot = [
        'serviceId' => $id,
        'api' => $base . '&modop=custom&a=' . ACRONISCLOUD_CLIENT_API,
        'sso' => $base . '&dosinglesignon=1',
        'locale' => (string) ($ui['locale'] ?? 'en'),
        'version' => $version,
        'token' => Request::csrfExpected(),
        'strings' => (object) $strings,
    ];
    $noscript = 'Acronis Cyber Cloud requires JavaScript enabled for proper work. Please enable it to continue.';
    $title = (string) ($strings['Acronis Cyber Cloud'] ?? 'Acronis Cyber Cloud');
    return [
        'pagetitle' => $title,
        'breadcrumb' => [$base . '&modop=custom&a=' . ACRONISCLOUD_CLIENT_PAGE => $title],
        'templatefile' => 'templates/client_area',
        'requirelogin' => true,
        'vars' => [
            'acroniscloud' => [
                'assets' => 'modules/servers/acroniscloud/assets/',
                'version' => rawurlencode($version),
                'service_id' => $id,
                'noscript' => (string) ($strings[$noscript] ?? $noscript),
                'boot' => Request::scriptJson($boot),
                'billing_usage' => acroniscloud_billing_usage_block($params, $locale, $strings),
                'usage_history' => acroniscloud_usage_history_block($params, $locale, $strings),
            ],
        ],
    ];
}

/**
 * Today's billed usage of the service (metrics enabled for its product) for the page, or null
 * when the product bills no metric. A failure shows a message instead of breaking the page.
 */
function acroniscloud_billing_usage_block(array $params, string $locale, array $strings): ?array
{
    try {
        $usage = acroniscloud_service_usage(
            (int) ($params['pid'] ?? 0),
            trim((string) ($params['customfields']['tenant_id'] ?? '')),
            $locale
        );
        $failed = false;
    } catch (\Throwable $e) {
        [$usage, $failed] = [null, true];
    }
    return \AcronisCloud\Markup::billingUsageBlock($usage, $failed, $strings);
}

/**
 * The usage history block (server-rendered SVG charts and tables), or null when the product
 * bills no metric. It is the `html` of the client action `usage_history` for this client, so
 * the page and the 30/90-day switch draw the same thing through the same guards; the window
 * comes from `history_days` (the switch's links work without JavaScript).
 */
function acroniscloud_usage_history_block(array $params, string $locale, array $strings): ?string
{
    $serviceId = (int) ($params['serviceid'] ?? 0);
    try {
        $context = acroniscloud_client_context($params, acroniscloud_logged_in_client(), $locale);
        if ($context['service']['enabled_metrics'] === []) {
            return null;
        }
        $days = (string) ($_GET['history_days'] ?? '30');
        $request = ['method' => 'GET', 'action' => 'usage_history', 'content_type' => '', 'body' => '',
            'query' => ['id' => (string) $serviceId, 'days' => $days, 'html' => '1']];
        $answer = \AcronisCloud\ClientArea::handle($request, $context, acroniscloud_options('servers', 'ClientArea:usage_history'));
        $body = json_decode((string) ($answer['body'] ?? ''), true);
        if ((int) ($answer['status'] ?? 500) === 200 && is_string($body['html'] ?? null)) {
            return $body['html'];
        }
        $message = (string) ($body['error']['message'] ?? 'Cannot load usage history.');
    } catch (\Throwable $e) {
        $message = acroniscloud_client_failure($e, 'ClientAreaManagement');
    }
    return \AcronisCloud\Markup::errorAlert((string) ($strings[$message] ?? $message));
}

/** The dedicated AJAX function: runs `api=<action>` and ends the request with its JSON. */
function acroniscloud_client_api(array $params): void
{
    $action = Request::query('api');
    $options = acroniscloud_options('servers', 'ClientArea:' . $action);
    $request = Request::api($action, true);
    try {
        $context = acroniscloud_client_context($params, acroniscloud_logged_in_client(), acroniscloud_client_language($params));
        // The module checks the page's token itself (like WHMCS's check_token: header, form
        // field or query), whether or not WHMCS checked it.
        $context['csrf_expected'] = function_exists('generate_token') ? (string) generate_token('plain') : '';
        $context['csrf_given'] = (string) ($_SERVER['HTTP_X_CSRF_TOKEN'] ?? $_POST['token'] ?? $_GET['token'] ?? '');
        $answer = \AcronisCloud\ClientArea::handle($request, $context, $options);
    } catch (\Throwable $e) {
        $answer = ['status' => 500, 'headers' => [['Content-Type', 'application/json']],
            'body' => json_encode(['error' => ['code' => 500, 'message' => acroniscloud_client_failure($e, 'ClientAreaApi')]])];
    }
    Request::send($answer, true, [['Cache-Control', 'no-store']]);
}

/** `ServiceSingleSignOn`: a one-time console login for the client's own service. */
function acroniscloud_client_sso(array $params): array
{
    $options = acroniscloud_options('servers', 'ServiceSingleSignOn');
    try {
        $context = acroniscloud_client_context($params, acroniscloud_logged_in_client(), acroniscloud_client_language($params));
        $context['admin_session'] = empty($_SESSION['adminid']) ? '0' : '1';
        return \AcronisCloud\ClientArea::singleSignOn($context, $options);
    } catch (\Throwable $e) {
        return ['success' => false, 'errorMsg' => acroniscloud_client_failure($e, 'ServiceSingleSignOn')];
    }
}

/** `AdminServicesTabFields`: Cloud ids, login and the live usage table for the admin. */
/** Links and token of the tab's audit trail pager and adopt form (issue 13). */
function acroniscloud_admin_tab_links(int $serviceId, int $clientId): array
{
    return [
        'audit_page' => max(1, (int) ($_GET['acroniscloud_audit_page'] ?? 1)),
        'tab_link' => 'clientsservices.php?' . http_build_query(['userid' => $clientId, 'id' => $serviceId]),
        'addon_link' => 'addonmodules.php?module=acroniscloud',
        'csrf_token' => \AcronisCloud\Whmcs\Request::csrfExpected(),
        'assets' => '../modules/addons/acroniscloud/assets/',
    ];
}

function acroniscloud_admin_service_tab(array $params): array
{
    $options = acroniscloud_options('servers', 'AdminServicesTabFields');
    $row = Capsule::table('tblhosting')->where('id', (int) ($params['serviceid'] ?? 0))->first();
    try {
        $context = acroniscloud_client_context($params, $row ? (int) $row->userid : 0, (string) $options['locale']);
        $context += acroniscloud_admin_tab_links((int) ($params['serviceid'] ?? 0), $row ? (int) $row->userid : 0);
        $fields = (array) \AcronisCloud\ClientArea::adminTab($context, $options);
    } catch (\Throwable $e) {
        $fields = ['Acronis Cyber Cloud' => \AcronisCloud\Markup::errorAlert($e->getMessage())];
    }
    try {
        $usage = acroniscloud_service_usage(
            (int) ($params['pid'] ?? ($row ? $row->packageid : 0)),
            trim((string) ($params['customfields']['tenant_id'] ?? '')),
            (string) $options['locale']
        );
        if ($usage !== null) {
            $fields['Billing usage'] = \AcronisCloud\Markup::usageTable($usage);
        }
    } catch (\Throwable $e) {
        $fields['Billing usage'] = \AcronisCloud\Markup::errorAlert($e->getMessage());
    }
    return $fields;
}
