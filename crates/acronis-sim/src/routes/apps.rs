//! Applications, bindings, roles and editions (docs/platform-calls.md, "Calls").

use super::{seg, Ctx};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use serde_json::{json, Value};

pub fn list(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let items: Vec<Value> = ctx
        .st
        .catalog
        .apps
        .iter()
        .map(|a| {
            let usages: Vec<&str> = match a.app_type.as_str() {
                "backup" => vec!["workstations", "servers", "vms", "storage"],
                "files_cloud" => vec!["seats", "storage"],
                "notary" => vec!["notarizations", "storage"],
                _ => vec![],
            };
            let base = if a.app_type == "platform" { "/api/2".to_string() } else { format!("/{}/", a.app_type) };
            json!({"id": a.id, "name": a.name, "type": a.app_type, "usages": usages, "api_base_url": base})
        })
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}

/// Ids of the applications bound to the (visible) tenant of the path.
fn path_tenant_apps(ctx: &mut Ctx) -> ApiResult<Vec<String>> {
    let (_, id) = ctx.path_tenant()?;
    Ok(ctx.tenant(&id)?.apps.clone())
}

pub fn tenant_apps(ctx: &mut Ctx) -> ApiResult<Response> {
    let apps = path_tenant_apps(ctx)?;
    Ok(Response::json(200, &json!({"items": apps})))
}

pub fn roles(ctx: &mut Ctx) -> ApiResult<Response> {
    let apps = path_tenant_apps(ctx)?;
    let mut items = Vec::new();
    for a in apps {
        let Some(app) = ctx.st.catalog.app(&a) else {
            continue;
        };
        let role = match app.app_type.as_str() {
            "backup" => "backup_user",
            "files_cloud" => "sync_share_user",
            _ => continue,
        };
        items.push(json!({"application_id": app.id, "type": app.app_type, "role": role, "is_default": true}));
    }
    Ok(Response::json(200, &json!({"items": items})))
}

fn binding_target(ctx: &mut Ctx) -> ApiResult<(String, String)> {
    let auth = ctx.auth()?;
    let app = seg(ctx, 3);
    let tid = seg(ctx, 6);
    if ctx.st.catalog.app(&app).is_none() {
        return Err(ApiError::not_found(format!("Application {app} not found")));
    }
    ctx.check_tenant(&auth, &tid)?;
    Ok((app, tid))
}

pub fn bind(ctx: &mut Ctx) -> ApiResult<Response> {
    let (app, tid) = binding_target(ctx)?;
    let t = ctx.tenant(&tid)?;
    if t.apps.contains(&app) {
        return Ok(Response::empty(204));
    }
    let kinds = ctx
        .st
        .catalog
        .app(&app)
        .map(|a| a.tenant_kinds.clone())
        .unwrap_or_default();
    if !kinds.contains(&t.kind) && t.kind != "unit" && t.kind != "folder" {
        return Err(ApiError::business(
            1026,
            "Cannot enable service",
            format!("The application is not available for `{}` tenants", t.kind),
        ));
    }
    let parent_has = t
        .parent_id
        .as_ref()
        .and_then(|p| ctx.st.tenants.get(p))
        .map(|p| p.apps.contains(&app))
        .unwrap_or(false);
    if !parent_has {
        return Err(ApiError::business(
            1026,
            "Cannot enable service",
            "The parent tenant does not have this application",
        ));
    }
    if let Some(t) = ctx.st.tenants.get_mut(&tid) {
        t.apps.push(app);
    }
    Ok(Response::empty(204))
}

pub fn unbind(ctx: &mut Ctx) -> ApiResult<Response> {
    let (app, tid) = binding_target(ctx)?;
    let app_type = ctx
        .st
        .catalog
        .app(&app)
        .map(|a| a.app_type.clone())
        .unwrap_or_default();
    let names: Vec<String> = ctx
        .st
        .catalog
        .items
        .iter()
        .filter(|d| d.app_type == app_type)
        .map(|d| d.name.clone())
        .collect();
    for id in ctx.st.subtree(&tid) {
        if let Some(t) = ctx.st.tenants.get_mut(&id) {
            t.apps.retain(|a| a != &app);
            t.items.retain(|(n, _), _| !names.contains(n));
        }
    }
    Ok(Response::empty(204))
}

pub fn editions(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    Ok(Response::json(
        200,
        &json!({"items": ctx.st.catalog.editions}),
    ))
}
