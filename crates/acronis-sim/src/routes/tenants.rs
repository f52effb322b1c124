//! Tenants: CRUD, children, pricing (rules: docs/simulator.md, "Tenant hierarchy").

use super::{need_uuid, opt_str, req_version, uuid_list, validate_contact, Auth, Ctx};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::state::Tenant;
use serde_json::{json, Map, Value};

const KINDS: &[&str] = &["partner", "folder", "customer", "unit"];

/// Hierarchy rule (docs/simulator.md, "Tenant hierarchy").
fn child_allowed(parent_kind: &str, child_kind: &str) -> bool {
    match parent_kind {
        "partner" | "folder" | "root" => matches!(child_kind, "partner" | "folder" | "customer"),
        "customer" | "unit" => child_kind == "unit",
        _ => false,
    }
}

fn name_taken(ctx: &Ctx, parent: &str, name: &str, except: Option<&str>) -> bool {
    let lower = name.to_lowercase();
    ctx.st.tenants.get(parent).map(|p| {
        p.children.iter().any(|c| {
            Some(c.as_str()) != except
                && ctx
                    .st
                    .tenants
                    .get(c)
                    .map(|t| t.name.to_lowercase() == lower)
                    .unwrap_or(false)
        })
    }) == Some(true)
}

fn validate_common(b: &Map<String, Value>) -> ApiResult<()> {
    validate_contact(b.get("contact"))?;
    for f in ["customer_id", "language", "customer_type"] {
        opt_str(b, f)?;
    }
    if let Some(tag) = opt_str(b, "internal_tag")? {
        if tag.chars().count() > 256 {
            return Err(ApiError::bad_request(
                "`internal_tag` must not exceed 256 characters",
            ));
        }
    }
    if let Some(v) = b.get("enabled") {
        if !v.is_boolean() {
            return Err(ApiError::bad_request("`enabled` must be a boolean"));
        }
    }
    if let Some(v) = b.get("default_idp_id") {
        if !v.is_null() {
            need_uuid("default_idp_id", Some(v))?;
        }
    }
    if let Some(v) = b.get("update_lock") {
        if !(v.is_null() || v.get("enabled").map(Value::is_boolean).unwrap_or(false)) {
            return Err(ApiError::bad_request(
                "`update_lock` must be {\"enabled\": bool}",
            ));
        }
    }
    Ok(())
}

fn merge_contact(old: &Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut m = o.clone();
            for (k, v) in n {
                m.insert(k.clone(), v.clone());
            }
            Value::Object(m)
        }
        (_, n) => n.clone(),
    }
}

pub fn get(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let t = ctx.tenant(&id)?;
    Ok(Response::json(200, &t.to_json()))
}

pub fn list(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let items: Vec<Value> = match ctx.query("uuids") {
        Some(raw) => uuid_list(Some(raw), "uuids")?
            .iter()
            .filter(|id| ctx.check_tenant(&auth, id).is_ok())
            .filter_map(|id| ctx.st.tenants.get(id).map(|t| t.to_json()))
            .collect(),
        None => match ctx.query("parent_id") {
            Some(p) => {
                ctx.check_tenant(&auth, &p)?;
                let kids = ctx.children_of(&p);
                kids.iter()
                    .filter_map(|id| ctx.st.tenants.get(id).map(|t| t.to_json()))
                    .collect()
            }
            None => {
                return Err(ApiError::bad_request(
                    "`uuids` or `parent_id` query parameter is required",
                ))
            }
        },
    };
    Ok(Response::json(
        200,
        &json!({"items": items, "timestamp": crate::clock::iso(ctx.now)}),
    ))
}

