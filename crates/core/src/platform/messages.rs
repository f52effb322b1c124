//! Admin-facing texts of the tenant and user operations (see `docs/behaviour.md`): what an
//! admin reads when a stored tenant or user is gone, or a login cannot be used. Provisioning
//! re-exports them with its own texts.

/// Name of the tenant id custom field, shown in T1.
pub const TENANT_FIELD: &str = "tenant_id";
/// Name of the user id custom field, shown in U1 (the reference left `{2}` literal).
pub const USER_FIELD: &str = "user_id";

/// §B.2: the client has no e-mail address (checked before anything is created).
pub const EMAIL_REQUIRED: &str = "The user email is required for provisioning.";

/// T1: the stored tenant does not exist on the server.
pub fn tenant_not_found(tenant_id: &str, server: &str) -> String {
    format!(
        "Unable to find the tenant \"{tenant_id}\" on the server {server}. Please check that the \
         correct server is selected. If the tenant has been manually removed, please empty the \
         custom field \"{TENANT_FIELD}\" and continue the operation."
    )
}

/// U1: the stored user does not exist.
pub fn user_not_found(user_id: &str) -> String {
    format!(
        "Unable to find the user \"{user_id}\". Please check the user ID or clear the custom \
         field \"{USER_FIELD}\" to create a new account."
    )
}

/// §B.7: a requested login with characters outside the allowed set.
pub const LOGIN_INVALID: &str = "The login can consist of uppercase and lowercase Latin letters \
     (a-z, A-Z) (ASCII:65-90, 97-122), digits 0 to 9 (ASCII: 48-57), special characters: period \
     symbol (\".\"), underscore symbol (\"_\"), hyphen symbol (\"-\"), plus symbol (\"+\"), and \
     symbol \"@\"";

/// §B.7: a requested login somebody else has.
pub fn login_taken(login: &str) -> String {
    format!("The login \"{login}\" is already used for another client.")
}

/// §B.7: ten generated logins were all taken (not translated in the reference).
pub const LOGIN_GENERATION_FAILED: &str = "Cannot generate the login for the user.";
