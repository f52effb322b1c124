//! What WHMCS tells provisioning about a service, as the PHP glue builds it from `$params` and
//! the WHMCS tables (`includes/acroniscloud/provisioning.php`). Deserialized from JSON so the
//! binding stays a conversion.

use serde::Deserialize;

/// Client details (`$params['clientsdetails']`, or the `ClientEdit` hook parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ClientDetails {
    pub firstname: String,
    pub lastname: String,
    pub companyname: String,
    pub email: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postcode: String,
    pub country: String,
    pub phonenumber: String,
    /// WHMCS client-area locale of the client's language (`de_DE`, `de-DE`, `no_NO`, …), ""
    /// when unknown; normalised by provisioning (§B.2).
    pub locale: String,
}

/// Values of the service's custom fields ("" = empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ServiceFields {
    pub tenant_id: String,
    pub user_id: String,
    pub cloud_login: String,
    pub cloud_password: String,
}

/// One service as WHMCS describes it to a module callback.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ServiceInput {
    pub service_id: i64,
    /// WHMCS client id (`userid`).
    pub client_id: i64,
    /// Product id (`pid`); the new product during a change of package.
    pub product_id: i64,
    /// `tblhosting.server` when that server has type `acroniscloud`, else `None`.
    pub server_id: Option<i64>,
    /// `configoption1`: template id as WHMCS stores it (a string; may be empty or stale).
    pub template_id: String,
    /// `configoption2`: activation method, `email` (default when empty) or `password`.
    pub activation: String,
    /// `tblproducts.paytype` of the product (`free`, `onetime`, `recurring`); `None` when the
    /// product row is missing or not an `acroniscloud` product (error P1).
    pub pay_type: Option<String>,
    /// `$params['configoptions']`: option name (up to the `|`) → value (quantity; 1/0 for
    /// Yes/No), in WHMCS order.
    pub config_options: Vec<(String, i64)>,
    /// Configurable-option group ids of the product (manual 6.5.1 check on change).
    pub config_option_groups: Vec<i64>,
    pub client: ClientDetails,
    pub fields: ServiceFields,
    /// `$params['whmcsVersion']`; `None` keeps the tenant's stored value (hook calls).
    pub whmcs_version: Option<String>,
}
