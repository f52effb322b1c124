//! Infrastructure components and locations (docs/simulator.md, "Infrastructure visibility").

use super::{uuid_list, Ctx};
use crate::errors::ApiResult;
use crate::http::Response;
use crate::state::{Infra, Location};
use serde_json::{json, Value};

pub fn tenant_infra(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    Ok(Response::json(
        200,
        &json!({"infras": ctx.st.tenant_infras(&tid)}),
    ))
}

pub fn infra_list(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let ids = uuid_list(ctx.query("uuids"), "uuids")?;
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| ctx.st.infra(id))
        .map(Infra::to_json)
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}

pub fn tenant_locations(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    let infras = ctx.st.tenant_infras(&tid);
    let locs: Vec<String> = ctx
        .st
        .locations
        .iter()
        .filter(|l| {
            infras.iter().any(|i| {
                ctx.st
                    .infra(i)
                    .map(|x| x.location_id == l.id)
                    .unwrap_or(false)
            })
        })
        .map(|l| l.id.clone())
        .collect();
    Ok(Response::json(200, &json!({"locations": locs})))
}

pub fn location_list(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let ids = uuid_list(ctx.query("uuids"), "uuids")?;
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| ctx.st.locations.iter().find(|l| &l.id == id))
        .map(Location::to_json)
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}
