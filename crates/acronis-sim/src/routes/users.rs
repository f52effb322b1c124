//! Users (docs/platform-calls.md, "Calls"): identity, login checks, CRUD, access policies
//! and activation (v1 token/password/e-mail flows and their v2 equivalents).

use super::{need_uuid, opt_str, req_version, seg, validate_contact, Auth, Ctx};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::ids::random_hex;
use crate::state::{Principal, User};
use serde_json::{json, Map, Value};

const LOGIN_SPECIALS: &str = ".@_-+:!#$%^*={}'`/?";

fn login_valid(l: &str) -> bool {
    l.chars().count() >= 3
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || LOGIN_SPECIALS.contains(c))
}

fn invalid_login(l: &str) -> ApiError {
    ApiError::business(
        1033,
        "Invalid login",
        format!("Login `{l}` does not satisfy the login rules"),
    )
}

fn login_taken(l: &str) -> ApiError {
    ApiError::new(
        409,
        409,
        "Conflict",
        format!("Login `{l}` is already taken"),
    )
    .with_ctx(json!({"login": l}))
}

/// The user of `/api/2/users/{id}/…` (with the caller and the id), if the caller may see it.
fn path_user(ctx: &mut Ctx) -> ApiResult<(Auth, String, User)> {
    let auth = ctx.auth()?;
    let uid = seg(ctx, 3);
    let u = visible_user(ctx, &auth, &uid)?;
    Ok((auth, uid, u))
}

/// A stored user the caller may see: 404 unknown, 403 outside the caller's subtree.
pub(super) fn visible_user(ctx: &mut Ctx, auth: &Auth, uid: &str) -> ApiResult<User> {
    let u = ctx
        .st
        .users
        .get(uid)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("User {uid} not found")))?;
    ctx.check_scope(auth, &u.tenant_id, "User")?;
    Ok(u)
}

fn merge(old: &Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut m = o.clone();
            m.extend(n.iter().map(|(k, v)| (k.clone(), v.clone())));
            Value::Object(m)
        }
        (_, n) => n.clone(),
    }
}

fn string_array(b: &Map<String, Value>, field: &str) -> ApiResult<Option<Vec<Value>>> {
    match b.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(Some(a.clone())),
        Some(_) => Err(ApiError::bad_request(format!(
            "`{field}` must be an array of strings"
        ))),
    }
}

/// Fields POST and PUT set alike: a `contact` object is merged into the current one,
/// the others replace the current value when present. `notifications` and
/// `business_types` come already checked (they are validated before the version).
fn apply_user_fields(
    u: &mut User,
    b: &Map<String, Value>,
    notifications: Option<Vec<Value>>,
    business_types: Option<Vec<Value>>,
) -> ApiResult<()> {
    if let Some(c) = b.get("contact").filter(|c| c.is_object()) {
        u.contact = merge(&u.contact, c);
    }
    if let Some(l) = opt_str(b, "language")? {
        u.language = l;
    }
    if let Some(n) = notifications {
        u.notifications = n;
    }
    if let Some(bt) = business_types {
        u.business_types = bt;
    }
    if let Some(e) = b.get("enabled").and_then(Value::as_bool) {
        u.enabled = e;
    }
    if b.contains_key("external_id") {
        u.external_id = opt_str(b, "external_id")?;
    }
    if b.contains_key("idp_id") {
        u.idp_id = opt_str(b, "idp_id")?;
    }
    Ok(())
}

pub fn me(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    match &auth.principal {
        Principal::User(id) => {
            let u = ctx
                .st
                .users
                .get(id)
                .ok_or_else(|| ApiError::unauthorized("User no longer exists"))?;
            Ok(Response::json(200, &u.to_json()))
        }
        Principal::Client(_) => Err(ApiError::forbidden(
            "The caller is an API client, not a user",
        )),
    }
}

pub fn check_login(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let login = ctx
        .query("username")
        .ok_or_else(|| ApiError::bad_request("`username` query parameter is required"))?;
    if ctx.fault("check_login_taken").is_some() {
        return Err(login_taken(&login));
    }
    if !login_valid(&login) {
        return Err(invalid_login(&login));
    }
    if ctx.st.logins.contains_key(&login.to_lowercase()) {
        return Err(login_taken(&login));
    }
    Ok(Response::empty(204))
}

