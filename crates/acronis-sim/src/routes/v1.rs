//! Legacy v1 reads used by the module-v1 migration (docs/platform-calls.md, "Calls"): a
//! thin view over v2 state with integer ids assigned on first sight.

use super::{seg, Ctx};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use serde_json::json;

/// v1 group kind codes: 31 = partner; customers use 33.
fn kind_code(kind: &str) -> i64 {
    match kind {
        "partner" => 31,
        "folder" => 32,
        "customer" => 33,
        _ => 34,
    }
}

pub fn v1_id(ctx: &mut Ctx, uuid: &str) -> i64 {
    ctx.st.v1_id(uuid)
}

fn group_json(ctx: &mut Ctx, tid: &str) -> serde_json::Value {
    let id = v1_id(ctx, tid);
    let t = ctx.st.tenants.get(tid);
    json!({"id": id, "uuid": tid, "kind": kind_code(t.map(|t| t.kind.as_str()).unwrap_or("")),
           "name": t.map(|t| t.name.clone()), "parent_id": t.and_then(|t| t.parent_id.clone())})
}

pub fn self_children(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let kids = ctx.children_of(&auth.tenant_id);
    let items: Vec<_> = kids.iter().map(|k| group_json(ctx, k)).collect();
    Ok(Response::json(200, &json!({"items": items})))
}

fn resolve(ctx: &Ctx, raw: &str) -> Option<String> {
    match raw.parse::<i64>() {
        Ok(n) => ctx.st.v1_rev.get(&n).cloned(),
        Err(_) => Some(raw.to_string()),
    }
}

pub fn group(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let raw = seg(ctx, 3);
    let tid =
        resolve(ctx, &raw).ok_or_else(|| ApiError::not_found(format!("Group {raw} not found")))?;
    ctx.check_tenant(&auth, &tid)?;
    let g = group_json(ctx, &tid);
    Ok(Response::json(200, &g))
}

/// `GET /api/1/admins/{id}`: administrators of partner (reseller) groups. v1 kept partner
/// admins and customer users apart, so a customer's user is not found here.
pub fn admin(ctx: &mut Ctx) -> ApiResult<Response> {
    account(ctx, true)
}

/// `GET /api/1/users/{id}`: users of customer groups (see [`admin`]).
pub fn user(ctx: &mut Ctx) -> ApiResult<Response> {
    account(ctx, false)
}

fn account(ctx: &mut Ctx, admins: bool) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let raw = seg(ctx, 3);
    let what = if admins { "Admin" } else { "User" };
    let not_found = || ApiError::not_found(format!("{what} {raw} not found"));
    let uid = resolve(ctx, &raw).ok_or_else(not_found)?;
    let u = ctx.st.users.get(&uid).cloned().ok_or_else(not_found)?;
    ctx.check_scope(&auth, &u.tenant_id, "User")?;
    let kind = ctx.tenant_kind(&u.tenant_id);
    if matches!(kind.as_str(), "partner" | "folder") != admins {
        return Err(not_found());
    }
    let id = v1_id(ctx, &uid);
    let gid = v1_id(ctx, &u.tenant_id);
    Ok(Response::json(
        200,
        &json!({"id": id, "uuid": u.id, "login": u.login, "group_id": gid,
        "email": u.contact.get("email"), "activated": u.activated}),
    ))
}
