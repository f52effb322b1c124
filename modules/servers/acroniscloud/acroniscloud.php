<?php
/**
 * Acronis Cyber Cloud provisioning module for WHMCS. Each callback is one line into the
 * acroniscloud PHP extension; see includes/acroniscloud/bootstrap.php for the glue.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../../../includes/acroniscloud/bootstrap.php';

use AcronisCloud\AcronisServer;
use AcronisCloud\TemplateStore;

function acroniscloud_MetaData() { return AcronisServer::metaData(); }

function acroniscloud_ConfigOptions() { return TemplateStore::configOptions(acroniscloud_options('servers', __FUNCTION__)); }

function acroniscloud_TestConnection(array $params) { return AcronisServer::testConnectionFor(acroniscloud_server_params($params), acroniscloud_options('servers', __FUNCTION__)); }