pub fn create(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let b = ctx.body()?;
    let tid = need_uuid("tenant_id", b.get("tenant_id"))?;
    validate_contact(b.get("contact"))?;
    let email = b
        .get("contact")
        .and_then(|c| c.get("email"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if email.is_empty() {
        return Err(ApiError::bad_request("`contact.email` is required"));
    }
    let login = opt_str(&b, "login")?.unwrap_or_else(|| email.clone());
    if !login_valid(&login) {
        return Err(invalid_login(&login));
    }
    let notifications = string_array(&b, "notifications")?;
    let business_types = string_array(&b, "business_types")?;
    ctx.check_tenant(&auth, &tid)?;
    if ctx.st.logins.contains_key(&login.to_lowercase()) {
        return Err(login_taken(&login));
    }
    let id = ctx.st.next_uuid();
    let mut u = ctx.st.make_user(id, tid, login, &email, ctx.now);
    apply_user_fields(&mut u, &b, notifications, business_types)?;
    let out = u.to_json();
    ctx.st.insert_user(u);
    Ok(Response::json(200, &out))
}

pub fn get(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, _, u) = path_user(ctx)?;
    Ok(Response::json(200, &u.to_json()))
}

pub fn update(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, uid, cur) = path_user(ctx)?;
    let b = ctx.body()?;
    let version = req_version(b.get("version"))?;
    validate_contact(b.get("contact"))?;
    let notifications = string_array(&b, "notifications")?;
    let business_types = string_array(&b, "business_types")?;
    if version != cur.version {
        return Err(ApiError::version_mismatch(&uid));
    }
    let mut u = cur.clone();
    if let Some(l) = opt_str(&b, "login")? {
        if !login_valid(&l) {
            return Err(invalid_login(&l));
        }
        if l.to_lowercase() != cur.login.to_lowercase()
            && ctx.st.logins.contains_key(&l.to_lowercase())
        {
            return Err(login_taken(&l));
        }
        u.login = l;
    }
    apply_user_fields(&mut u, &b, notifications, business_types)?;
    u.version += 1;
    u.updated_at = ctx.now;
    ctx.st.logins.remove(&cur.login.to_lowercase());
    let out = u.to_json();
    ctx.st.insert_user(u);
    Ok(Response::json(200, &out))
}

pub fn delete(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, uid, u) = path_user(ctx)?;
    if let Some(v) = ctx.query("version") {
        if v.parse::<i64>().ok() != Some(u.version) {
            return Err(ApiError::version_mismatch(&uid));
        }
    }
    ctx.st.users.remove(&uid);
    ctx.st.logins.remove(&u.login.to_lowercase());
    ctx.st
        .tokens
        .retain(|_, t| t.principal != Principal::User(uid.clone()));
    Ok(Response::empty(204))
}

pub fn get_policies(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, _, u) = path_user(ctx)?;
    Ok(Response::json(200, &json!({"items": u.policies})))
}

pub fn put_policies(ctx: &mut Ctx) -> ApiResult<Response> {
    let (auth, uid, _) = path_user(ctx)?;
    let b = ctx.body()?;
    let items = match b.get("items") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(ApiError::bad_request("`items` must be an array")),
    };
    let mut out = Vec::new();
    for (n, it) in items.iter().enumerate() {
        let role = it
            .get("role_id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("items[{n}].role_id is required")))?;
        let tid = need_uuid(&format!("items[{n}].tenant_id"), it.get("tenant_id"))?;
        let ttype = it
            .get("trustee_type")
            .and_then(Value::as_str)
            .unwrap_or("user");
        if !matches!(ttype, "user" | "user_group" | "client") {
            return Err(ApiError::bad_request(format!(
                "Unknown trustee_type `{ttype}`"
            )));
        }
        ctx.check_tenant(&auth, &tid)?;
        let kind = ctx.tenant_kind(&tid);
        let ok = match role {
            "partner_admin" | "hci_admin" => matches!(kind.as_str(), "partner" | "folder"),
            "company_admin" => kind == "customer",
            "unit_admin" => kind == "unit",
            "root_admin" => false,
            _ => true,
        };
        if !ok {
            return Err(ApiError::bad_request(format!(
                "Role `{role}` is not valid for a `{kind}` tenant"
            )));
        }
        let id = ctx.st.next_uuid();
        out.push(json!({"id": id, "issuer_id": auth.subject_id(), "trustee_id": uid, "trustee_type": ttype,
                        "version": 1, "tenant_id": tid, "role_id": role}));
    }
    if let Some(u) = ctx.st.users.get_mut(&uid) {
        u.policies = out.clone();
    }
    Ok(Response::json(200, &json!({"items": out})))
}

