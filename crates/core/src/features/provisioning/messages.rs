//! Admin-facing texts of provisioning, with the reference module's wording where it has one
//! (docs/behaviour.md §A.4–§A.7, §B.2, §B.7) and every placeholder filled (§J.2 #2).

/// Texts of the tenant and user operations live with them in the platform layer.
pub use crate::platform::messages::{
    login_taken, tenant_not_found, user_not_found, EMAIL_REQUIRED, LOGIN_GENERATION_FAILED,
    LOGIN_INVALID, TENANT_FIELD,
};

/// J.2 #10: the product's template id does not resolve (missing, deleted, not a number).
pub fn template_not_found(id: &str) -> String {
    format!("Template {id} not found.")
}

/// P1 (§A.4): the product row is missing or not an Acronis product.
pub fn product_not_found(product_id: i64) -> String {
    format!("Cannot find the product with the ID {product_id}.")
}

/// T2: the stored tenant's kind differs from the template's.
pub fn tenant_kind_changed(from: &str, to: &str, tenant_id: &str) -> String {
    format!(
        "Unable to change the tenant type from \"{from}\" to \"{to}\" for the tenant \
         \"{tenant_id}\". Please use another template for the product."
    )
}

/// T3: the template's server is not the service's server.
pub fn server_changed(order_server: &str, used_server: i64) -> String {
    format!(
        "Product upgrade/downgrade cannot be performed using a different server than the order \
         (order server: {order_server}, used server: {used_server}). Please, during \
         upgrade/downgrade of an order, make sure that the server used in the product's template \
         or in the configurable options is the same as the one in the order."
    )
}

/// U2: the stored user lives in another tenant.
pub fn user_of_other_tenant(user_id: &str, tenant_id: &str) -> String {
    format!("The user \"{user_id}\" does not belong to the tenant \"{tenant_id}\".")
}

/// §B.7: password activation without a password.
pub const PASSWORD_REQUIRED: &str = "Cannot activate the user without a password.";

/// §A.6: unsuspend of a service that has no tenant.
pub const UNSUSPEND_UNPROVISIONED: &str = "Cannot enable a non-provisioned service.";

/// The service's (or template's) server is not an Acronis server WHMCS knows.
pub fn server_missing(server_id: i64) -> String {
    format!(
        "The server {server_id} does not exist or is not an Acronis Cyber Cloud server. Please \
         check the server of the service and of its product's template."
    )
}

/// Lifecycle call on a service that has neither a server nor a template to take one from.
pub const NO_SERVER: &str =
    "The service has no Acronis Cyber Cloud server. Please assign the server to the service.";

/// A lifecycle action refused because the tenant's `customer_id` names another service.
pub fn foreign_tenant(tenant_id: &str, other_service: &str, service_id: i64) -> String {
    format!(
        "The tenant \"{tenant_id}\" belongs to the WHMCS service {other_service}, not to the \
         service {service_id}; it was not changed. Please check the custom field \
         \"{TENANT_FIELD}\" of the service."
    )
}
