//! The `customer_id` of a service's tenant (docs/behaviour.md §B.2): the module's
//! `whmcs-*` pairs merged into whatever the tenant already carries. The pairs also say which
//! WHMCS service owns a tenant, which makes a lost `POST /tenants` recoverable and keeps
//! lifecycle actions away from other services' tenants.

use crate::features::provisioning::input::ServiceInput;
use crate::platform::tags;

pub const VERSION: &str = "whmcs-version";
pub const USER_ID: &str = "whmcs-user-id";
pub const PRODUCT_ID: &str = "whmcs-product-id";
pub const SERVICE_ID: &str = "whmcs-service-id";

/// The module's pairs merged into `existing` (other pairs kept, in order). With
/// `input.whmcs_version` = `None` (contact hook) the stored version is kept (J.2 #22).
pub fn merged(existing: &str, input: &ServiceInput) -> String {
    let client = input.client_id.to_string();
    let product = input.product_id.to_string();
    let service = input.service_id.to_string();
    let current_version = value(existing, VERSION);
    let version = input
        .whmcs_version
        .clone()
        .or(current_version)
        .unwrap_or_default();
    tags::merge(
        existing,
        &[
            (VERSION, Some(version.as_str())),
            (USER_ID, Some(client.as_str())),
            (PRODUCT_ID, Some(product.as_str())),
            (SERVICE_ID, Some(service.as_str())),
        ],
    )
}

/// Value of `key` in a tag string.
pub fn value(tag: &str, key: &str) -> Option<String> {
    tags::parse(tag)
        .into_iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v)
}

/// True when the tag names this service and client (the tenant a lost create made).
pub fn names_service(tag: Option<&str>, input: &ServiceInput) -> bool {
    let Some(tag) = tag else { return false };
    value(tag, SERVICE_ID).as_deref() == Some(input.service_id.to_string().as_str())
        && value(tag, USER_ID).as_deref() == Some(input.client_id.to_string().as_str())
}

/// The other service named by the tag, when it names one that is not `service_id`.
pub fn foreign_service(tag: Option<&str>, service_id: i64) -> Option<String> {
    let other = value(tag?, SERVICE_ID).filter(|s| !s.is_empty())?;
    (other != service_id.to_string()).then_some(other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(version: Option<&str>) -> ServiceInput {
        ServiceInput {
            service_id: 45,
            client_id: 12,
            product_id: 3,
            whmcs_version: version.map(str::to_string),
            ..ServiceInput::default()
        }
    }

    #[test]
    fn new_tag_in_reference_order() {
        assert_eq!(
            merged("", &input(Some("8.10.1"))),
            "whmcs-version=8.10.1;whmcs-user-id=12;whmcs-product-id=3;whmcs-service-id=45"
        );
    }

    #[test]
    fn merge_keeps_foreign_pairs_and_the_stored_version_without_one() {
        let out = merged(
            "crm=77;whmcs-version=8.0.4;whmcs-product-id=2",
            &input(None),
        );
        assert_eq!(
            out,
            "crm=77;whmcs-version=8.0.4;whmcs-product-id=3;whmcs-user-id=12;whmcs-service-id=45"
        );
        assert_eq!(
            merged("", &input(None)),
            "whmcs-version=;whmcs-user-id=12;whmcs-product-id=3;whmcs-service-id=45"
        );
    }

    #[test]
    fn ownership() {
        let tag = "whmcs-user-id=12;whmcs-service-id=45";
        assert!(names_service(Some(tag), &input(None)));
        assert!(!names_service(Some("whmcs-service-id=45"), &input(None)));
        assert!(!names_service(None, &input(None)));
        assert_eq!(foreign_service(Some(tag), 45), None);
        assert_eq!(foreign_service(Some(tag), 46).as_deref(), Some("45"));
        assert_eq!(foreign_service(Some("crm=1"), 46), None);
        assert_eq!(foreign_service(None, 46), None);
    }
}
