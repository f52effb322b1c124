//! What WHMCS shows for the module itself: `MetaData` and the product "Module Settings"
//! fields (module-behaviour.md §A.2, §A.3). Field order matters: position N is stored in
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

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `templates`: (id, name) of the non-deleted templates, in display order.
pub fn config_options(
    templates: &[(String, String)],
    admin_path: &str,
    ask_credentials: bool,
) -> Value {
    let admin = admin_path.trim().trim_matches('/');
    let admin = if admin.is_empty() { "admin" } else { admin };
    let link = format!(
        "<a href=\"/{}/addonmodules.php?module=acroniscloud\">{DISPLAY_NAME}</a>",
        html_escape(admin)
    );
    let options: Map<String, Value> = templates
        .iter()
        .map(|(id, name)| (id.clone(), Value::String(name.clone())))
        .collect();
    let mut fields = Map::new();
    fields.insert(
        "templateId".into(),
        json!({
            "FriendlyName": "Template name",
            "Type": "dropdown",
            "Options": options,
            "Description": format!(
                "You may view, create or modify templates at {link} in Addons section."
            ),
            "SimpleMode": true,
        }),
    );
    if ask_credentials {
        fields.insert(
            "activationMethod".into(),
            json!({
                "FriendlyName": "Activation method",
                "Type": "dropdown",
                "Options": {
                    "email": "Send an email message",
                    "password": "Require credentials when placing order",
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