/// `POST /tenants`: validates the body, the caller's scope, the hierarchy rule and the
/// parent's state, then the sibling name, and creates the tenant.
pub fn create(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let b = ctx.body()?;
    let name = match b.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        Some(_) => return Err(ApiError::bad_request("`name` must not be empty")),
        None => return Err(ApiError::bad_request("`name` is required")),
    };
    let parent = need_uuid("parent_id", b.get("parent_id"))?;
    let kind = match b.get("kind").and_then(Value::as_str) {
        Some(k) if KINDS.contains(&k) => k.to_string(),
        Some(k) => return Err(ApiError::bad_request(format!("Unknown tenant kind `{k}`"))),
        None => return Err(ApiError::bad_request("`kind` is required")),
    };
    validate_common(&b)?;
    ctx.check_tenant(&auth, &parent)?;
    check_new_parent(ctx, &parent, &kind)?;
    if ctx.fault("tenant_name_race").is_some() && !name_taken(ctx, &parent, &name, None) {
        // Another client's create took the name a moment before this one (a sibling without
        // any customer tag), so the name check below answers the conflict.
        let rival = ctx.st.next_uuid();
        let t = ctx.st.make_tenant(
            rival,
            name.clone(),
            kind.clone(),
            Some(parent.clone()),
            ctx.now,
        );
        ctx.st.insert_tenant(t);
    }
    if name_taken(ctx, &parent, &name, None) {
        return Err(name_conflict(&name).with_ctx(json!({"name": name})));
    }
    let id = ctx.st.next_uuid();
    let mut t = ctx
        .st
        .make_tenant(id.clone(), name, kind, Some(parent), ctx.now);
    apply_common_fields(&mut t, &b)?;
    apply_create_only_fields(&mut t, &b)?;
    let out = t.to_json();
    ctx.st.insert_tenant(t);
    Ok(Response::json(201, &out))
}

/// A new tenant's parent: the hierarchy rule (docs/simulator.md, "Tenant hierarchy")
/// and an enabled parent chain.
fn check_new_parent(ctx: &Ctx, parent: &str, kind: &str) -> ApiResult<()> {
    check_hierarchy(ctx, parent, kind, "be created")?;
    if ctx.st.effectively_disabled(parent) {
        return Err(ApiError::business(
            1003,
            "Parent tenant is disabled",
            format!("Parent tenant {parent} is disabled"),
        ));
    }
    Ok(())
}

/// 409 for a sibling with the same name (case-insensitive).
fn name_conflict(name: &str) -> ApiError {
    ApiError::new(
        409,
        1004,
        "Tenant name conflict",
        format!("A tenant named `{name}` already exists"),
    )
}

/// Fields POST and PUT set alike (already checked by [`validate_common`]): a `contact`
/// object is merged into the current one, the others replace the current value.
fn apply_common_fields(t: &mut Tenant, b: &Map<String, Value>) -> ApiResult<()> {
    if let Some(c) = b.get("contact").filter(|c| c.is_object()) {
        t.contact = merge_contact(&t.contact, c);
    }
    if b.contains_key("customer_id") {
        t.customer_id = opt_str(b, "customer_id")?;
    }
    if b.contains_key("internal_tag") {
        t.internal_tag = opt_str(b, "internal_tag")?;
    }
    if let Some(l) = opt_str(b, "language")? {
        t.language = l;
    }
    if let Some(ct) = opt_str(b, "customer_type")? {
        t.customer_type = ct;
    }
    if let Some(e) = b.get("enabled").and_then(Value::as_bool) {
        t.enabled = e;
    }
    if let Some(idp) = opt_str(b, "default_idp_id")? {
        t.default_idp_id = idp;
    }
    if let Some(l) = b
        .get("update_lock")
        .and_then(|v| v.get("enabled"))
        .and_then(Value::as_bool)
    {
        t.update_lock = l;
    }
    Ok(())
}

/// Management mode and enhanced security as a POST gives them.
fn apply_create_only_fields(t: &mut Tenant, b: &Map<String, Value>) -> ApiResult<()> {
    // Management mode may be given at creation too (Acronis's "Provisioning a customer
    // tenant" tutorial sends it in the POST body).
    match b.get("ancestral_access") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(a)) => t.ancestral_access = *a,
        Some(_) => {
            return Err(ApiError::bad_request(
                "`ancestral_access` must be a boolean",
            ))
        }
    }
    // Enhanced security mode: a create-only flag of customer tenants, given in the
    // `settings` object as Acronis's tenant-creation scenarios show it.
    refuse_top_level_enhanced_security(b)?;
    if let Some(on) = settings_enhanced_security(b)? {
        if on && t.kind != "customer" {
            return Err(ApiError::bad_request(
                "`settings.enhanced_security` is only available for customer tenants",
            ));
        }
        t.enhanced_security = on;
    }
    Ok(())
}

