//! What WHMCS shows for the module itself: `MetaData` and the product "Module Settings"
//! fields (docs/behaviour.md §A.2, §A.3). Field order matters: position N is stored in
//! `tblproducts.configoptionN`, so existing products keep their values.

use serde_json::{json, Map, Value};

pub const DISPLAY_NAME: &str = "Acronis Cyber Cloud";

pub fn meta_data() -> Value {
    json!({
        "DisplayName": DISPLAY_NAME,
        "APIVersion": "1.1",
        "RequiresServer": true,
        "ListAccountsUniqueIdentifierField": "customfield.tenant_id",
    })
}

/// `templates`: (id, name) of the non-deleted templates, in display order.
pub fn config_options(
    templates: &[(String, String)],
    admin_path: &str,
    ask_credentials: bool,
) -> Value {
    config_options_in(templates, admin_path, ask_credentials, &|m: &str| {
        m.to_string()
    })
}

/// [`config_options`] with the labels passed through `tr` (the admin's language).
pub fn config_options_in(
    templates: &[(String, String)],
    admin_path: &str,
    ask_credentials: bool,
    tr: &dyn Fn(&str) -> String,
) -> Value {
    let admin = admin_path.trim().trim_matches('/');
    let admin = if admin.is_empty() { "admin" } else { admin };
    let link = format!(
        "<a href=\"/{}/addonmodules.php?module=acroniscloud\">{DISPLAY_NAME}</a>",
        crate::infra::markup::escape(admin)
    );
    let options: Map<String, Value> = templates
        .iter()
        .map(|(id, name)| (id.clone(), Value::String(name.clone())))
        .collect();
    let mut fields = Map::new();
    fields.insert(
        "templateId".into(),
        json!({
            "FriendlyName": tr("Template name"),
            "Type": "dropdown",
            "Options": options,
            "Description": tr("You may view, create or modify templates at {0} in Addons section.")
                .replace("{0}", &link),
            "SimpleMode": true,
        }),
    );
    if ask_credentials {
        fields.insert(
            "activationMethod".into(),
            json!({
                "FriendlyName": tr("Activation method"),
                "Type": "dropdown",
                "Options": {
                    "email": tr("Send an email message"),
                    "password": tr("Require credentials when placing order"),
                },
                "Default": "email",
                "SimpleMode": true,
            }),
        );
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l84_only_template_field_by_default() {
        let v = config_options(&[("7".into(), "Gold".into())], "", false);
        let o = v.as_object().unwrap();
        assert_eq!(o.keys().collect::<Vec<_>>(), vec!["templateId"]);
        assert_eq!(v["templateId"]["Options"]["7"], "Gold");
        assert!(v["templateId"]["Description"]
            .as_str()
            .unwrap()
            .contains("href=\"/admin/addonmodules.php?module=acroniscloud\""));
    }

    #[test]
    fn activation_method_second_when_enabled() {
        let v = config_options(&[], "secret-admin", true);
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, vec!["templateId", "activationMethod"]);
        assert!(v["templateId"]["Description"]
            .as_str()
            .unwrap()
            .contains("/secret-admin/"));
    }

    #[test]
    fn metadata_matches_reference() {
        let m = meta_data();
        assert_eq!(m["DisplayName"], "Acronis Cyber Cloud");
        assert_eq!(
            m["ListAccountsUniqueIdentifierField"],
            "customfield.tenant_id"
        );
    }
}

/// Product custom fields the module needs (docs/behaviour.md §A.3), as `ProductEdit` must
/// leave them: `ensure` fields exist (created when missing), `remove` keys are deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPlan {
    pub ensure: Vec<crate::platform::catalog::CustomField>,
    pub remove: Vec<String>,
}

/// `cloud_password` exists only while clients choose their password at order time.
pub fn custom_field_plan(activation_method: &str) -> crate::Result<FieldPlan> {
    let catalog = crate::platform::catalog::catalog()?;
    let with_password = activation_method.trim() == "password";
    let mut ensure: Vec<_> = catalog
        .custom_fields
        .iter()
        .filter(|f| f.name != "cloud_password" || with_password)
        .cloned()
        .collect();
    ensure.sort_by_key(|f| f.sort_order);
    let remove = if with_password {
        vec![]
    } else {
        vec!["cloud_password".to_string()]
    };
    Ok(FieldPlan { ensure, remove })
}

/// True when a stored `fieldname` denotes the field `key`: equal, or `key`, optional spaces
/// and `|` (admins may rename the friendly part).
pub fn field_matches(fieldname: &str, key: &str) -> bool {
    match fieldname.strip_prefix(key) {
        Some("") => true,
        Some(rest) => rest.trim_start().starts_with('|'),
        None => false,
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;

    #[test]
    fn l84_password_field_follows_activation_method() {
        let email = custom_field_plan("email").unwrap();
        let names: Vec<_> = email.ensure.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["cloud_login", "tenant_id", "user_id"]);
        assert_eq!(email.remove, vec!["cloud_password"]);
        let pw = custom_field_plan("password").unwrap();
        let f = pw
            .ensure
            .iter()
            .find(|f| f.name == "cloud_password")
            .unwrap();
        assert_eq!(
            f.validation_regex,
            "/^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d).{6,}$/s"
        );
        assert!(pw.remove.is_empty());
        assert_eq!(
            custom_field_plan("").unwrap(),
            email,
            "empty behaves as email"
        );
    }

    #[test]
    fn fieldname_matching() {
        assert!(field_matches("tenant_id", "tenant_id"));
        assert!(field_matches("tenant_id|Tenant ID", "tenant_id"));
        assert!(field_matches("tenant_id  |Tenant", "tenant_id"));
        assert!(!field_matches("tenant_idx|X", "tenant_id"));
        assert!(!field_matches("user_id|User", "tenant_id"));
    }
}
