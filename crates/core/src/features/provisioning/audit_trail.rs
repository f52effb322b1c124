//! The one place provisioning writes the audit trail: [`audited`] runs an operation with a
//! host that notes every custom field it saves, then records one entry with what changed.
//! The service's state is kept as a snapshot in the trail (the `state` of the latest entry),
//! so before → after needs no extra platform call and a flow never has to remember to log.

use super::{field, Context, Host, ServiceInput};
use crate::features::audit::{changed, Actor, Entry};
use crate::infra::error::Result;
use crate::platform::http::Exchange;
use crate::platform::server_settings::ServerRecord;
use serde_json::{json, Map, Value};

/// A [`Host`] that passes everything through and remembers the saved fields.
struct Noting<'h> {
    inner: &'h mut dyn Host,
    saved: Vec<(String, Option<String>)>,
}

impl Host for Noting<'_> {
    fn server(&mut self, id: i64) -> Result<Option<ServerRecord>> {
        self.inner.server(id)
    }
    fn assign_server(&mut self, id: i64) -> Result<()> {
        self.inner.assign_server(id)
    }
    fn save_fields(&mut self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        self.inner.save_fields(changes)?;
        self.saved.extend(
            changes
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.map(str::to_string))),
        );
        Ok(())
    }
    fn exchanges(&mut self, exchanges: Vec<Exchange>) {
        self.inner.exchanges(exchanges);
    }
    fn warn(&mut self, message: &str) {
        self.inner.warn(message);
    }
    fn services_with_tenant(&mut self, tenant_id: &str) -> Result<Vec<i64>> {
        self.inner.services_with_tenant(tenant_id)
    }
    fn move_updates_user_email(&self) -> bool {
        self.inner.move_updates_user_email()
    }
}

/// The service as WHMCS describes it now: the starting point when the trail has no entry.
fn snapshot_of(input: &ServiceInput) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        field::TENANT_ID.into(),
        json!(input.fields.tenant_id.trim()),
    );
    m.insert(field::USER_ID.into(), json!(input.fields.user_id.trim()));
    m.insert(
        field::CLOUD_LOGIN.into(),
        json!(input.fields.cloud_login.trim()),
    );
    m.insert("client_id".into(), json!(input.client_id));
    m
}

/// What `action` itself says about the service afterwards (the fields come from the saves).
fn apply_action(state: &mut Map<String, Value>, action: &str, input: &ServiceInput) {
    let mut set = |k: &str, v: Value| {
        state.insert(k.to_string(), v);
    };
    match action {
        "create" | "change" => {
            set("state", json!("active"));
            set("product_id", json!(input.product_id));
            set("template_id", json!(input.template_id.trim()));
            let options: Map<String, Value> = input
                .config_options
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            set("config_options", Value::Object(options));
            set("email", json!(input.client.email.trim()));
        }
        "suspend" => set("state", json!("suspended")),
        "unsuspend" => set("state", json!("active")),
        "terminate" => set("state", json!("terminated")),
        "sync_contact" => set("email", json!(input.client.email.trim())),
        _ => {}
    }
    set("client_id", json!(input.client_id));
}

/// Runs `op` and records what it changed as one audit entry (also after a failure that had
/// already changed something). A failed write of the trail is a warning, never the result.
pub fn audited<T>(
    ctx: &mut Context<'_>,
    input: &ServiceInput,
    action: &str,
    op: impl FnOnce(&mut Context<'_>) -> Result<T>,
) -> Result<T> {
    follow_owner(ctx, input);
    let before = last_state(ctx, input);
    let (outcome, saved) = run_noting(ctx, op);
    let mut after = before.clone();
    for (k, v) in saved.iter().filter(|(k, _)| k != field::CLOUD_PASSWORD) {
        after.insert(k.clone(), v.as_deref().map_or(json!(""), |s| json!(s)));
    }
    if outcome.is_ok() {
        apply_action(&mut after, action, input);
    } else if saved.is_empty() {
        return outcome;
    }
    let (b, a) = changed(&Value::Object(before), &Value::Object(after.clone()));
    let entry = Entry {
        service_id: input.service_id,
        actor: ctx.actor.clone(),
        action: action.to_string(),
        before: b,
        after: a,
        state: Value::Object(after),
        result: match &outcome {
            Ok(_) => "success".into(),
            Err(e) => e.to_string(),
        },
    };
    record(ctx, input, &entry);
    outcome
}

/// A service WHMCS gave to another client since the last call: follow it first, so the
/// operation and its entry see the new owner. A failed move never stops the operation (the
/// next call retries it).
fn follow_owner(ctx: &mut Context<'_>, input: &ServiceInput) {
    if let Err(e) = super::owner_move::follow(ctx, input) {
        ctx.host.warn(&format!(
            "The move of the service {} to the client {} was not completed on Acronis Cyber Cloud: {e}",
            input.service_id, input.client_id
        ));
    }
}

/// Runs `op` with a host that notes the saved custom fields; returns its outcome and them.
fn run_noting<T>(
    ctx: &mut Context<'_>,
    op: impl FnOnce(&mut Context<'_>) -> Result<T>,
) -> (Result<T>, Vec<(String, Option<String>)>) {
    let mut noting = Noting {
        inner: &mut *ctx.host,
        saved: Vec::new(),
    };
    let mut inner = Context {
        config: ctx.config,
        templates: ctx.templates,
        progress: ctx.progress,
        host: &mut noting,
        audit: ctx.audit,
        actor: ctx.actor.clone(),
    };
    let outcome = op(&mut inner);
    (outcome, noting.saved)
}

/// The service's state in the trail's latest entry, or as WHMCS describes it now.
fn last_state(ctx: &Context<'_>, input: &ServiceInput) -> Map<String, Value> {
    match ctx.audit.last_state(input.service_id) {
        Ok(Some(Value::Object(m))) => m,
        _ => snapshot_of(input),
    }
}

/// Writes the entry; a failure is only a warning.
fn record(ctx: &mut Context<'_>, input: &ServiceInput, entry: &Entry) {
    if let Err(e) = ctx.audit.record(entry) {
        ctx.host.warn(&format!(
            "The audit trail entry of the service {} was not written: {e}",
            input.service_id
        ));
    }
}

/// Records an entry that is not a provisioning run (adopt, move, quota notice): `changes`
/// (key → (before, after)) merged into the service's state.
pub fn note(
    ctx: &mut Context<'_>,
    input: &ServiceInput,
    action: &str,
    changes: &[(&str, Value, Value)],
    result: &str,
) {
    let mut state = last_state(ctx, input);
    let mut before = Map::new();
    let mut after = Map::new();
    for (k, b, a) in changes {
        before.insert((*k).to_string(), b.clone());
        after.insert((*k).to_string(), a.clone());
        state.insert((*k).to_string(), a.clone());
    }
    let entry = Entry {
        service_id: input.service_id,
        actor: ctx.actor.clone(),
        action: action.to_string(),
        before: Value::Object(before),
        after: Value::Object(after),
        state: Value::Object(state),
        result: result.to_string(),
    };
    record(ctx, input, &entry);
}

/// Actor of calls that name none (tools, tests).
pub fn unknown_actor() -> Actor {
    Actor::new("module", 0)
}