/// `PUT /tenants/{id}`: version and update lock first, then a move (parent) and kind
/// change under the hierarchy rule, the sibling name, and the field updates.
pub fn update(ctx: &mut Ctx) -> ApiResult<Response> {
    let (auth, id) = ctx.path_tenant()?;
    let b = ctx.body()?;
    let version = req_version(b.get("version"))?;
    validate_common(&b)?;
    let cur = ctx.tenant(&id)?.clone();
    check_writable(&cur, version, &b)?;
    let mut t = cur.clone();
    let new_parent = checked_new_parent(ctx, &auth, &cur, &b)?;
    let old_parent = cur.parent_id.clone().unwrap_or_default();
    if let Some(k) = b.get("kind").and_then(Value::as_str) {
        if !KINDS.contains(&k) {
            return Err(ApiError::bad_request(format!("Unknown tenant kind `{k}`")));
        }
        t.kind = k.to_string();
    }
    if new_parent != old_parent || t.kind != cur.kind {
        check_hierarchy(ctx, &new_parent, &t.kind, "live")?;
    }
    if let Some(n) = b.get("name") {
        let n = n
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad_request("`name` must be a non-empty string"))?;
        t.name = n.to_string();
    }
    if (t.name.to_lowercase() != cur.name.to_lowercase() || new_parent != old_parent)
        && name_taken(ctx, &new_parent, &t.name, Some(&id))
    {
        return Err(name_conflict(&t.name));
    }
    apply_common_fields(&mut t, &b)?;
    apply_update_only_fields(&mut t, &cur, &b)?;
    t.version += 1;
    t.updated_at = ctx.now;
    let moved = Some(&new_parent) != cur.parent_id.as_ref();
    t.parent_id = Some(new_parent.clone());
    let out = t.to_json();
    ctx.st.tenants.insert(id.clone(), t);
    if moved {
        relink(ctx, &id, cur.parent_id.as_deref(), &new_parent);
    }
    Ok(Response::json(200, &out))
}

/// A PUT names the current version, and a locked tenant takes only a PUT that
/// (also) sets `update_lock`.
fn check_writable(cur: &Tenant, version: i64, b: &Map<String, Value>) -> ApiResult<()> {
    if version != cur.version {
        return Err(ApiError::version_mismatch(&cur.id));
    }
    if cur.update_lock && !b.contains_key("update_lock") {
        return Err(ApiError::business(
            1012,
            "Tenant is locked",
            "The tenant has an update lock",
        ));
    }
    Ok(())
}

/// The parent after a PUT: the current one, or a valid `parent_id` the caller may move
/// the tenant under (not the caller's own tenant, not into its own subtree, not under a
/// disabled tenant).
fn checked_new_parent(
    ctx: &Ctx,
    auth: &Auth,
    cur: &Tenant,
    b: &Map<String, Value>,
) -> ApiResult<String> {
    let id = cur.id.as_str();
    let Some(p) = b.get("parent_id").filter(|v| !v.is_null()) else {
        return Ok(cur.parent_id.clone().unwrap_or_default());
    };
    let new_parent = need_uuid("parent_id", Some(p))?;
    if Some(&new_parent) == cur.parent_id.as_ref() {
        return Ok(new_parent);
    }
    if id == auth.tenant_id {
        return Err(ApiError::forbidden(
            "The caller's own tenant cannot be moved",
        ));
    }
    ctx.check_tenant(auth, &new_parent)?;
    if ctx.st.in_subtree(id, &new_parent) {
        return Err(ApiError::business(
            1007,
            "Attempt to move the tenant under child",
            "Cannot move a tenant into its own subtree",
        ));
    }
    if ctx.st.effectively_disabled(&new_parent) {
        return Err(ApiError::business(
            1013,
            "Attempt to move under disabled tenant",
            "Target parent is disabled",
        ));
    }
    Ok(new_parent)
}

