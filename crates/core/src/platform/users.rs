//! User operations of provisioning (docs/platform-calls.md, docs/behaviour.md §B.7–B.8): login
//! availability and generation, creation, and role assignment. Logins are global on the
//! platform, so a generated one is checked before use and a taken one is never retried blindly.

use crate::infra::error::{Error, Result};
use crate::infra::hashing::sha256_hex;
use crate::platform::connection::Connection;
use crate::platform::http::Method;
use crate::platform::messages;
use crate::platform::tenants::{self, Contact};
use serde::Deserialize;
use serde_json::{json, Value};

/// How many generated logins are tried before giving up (the reference's limit).
pub const LOGIN_ATTEMPTS: usize = 10;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    pub id: String,
    pub version: i64,
    pub tenant_id: String,
    pub login: String,
    #[serde(default)]
    pub activated: bool,
}

/// Characters the module accepts in a login the client typed (§B.7: `^[a-zA-Z0-9._\-+@]+$`;
/// the platform's own rules, e.g. the minimum length, are left to `check_login`).
pub fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@'))
}

/// `W` + 8 upper-case hex digits, derived from a seed (the caller varies it per attempt).
pub fn generated_login(seed: &str) -> String {
    let hex: String = sha256_hex(seed.as_bytes()).chars().take(8).collect();
    format!("W{}", hex.to_ascii_uppercase())
}