fn password_from_body(ctx: &Ctx) -> ApiResult<String> {
    let b = ctx.body()?;
    let p = b
        .get("password")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("`password` is required"))?;
    if p.chars().count() < 8 {
        return Err(ApiError::business(
            1027,
            "Does not satisfy business rules",
            "Password must be at least 8 characters long",
        ));
    }
    Ok(p.to_string())
}

pub fn set_password_v2(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, uid, _) = path_user(ctx)?;
    let p = password_from_body(ctx)?;
    ctx.st.set_password(&uid, &p);
    Ok(Response::empty(204))
}

fn send_mail(ctx: &mut Ctx, u: &User, via: &str) {
    let email = u
        .contact
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let token = random_hex(&mut ctx.st.rng, 16);
    ctx.st
        .activation_tokens
        .insert(token.clone(), (u.id.clone(), ctx.now + 86_400));
    ctx.st.mailbox.push(
        json!({"kind": "activation", "to": email, "login": u.login, "user_id": u.id,
        "activation_token": token, "via": via, "time": crate::clock::iso(ctx.now)}),
    );
}

pub fn send_activation_v2(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, _, u) = path_user(ctx)?;
    ctx.optional_body()?;
    send_mail(ctx, &u, "v2");
    Ok(Response::empty(204))
}

fn user_by_login_email(ctx: &mut Ctx, auth: &Auth, login: &str, email: &str) -> ApiResult<User> {
    let uid = ctx
        .st
        .logins
        .get(&login.to_lowercase())
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("User `{login}` not found")))?;
    let u = visible_user(ctx, auth, &uid)?;
    let have = u.contact.get("email").and_then(Value::as_str).unwrap_or("");
    if !have.eq_ignore_ascii_case(email) {
        return Err(ApiError::bad_request("E-mail does not match the user"));
    }
    Ok(u)
}

/// v1 `GET /api/1/actions/mail/activate?login&email` → single-use activation token.
pub fn v1_activation_token(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let (Some(login), Some(email)) = (ctx.query("login"), ctx.query("email")) else {
        return Err(ApiError::bad_request(
            "`login` and `email` query parameters are required",
        ));
    };
    let u = user_by_login_email(ctx, &auth, &login, &email)?;
    let token = random_hex(&mut ctx.st.rng, 16);
    ctx.st
        .activation_tokens
        .insert(token.clone(), (u.id.clone(), ctx.now + 86_400));
    Ok(Response::json(200, &json!({"token": token})))
}

/// v1 `POST /api/1/actions/activate?token=` with `{"password"}`.
pub fn v1_activate(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let token = ctx
        .query("token")
        .ok_or_else(|| ApiError::bad_request("`token` query parameter is required"))?;
    let p = password_from_body(ctx)?;
    let (uid, exp) = ctx
        .st
        .activation_tokens
        .get(&token)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Unknown or used activation token"))?;
    if ctx.now >= exp {
        ctx.st.activation_tokens.remove(&token);
        return Err(ApiError::bad_request("Activation token has expired"));
    }
    ctx.st.activation_tokens.remove(&token);
    if !ctx.st.users.contains_key(&uid) {
        return Err(ApiError::not_found("User not found"));
    }
    ctx.st.set_password(&uid, &p);
    Ok(Response::json(200, &json!({})))
}

/// v1 `POST /api/1/actions/mail/activate` with `{"login","email"}` → mailbox entry.
pub fn v1_activation_mail(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let b = ctx.body()?;
    let login = b
        .get("login")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("`login` is required"))?
        .to_string();
    let email = b
        .get("email")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("`email` is required"))?
        .to_string();
    let u = user_by_login_email(ctx, &auth, &login, &email)?;
    send_mail(ctx, &u, "v1");
    Ok(Response::json(200, &json!({})))
}
