//! Offering items and quotas (docs/simulator.md, "Offering items"): listings with edition filter,
//! `available_for_child` and the partial, validated PUT.

use super::{need_uuid, seg, Ctx};
use crate::catalog::{ItemDef, ItemType};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::state::{ItemKey, ItemState, Quota, Tenant};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// `edition` query: absent → legacy `standard` only, `*` → all, else that edition.
fn edition_filter(ctx: &Ctx) -> ApiResult<Option<String>> {
    match ctx.query("edition") {
        None => Ok(Some("standard".into())),
        Some(e) if e == "*" => Ok(None),
        Some(e) if ctx.st.catalog.editions.contains(&e) => Ok(Some(e)),
        Some(e) => Err(ApiError::bad_request(format!("Unknown edition `{e}`"))),
    }
}

fn listing(
    ctx: &Ctx,
    tid: &str,
    app: Option<&str>,
    child_kind: Option<&str>,
) -> ApiResult<Vec<Value>> {
    let ed = edition_filter(ctx)?;
    let mut out = Vec::new();
    for idx in ctx.st.available_instances(tid) {
        let inst = &ctx.st.instances[idx];
        let def = ctx.st.def(inst);
        if let Some(e) = &ed {
            if def.edition.as_deref() != Some(e.as_str()) {
                continue;
            }
        }
        if let Some(a) = app {
            if def.app_id != a {
                continue;
            }
        }
        if let Some(k) = child_kind {
            if !def.child_kinds.iter().any(|c| c == k)
                || !ctx.st.item_enabled(tid, &ctx.st.key_of(inst))
            {
                continue;
            }
        }
        out.push(ctx.st.item_json(tid, idx));
    }
    Ok(out)
}

pub fn list(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    let items = listing(ctx, &tid, None, None)?;
    Ok(Response::json(200, &json!({"items": items})))
}

pub fn list_for_app(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let tid = seg(ctx, 3);
    let app = seg(ctx, 5);
    ctx.check_tenant(&auth, &tid)?;
    if ctx.st.catalog.app(&app).is_none() {
        return Err(ApiError::not_found(format!("Application {app} not found")));
    }
    let items = listing(ctx, &tid, Some(&app), None)?;
    Ok(Response::json(200, &json!({"items": items})))
}

pub fn available_for_child(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    let kind = match ctx.query("kind") {
        Some(k) if matches!(k.as_str(), "partner" | "customer" | "folder" | "unit") => k,
        Some(k) => return Err(ApiError::bad_request(format!("Unknown tenant kind `{k}`"))),
        None => return Err(ApiError::bad_request("`kind` query parameter is required")),
    };
    let items = listing(ctx, &tid, None, Some(&kind))?;
    Ok(Response::json(200, &json!({"items": items})))
}

fn opt_nonneg(v: Option<&Value>, what: &str) -> ApiResult<Option<f64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x >= 0.0 => Ok(Some(x)),
            _ => Err(ApiError::bad_request(format!(
                "`{what}` must not be negative"
            ))),
        },
        Some(_) => Err(ApiError::bad_request(format!(
            "`{what}` must be a number or null"
        ))),
    }
}

/// `PUT /tenants/{id}/offering_items`: a partial update. Every entry is validated against
/// a working copy of the tenant's items, then the whole set against the cross-item rules
/// (dependencies, one DR storage), and only then stored — a refused PUT changes nothing.
pub fn update(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    let b = ctx.body()?;
    let list = match b.get("offering_items") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(ApiError::bad_request("`offering_items` must be an array")),
    };
    let enforce = ctx.st.enforce_hard_quota || ctx.fault("hard_quota").is_some();
    let available: HashSet<ItemKey> = ctx
        .st
        .available_instances(&tid)
        .into_iter()
        .map(|i| ctx.st.key_of(&ctx.st.instances[i]))
        .collect();
    let tenant = ctx.tenant(&tid)?.clone();
    let mut put = ItemsPut {
        tid: &tid,
        tenant: &tenant,
        available: &available,
        enforce,
        work: tenant.items.clone(),
        touched: Vec::new(),
    };
    for (n, it) in list.iter().enumerate() {
        put.apply_entry(ctx, n, it)?;
    }
    check_dependencies(ctx, &put.work)?;
    check_single_dr(ctx, &put.work)?;
    let (work, touched) = (put.work, put.touched);
    store_items(ctx, &tid, work, &touched);
    let idxs = ctx.st.available_instances(&tid);
    let items: Vec<Value> = idxs
        .into_iter()
        .map(|i| ctx.st.item_json(&tid, i))
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}