/// The hierarchy rule for a `kind` tenant under `parent`; `verb` says what the tenant
/// cannot do there ("be created", "live") in the 400's message.
fn check_hierarchy(ctx: &Ctx, parent: &str, kind: &str, verb: &str) -> ApiResult<()> {
    let pk = ctx.tenant_kind(parent);
    if !child_allowed(&pk, kind) {
        return Err(ApiError::bad_request(format!(
            "A `{kind}` tenant cannot {verb} inside a `{pk}` tenant"
        )));
    }
    Ok(())
}

/// Fields only a PUT sets: brand, management mode (non-booleans ignored) and the
/// enhanced security flag, which must keep its value.
fn apply_update_only_fields(t: &mut Tenant, cur: &Tenant, b: &Map<String, Value>) -> ApiResult<()> {
    if let Some(bid) = b.get("brand_id").and_then(Value::as_i64) {
        t.brand_id = bid;
    }
    if let Some(a) = b.get("ancestral_access").and_then(Value::as_bool) {
        t.ancestral_access = a;
    }
    refuse_top_level_enhanced_security(b)?;
    if let Some(on) = settings_enhanced_security(b)? {
        if on != cur.enhanced_security {
            return Err(ApiError::bad_request(
                "`settings.enhanced_security` cannot be changed after the tenant is created",
            ));
        }
    }
    Ok(())
}

/// Moves `id` from its old parent's children to the new parent's.
fn relink(ctx: &mut Ctx, id: &str, old_parent: Option<&str>, new_parent: &str) {
    if let Some(old) = old_parent.and_then(|p| ctx.st.tenants.get_mut(p)) {
        old.children.retain(|c| c != id);
    }
    if let Some(np) = ctx.st.tenants.get_mut(new_parent) {
        np.children.push(id.to_string());
    }
}

pub fn delete(ctx: &mut Ctx) -> ApiResult<Response> {
    let (auth, id) = ctx.path_tenant()?;
    let raw = ctx
        .query("version")
        .ok_or_else(|| ApiError::bad_request("`version` query parameter is required"))?;
    let version: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request("`version` must be an integer"))?;
    let t = ctx.tenant(&id)?;
    if version != t.version {
        return Err(ApiError::version_mismatch(&id));
    }
    if id == auth.tenant_id {
        return Err(ApiError::forbidden(
            "The caller's own tenant cannot be deleted",
        ));
    }
    if t.enabled {
        return Err(ApiError::business(
            1006,
            "Attempt to delete non-disabled tenant",
            "It is prohibited to delete a non-disabled tenant",
        ));
    }
    ctx.st.delete_subtree(&id);
    Ok(Response::empty(204))
}

pub fn children(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let kids = ctx.children_of(&id);
    if let Some(p) = ctx.fault("children_paging") {
        let size = p
            .get("page_size")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1) as usize;
        let start: usize = ctx
            .query("after")
            .and_then(|a| a.strip_prefix("cursor-").and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        let page: Vec<String> = kids.iter().skip(start).take(size).cloned().collect();
        let mut body = json!({"items": page});
        if start + size < kids.len() {
            body["paging"] = json!({"cursors": {"after": format!("cursor-{}", start + size)}});
        } else {
            body["paging"] = json!({"cursors": {}});
        }
        return Ok(Response::json(200, &body));
    }
    Ok(Response::json(200, &json!({"items": kids})))
}

pub fn get_pricing(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let t = ctx.tenant(&id)?;
    Ok(Response::json(200, &t.pricing_json()))
}