/// True when nobody has the login (204 free, 409 taken).
pub fn login_is_free(conn: &mut Connection, login: &str) -> Result<bool> {
    match conn.call(
        Method::Get,
        "/api/2/users/check_login",
        &[("username", login)],
        None,
    ) {
        Ok(_) => Ok(true),
        Err(e) if e.http_status() == Some(409) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The client's own login when valid and free, else a generated free one.
pub fn choose_login(conn: &mut Connection, wanted: &str, seed: &str) -> Result<String> {
    let wanted = wanted.trim();
    if !wanted.is_empty() {
        if !valid_login(wanted) {
            return Err(Error::validation(messages::LOGIN_INVALID));
        }
        return if login_is_free(conn, wanted)? {
            Ok(wanted.to_string())
        } else {
            Err(Error::validation(messages::login_taken(wanted)))
        };
    }
    for attempt in 0..LOGIN_ATTEMPTS {
        let candidate = generated_login(&format!("{seed}/{attempt}"));
        if login_is_free(conn, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(Error::validation(messages::LOGIN_GENERATION_FAILED))
}

fn parse_user(v: Value, call: &str) -> Result<User> {
    crate::platform::error_answer::parse_answer(v, call)
}

/// Creates the service's user in `tenant_id` (not retried by the transport: a resume looks
/// the login up first with [`get`]).
pub fn create(
    conn: &mut Connection,
    tenant_id: &str,
    login: &str,
    contact: &Contact,
    language: &str,
) -> Result<User> {
    crate::infra::uuid::require(tenant_id, "tenant id")?;
    let body =
        json!({"tenant_id": tenant_id, "login": login, "language": language, "contact": contact});
    let v = conn.call(Method::Post, "/api/2/users", &[], Some(body))?;
    parse_user(v, "POST /api/2/users")
}

/// The user, or `None` when it does not exist (any more).
pub fn get(conn: &mut Connection, id: &str) -> Result<Option<User>> {
    crate::infra::uuid::require(id, "user id")?;
    match conn.call(Method::Get, &format!("/api/2/users/{id}"), &[], None) {
        Ok(v) => parse_user(v, "GET /api/2/users/{id}").map(Some),
        Err(e) if e.http_status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The administrator role for a tenant kind (docs/behaviour.md §B.8); `None` for kinds without one.
pub fn admin_role(tenant_kind: &str) -> Option<&'static str> {
    match tenant_kind {
        "partner" => Some("partner_admin"),
        "customer" => Some("company_admin"),
        _ => None,
    }
}

/// Replaces the user's roles with `roles` in the user's tenant.
pub fn set_roles(conn: &mut Connection, user: &User, roles: &[&str]) -> Result<()> {
    const NIL: &str = "00000000-0000-0000-0000-000000000000";
    let items: Vec<Value> = roles
        .iter()
        .map(|r| {
            json!({"id": NIL, "issuer_id": NIL, "trustee_id": user.id, "trustee_type": "user",
                   "version": 0, "tenant_id": user.tenant_id, "role_id": r})
        })
        .collect();
    conn.call(
        Method::Put,
        &format!("/api/2/users/{}/access_policies", user.id),
        &[],
        Some(json!({ "items": items })),
    )
    .map(|_| ())
}

/// `PUT /users/{id} {version, language, contact}` with the version of `current` (a fresh
/// read); on a version conflict, read again and retry once.
pub fn update_profile(
    conn: &mut Connection,
    current: &User,
    language: &str,
    contact: &Contact,
) -> Result<User> {
    let id = current.id.as_str();
    let mut version = current.version;
    for attempt in 0..2 {
        let body = json!({"version": version, "language": language, "contact": contact});
        match conn.call(Method::Put, &format!("/api/2/users/{id}"), &[], Some(body)) {
            Err(e) if e.http_status() == Some(409) && attempt == 0 => {
                version = get(conn, id)?
                    .ok_or_else(|| Error::validation(messages::user_not_found(id)))?
                    .version;
            }
            Ok(v) => return parse_user(v, "PUT /api/2/users/{id}"),
            Err(e) => return Err(e),
        }
    }
    Err(Error::internal("user update retry exhausted"))
}

/// Ids of the users of a tenant (`GET /tenants/{id}/users`), to find a user whose creation
/// answer was lost.
pub fn tenant_user_ids(conn: &mut Connection, tenant_id: &str) -> Result<Vec<String>> {
    let v = tenants::sub_resource(conn, tenant_id, "tenant id", "users")?;
    #[derive(Deserialize)]
    struct Ids {
        items: Vec<String>,
    }
    let ids: Ids = crate::platform::error_answer::parse_answer(v, "GET /api/2/tenants/{id}/users")?;
    Ok(ids.items)
}

/// Roles marked `is_default` for the tenant's applications (§B.8, template role `user`).
pub fn default_roles(conn: &mut Connection, tenant_id: &str) -> Result<Vec<String>> {
    let v = tenants::sub_resource(conn, tenant_id, "tenant id", "applications/roles")?;
    #[derive(Deserialize)]
    struct Role {
        role: String,
        #[serde(default)]
        is_default: bool,
    }
    #[derive(Deserialize)]
    struct Roles {
        items: Vec<Role>,
    }
    let roles: Roles = crate::platform::error_answer::parse_answer(
        v,
        "GET /api/2/tenants/{id}/applications/roles",
    )?;
    let mut out: Vec<String> = Vec::new();
    for r in roles.items.into_iter().filter(|r| r.is_default) {
        if !out.contains(&r.role) {
            out.push(r.role);
        }
    }
    Ok(out)
}

/// E-mail activation (docs/platform-calls.md): the platform mails the user a link.
pub fn send_activation_email(conn: &mut Connection, login: &str, email: &str) -> Result<()> {
    conn.call(
        Method::Post,
        "/api/1/actions/mail/activate",
        &[],
        Some(json!({"login": login, "email": email})),
    )
    .map(|_| ())
}

/// Password activation (docs/platform-calls.md): one-time token, then the password. The password only
/// travels in the body, never in a URL.
pub fn activate_with_password(
    conn: &mut Connection,
    login: &str,
    email: &str,
    password: &str,
) -> Result<()> {
    let v = conn.call(
        Method::Get,
        "/api/1/actions/mail/activate",
        &[("login", login), ("email", email)],
        None,
    )?;
    let token = v
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            crate::platform::error_answer::unexpected(
                "GET /api/1/actions/mail/activate",
                "no token",
            )
        })?
        .to_string();
    conn.call(
        Method::Post,
        "/api/1/actions/activate",
        &[("token", &token)],
        Some(json!({ "password": password })),
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_logins_have_the_reference_shape() {
        let l = generated_login("service-42/0");
        assert_eq!(l.len(), 9);
        assert!(l.starts_with('W'));
        assert!(l[1..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_ne!(generated_login("a/0"), generated_login("a/1"));
    }

    #[test]
    fn login_characters() {
        assert!(valid_login("john+backup@example.com"));
        assert!(valid_login("jo"), "length is the platform's check");
        assert!(!valid_login(""));
        assert!(!valid_login("john doe"));
        assert!(!valid_login("john#1"));
    }

    #[test]
    fn admin_roles_by_kind() {
        assert_eq!(admin_role("partner"), Some("partner_admin"));
        assert_eq!(admin_role("customer"), Some("company_admin"));
        assert_eq!(admin_role("folder"), None);
    }
}