/// The working state of one offering-items PUT.
struct ItemsPut<'a> {
    tid: &'a str,
    /// The tenant as it was before the PUT (apps and usage are read from it).
    tenant: &'a Tenant,
    /// Keys the tenant may hold (its parent enables them).
    available: &'a HashSet<ItemKey>,
    /// Hard quotas: a new limit below current usage is refused.
    enforce: bool,
    work: HashMap<ItemKey, ItemState>,
    /// Keys the PUT named, with whether their quota changed (versions move on those).
    touched: Vec<(ItemKey, bool)>,
}

impl ItemsPut<'_> {
    /// Validates entry `n` of `offering_items` and applies it to the working copy.
    fn apply_entry(&mut self, ctx: &Ctx, n: usize, it: &Value) -> ApiResult<()> {
        let Value::Object(it) = it else {
            return Err(ApiError::bad_request(format!(
                "offering_items[{n}] must be an object"
            )));
        };
        let (def, key) = entry_target(ctx, n, it)?;
        let name = key.0.as_str();
        let status = entry_status(it)?;
        if !self.available.contains(&key) {
            return Err(ApiError::business(
                1021,
                "Offering item is not available",
                format!("Offering item `{name}` is not available for the tenant"),
            )
            .with_ctx(json!({"name": name, "infra_id": key.1})));
        }
        if !self.tenant.apps.contains(&def.app_id) {
            return Err(ApiError::business(
                1026,
                "Cannot enable service",
                format!("Application of `{name}` is not enabled for the tenant"),
            ));
        }
        let mut state = self.work.get(&key).copied().unwrap_or(ItemState {
            status: 0,
            quota: Quota {
                value: None,
                overage: None,
                version: 0,
            },
        });
        match it.get("quota") {
            None | Some(Value::Null) => {}
            Some(Value::Object(q)) => {
                self.apply_quota(&def, &key, q, &mut state)?;
                self.touched.push((key.clone(), true));
            }
            Some(_) => return Err(ApiError::bad_request("`quota` must be an object")),
        }
        state.status = status;
        self.touched.push((key.clone(), false));
        self.work.insert(key, state);
        Ok(())
    }

    /// A quota object: no quota on features, non-negative numbers, the item's current
    /// quota version if one is given, and (when enforced) not below current usage.
    fn apply_quota(
        &self,
        def: &ItemDef,
        key: &ItemKey,
        q: &Map<String, Value>,
        state: &mut ItemState,
    ) -> ApiResult<()> {
        let name = key.0.as_str();
        if def.item_type == ItemType::Feature {
            return Err(ApiError::bad_request(format!(
                "Feature offering item `{name}` cannot have a quota"
            )));
        }
        let value = opt_nonneg(q.get("value"), "quota.value")?;
        let overage = opt_nonneg(q.get("overage"), "quota.overage")?;
        if let Some(v) = q.get("version") {
            let given = v
                .as_f64()
                .ok_or_else(|| ApiError::bad_request("`quota.version` must be a number"))?;
            if given as i64 != state.quota.version {
                return Err(ApiError::version_mismatch(self.tid)
                    .with_ctx(json!({"id": self.tid, "name": name})));
            }
        }
        let usage = self
            .tenant
            .usage
            .get(key)
            .map(|u| u.absolute)
            .unwrap_or(0.0);
        if let (true, Some(v)) = (self.enforce, value) {
            if v + overage.unwrap_or(0.0) < usage {
                return Err(ApiError::business(
                    1022,
                    "Hard quota exceeded",
                    format!("New limit of `{name}` is below current usage {usage}"),
                ));
            }
        }
        state.quota.value = value;
        state.quota.overage = overage;
        Ok(())
    }
}