pub fn put_pricing(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let b = ctx.body()?;
    let version = req_version(b.get("version"))?;
    let mode = match b.get("mode").and_then(Value::as_str) {
        Some(m @ ("trial" | "production")) => m.to_string(),
        Some(m) => return Err(ApiError::bad_request(format!("Unknown pricing mode `{m}`"))),
        None => return Err(ApiError::bad_request("`mode` is required")),
    };
    let now = ctx.now;
    let t = ctx
        .st
        .tenants
        .get_mut(&id)
        .ok_or_else(|| ApiError::tenant_not_found(&id))?;
    if version != t.pricing.version {
        return Err(ApiError::version_mismatch(&id));
    }
    if mode == "trial" && t.pricing.ever_production {
        return Err(ApiError::business(
            1027,
            "Does not satisfy business rules",
            "A tenant in production mode cannot return to trial",
        ));
    }
    if mode == "production" && t.pricing.mode != "production" {
        t.pricing.ever_production = true;
        t.pricing.production_start_date = Some(crate::clock::iso(now));
    }
    if let Some(c) = b.get("currency") {
        t.pricing.currency = c.as_str().map(str::to_string);
    }
    t.pricing.mode = mode;
    t.pricing.version += 1;
    Ok(Response::json(200, &t.pricing_json()))
}

/// `GET /tenants/{id}/users`: UUIDs of the users directly in the tenant (by creation time,
/// then id).
pub fn users(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let mut users: Vec<(i64, String)> = ctx
        .st
        .users
        .values()
        .filter(|u| u.tenant_id == id)
        .map(|u| (u.created_at, u.id.clone()))
        .collect();
    users.sort();
    let items: Vec<String> = users.into_iter().map(|(_, id)| id).collect();
    Ok(Response::json(200, &json!({"items": items})))
}

/// The answer's shape is the one of Acronis's "Provisioning a customer tenant" tutorial.
fn mfa_json(ctx: &Ctx, id: &str, enabled: bool) -> Value {
    let users = ctx.st.users.values().filter(|u| u.tenant_id == id).count();
    json!({
        "mfa_status": if enabled { "enabled" } else { "disabled" },
        "users_count": users,
        "users_with_totp_enabled_count": 0,
        "update_allowed": true,
    })
}

/// `GET /tenants/{id}/mfa/status`.
pub fn get_mfa(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let enabled = ctx.tenant(&id)?.mfa_enabled;
    Ok(Response::json(200, &mfa_json(ctx, &id, enabled)))
}

/// `PUT /tenants/{id}/mfa/status {"enabled": bool}`; units inherit the setting (400).
pub fn put_mfa(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, id) = ctx.path_tenant()?;
    let b = ctx.body()?;
    let enabled = match b.get("enabled") {
        Some(Value::Bool(e)) => *e,
        Some(_) => return Err(ApiError::bad_request("`enabled` must be a boolean")),
        None => return Err(ApiError::bad_request("`enabled` is required")),
    };
    let t = ctx
        .st
        .tenants
        .get_mut(&id)
        .ok_or_else(|| ApiError::tenant_not_found(&id))?;
    if t.kind == "unit" {
        return Err(ApiError::bad_request(
            "Two-factor authentication of a unit is inherited from its parent",
        ));
    }
    // Own resource: the tenant's `version` is not bumped [assumed].
    t.mfa_enabled = enabled;
    Ok(Response::json(200, &mfa_json(ctx, &id, enabled)))
}

/// A top-level `enhanced_security` is not the platform's shape (it belongs in `settings`):
/// refused, so a client sending it learns at once instead of getting a tenant without the mode.
fn refuse_top_level_enhanced_security(b: &Map<String, Value>) -> ApiResult<()> {
    if b.get("enhanced_security").is_some() {
        return Err(ApiError::bad_request(
            "unknown field `enhanced_security`: enhanced security mode is set with `settings.enhanced_security`",
        ));
    }
    Ok(())
}

/// `settings.enhanced_security`: `None` when absent or null; a non-object `settings` or a
/// non-boolean value is a 400.
fn settings_enhanced_security(b: &Map<String, Value>) -> ApiResult<Option<bool>> {
    let settings = match b.get("settings") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(ApiError::bad_request("`settings` must be an object")),
    };
    match settings.get("enhanced_security") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(on)) => Ok(Some(*on)),
        Some(_) => Err(ApiError::bad_request(
            "`settings.enhanced_security` must be a boolean",
        )),
    }
}
