<?php
/**
 * Acronis Cyber Cloud provisioning module for WHMCS. Each callback is one line into the
 * acroniscloud PHP extension; see includes/acroniscloud/bootstrap.php for the glue.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../../../includes/acroniscloud/bootstrap.php';
require_once __DIR__ . '/../../../includes/acroniscloud/provisioning.php';
require_once __DIR__ . '/../../../includes/acroniscloud/client_area.php';
require_once __DIR__ . '/../../../includes/acroniscloud/usage.php';

use AcronisCloud\AcronisServer;
use AcronisCloud\TemplateStore;
use WHMCS\Module\Server\AcronisCloud\MetricProvider;

function acroniscloud_MetaData() { return AcronisServer::metaData(); }

function acroniscloud_ConfigOptions() { return TemplateStore::configOptions(acroniscloud_options('servers', __FUNCTION__)); }

function acroniscloud_TestConnection(array $params) { return AcronisServer::testConnectionFor(acroniscloud_server_params($params), acroniscloud_options('servers', __FUNCTION__)); }

function acroniscloud_CreateAccount(array $params) { return acroniscloud_provision('create', __FUNCTION__, $params); }

function acroniscloud_ChangePackage(array $params) { return acroniscloud_provision('change', __FUNCTION__, $params); }

function acroniscloud_SuspendAccount(array $params) { return acroniscloud_provision('suspend', __FUNCTION__, $params); }

function acroniscloud_UnsuspendAccount(array $params) { return acroniscloud_provision('unsuspend', __FUNCTION__, $params); }

function acroniscloud_TerminateAccount(array $params) { return acroniscloud_provision('terminate', __FUNCTION__, $params); }

function acroniscloud_ClientArea(array $params) { return acroniscloud_client_area($params); }

function acroniscloud_ClientAreaCustomButtonArray(array $params) { return acroniscloud_client_buttons($params); }

function acroniscloud_ClientAreaAllowedFunctions(array $params) { return acroniscloud_client_allowed($params); }

function acroniscloud_ClientAreaManagement(array $params) { return acroniscloud_client_page($params); }

function acroniscloud_ClientAreaApi(array $params) { acroniscloud_client_api($params); }

function acroniscloud_ServiceSingleSignOn(array $params) { return acroniscloud_client_sso($params); }

function acroniscloud_AdminServicesTabFields(array $params) { return acroniscloud_admin_service_tab($params); }

function acroniscloud_MetricProvider(array $params) { return new MetricProvider($params); }