/// The catalogue item an entry names and its key: the application must own the item, and
/// `infra_id` is required for infra items and refused for the others.
fn entry_target(ctx: &Ctx, n: usize, it: &Map<String, Value>) -> ApiResult<(ItemDef, ItemKey)> {
    let app_id = need_uuid(
        &format!("offering_items[{n}].application_id"),
        it.get("application_id"),
    )?;
    let name = it
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request(format!("offering_items[{n}].name is required")))?;
    let def = ctx
        .st
        .catalog
        .item(name)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("Unknown offering item `{name}`")))?;
    if def.app_id != app_id {
        return Err(ApiError::bad_request(format!(
            "Offering item `{name}` does not belong to application {app_id}"
        )));
    }
    let infra = match (def.item_type, it.get("infra_id")) {
        (ItemType::Infra, None | Some(Value::Null)) => {
            return Err(ApiError::bad_request(format!(
                "`infra_id` is required for infra offering item `{name}`"
            )))
        }
        (ItemType::Infra, v) => need_uuid("infra_id", v)?,
        (_, None | Some(Value::Null)) => String::new(),
        (_, Some(_)) => {
            return Err(ApiError::bad_request(format!(
                "Offering item `{name}` is not bound to an infrastructure component"
            )))
        }
    };
    Ok((def, (name.to_string(), infra)))
}

/// `status`: 0 or 1; absent or null enables the item.
fn entry_status(it: &Map<String, Value>) -> ApiResult<u8> {
    match it.get("status") {
        None | Some(Value::Null) => Ok(1),
        Some(v) => match v.as_f64() {
            Some(0.0) => Ok(0),
            Some(1.0) => Ok(1),
            _ => Err(ApiError::bad_request("`status` must be 0 or 1")),
        },
    }
}

/// Dependencies: an enabled child feature needs its parent item enabled.
fn check_dependencies(ctx: &Ctx, work: &HashMap<ItemKey, ItemState>) -> ApiResult<()> {
    for (key, s) in work {
        if s.status != 1 {
            continue;
        }
        if let Some(parent) = ctx.st.catalog.item(&key.0).and_then(|d| d.parent.clone()) {
            if !work
                .iter()
                .any(|((n, _), ps)| n == &parent && ps.status == 1)
            {
                return Err(ApiError::business(
                    1023,
                    "Offering items dependency error",
                    format!("`{}` requires `{parent}` to be enabled", key.0),
                ));
            }
        }
    }
    Ok(())
}

/// At most one DR storage per tenant.
fn check_single_dr(ctx: &Ctx, work: &HashMap<ItemKey, ItemState>) -> ApiResult<()> {
    let dr: HashSet<&String> = work
        .iter()
        .filter(|((n, infra), s)| {
            s.status == 1
                && !infra.is_empty()
                && ctx.st.catalog.item(n).and_then(|d| d.capability.as_deref())
                    == Some("disaster_recovery")
        })
        .map(|((_, infra), _)| infra)
        .collect();
    if dr.len() > 1 {
        return Err(ApiError::business(
            1015,
            "Infrastructure component conflict",
            "Only one disaster-recovery infrastructure per tenant",
        ));
    }
    Ok(())
}

/// Stores an accepted PUT: changed quotas get a new (epoch-millisecond sized) version,
/// and items switched off are switched off in the whole subtree too.
fn store_items(
    ctx: &mut Ctx,
    tid: &str,
    mut work: HashMap<ItemKey, ItemState>,
    touched: &[(ItemKey, bool)],
) {
    let now_ms = ctx.cluster.clock.now_ms();
    let mut disabled = Vec::new();
    for (key, quota_changed) in touched {
        if let Some(s) = work.get_mut(key) {
            if *quota_changed {
                s.quota.version = (s.quota.version + 1).max(now_ms);
            }
            if s.status == 0 {
                disabled.push(key.clone());
            }
        }
    }
    if let Some(t) = ctx.st.tenants.get_mut(tid) {
        t.items = work;
    }
    for key in disabled {
        ctx.st.cascade_disable(tid, &key);
    }
}
