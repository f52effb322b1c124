//! What WHMCS tells provisioning about a service, as the PHP glue builds it from `$params` and
//! the WHMCS tables (`includes/acroniscloud/provisioning.php`). Deserialized from JSON so the
//! binding stays a conversion.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

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
    /// Yes/No), in WHMCS order. WHMCS hands values over as numbers or strings; anything that
    /// is not a whole number is refused with a message naming the option.
    #[serde(deserialize_with = "option_values")]
    pub config_options: Vec<(String, i64)>,
    /// Names (cut at `|`, trimmed) of the product's configurable options whose WHMCS type is
    /// Yes/No (`tblproductconfigoptions.optiontype` 3): WHMCS passes only values, 1 for a
    /// ticked box, which must not be read as a quantity of 1 (manual 6.3).
    pub yes_no_options: Vec<String>,
    /// Configurable-option group ids of the product (manual 6.5.1 check on change).
    pub config_option_groups: Vec<i64>,
    pub client: ClientDetails,
    pub fields: ServiceFields,
    /// `$params['whmcsVersion']`; `None` keeps the tenant's stored value (hook calls).
    pub whmcs_version: Option<String>,
}

/// Option values as WHMCS passes them (`qty` as int, or strings such as `"5"`, `""`).
fn option_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, i64)>, D::Error> {
    let raw: Vec<(String, Value)> = Vec::deserialize(d)?;
    raw.into_iter()
        .filter(|(name, _)| is_module_option(name))
        .map(|(name, value)| {
            option_value(&name, &value)
                .map(|v| (name, v))
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

/// Options of the module are named `<offering_item>:<unit>:<infra_id>`; a name without `:`
/// (say "Support level") belongs to something else the provider sells with the product and
/// is ignored, where the reference refused to provision.
pub fn is_module_option(name: &str) -> bool {
    name.split('|').next().unwrap_or_default().contains(':')
}

/// One option value: an integer, a numeric string, or "" (= 0, an option never set).
pub fn option_value(name: &str, value: &Value) -> Result<i64, String> {
    let bad = || {
        let shown = name.split('|').next().unwrap_or_default().trim();
        format!(
            "The configurable option \"{shown}\" has the value {value}, but a whole number is expected (a quantity, or 1/0 for Yes/No). Please change the option type or its value."
        )
    };
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(bad),
        Value::String(s) if s.trim().is_empty() => Ok(0),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad()),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Null => Ok(0),
        _ => Err(bad()),
    }
    .and_then(|v| if v < 0 { Err(bad()) } else { Ok(v) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn option_values_accept_numbers_and_numeric_strings() {
        let input: ServiceInput = serde_json::from_value(json!({
            "config_options": [["pw_workstations:quantity:", 5], ["pw_servers:feature:", "1"], ["x:quantity:", ""]]
        }))
        .unwrap();
        assert_eq!(
            input.config_options,
            vec![
                ("pw_workstations:quantity:".to_string(), 5),
                ("pw_servers:feature:".to_string(), 1),
                ("x:quantity:".to_string(), 0)
            ]
        );
    }

    #[test]
    fn options_without_a_colon_are_not_the_modules() {
        let input: ServiceInput = serde_json::from_value(json!({
            "config_options": [["Support level", "Gold"], ["pw_servers:quantity:", 2]]
        }))
        .unwrap();
        assert_eq!(
            input.config_options,
            vec![("pw_servers:quantity:".to_string(), 2)]
        );
    }

    #[test]
    fn a_dropdown_value_is_refused_with_the_option_name() {
        let err = serde_json::from_value::<ServiceInput>(json!({
            "config_options": [["pw_storage:gigabytes:|Storage", "100 GB"]]
        }))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"pw_storage:gigabytes:\" has the value \"100 GB\""),
            "{err}"
        );
        let err = option_value("a:quantity:", &json!(-3)).unwrap_err();
        assert!(err.contains("-3"), "{err}");
    }
}
