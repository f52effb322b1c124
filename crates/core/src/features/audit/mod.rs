//! Audit trail of one WHMCS service: every change the module makes to a tenant, its users,
//! quotas, pricing mode or state is written as one entry (when, which WHMCS action or admin,
//! what it was before and after). Providers need it to answer "who changed this client's
//! Acronis account, and when" without reading the module log, which is usually off.
//!
//! Provisioning reaches the trail through the [`Recorder`] port only, so the flows stay free
//! of SQL and tests can count entries in memory. Values pass through [`clean`] before they
//! are stored: secrets (passwords, tokens) are never recorded.

pub mod store;

pub use store::SqlAudit;

use crate::infra::error::Result;
use crate::infra::masking::{is_secret_key, MASK};
use serde::Serialize;
use serde_json::Value;

/// Who made a change: the WHMCS action (module callback, hook, cron, admin JSON action) and
/// the admin signed in when there was one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// `CreateAccount`, `ClientEdit`, `adopt_tenant`, `DailyCronJob`…
    pub action: String,
    /// `tbladmins.id`, 0 when no admin was signed in (client order, cron).
    pub admin_id: i64,
}

impl Actor {
    pub fn new(action: impl Into<String>, admin_id: i64) -> Actor {
        Actor {
            action: action.into(),
            admin_id: admin_id.max(0),
        }
    }
}

/// One change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub service_id: i64,
    pub actor: Actor,
    /// What the module did: `create`, `change`, `suspend`, `unsuspend`, `terminate`,
    /// `sync_contact`, `adopt`, `move`, `quota_notice`.
    pub action: String,
    pub before: Value,
    pub after: Value,
    /// The service as the module knows it after the change (ids, template, state, options,
    /// contact): the `before` of the next entry, so no platform call is needed to tell what
    /// changed.
    pub state: Value,
    /// `success`, or the message of a failure (a failed step may still have changed things).
    pub result: String,
}

/// Where entries go. Recording never decides an operation's outcome: the caller logs a
/// failed write as a warning and carries on (the change on the platform already happened).
pub trait Recorder {
    fn record(&self, entry: &Entry) -> Result<()>;
    /// The `state` of the service's latest entry.
    fn last_state(&self, _service_id: i64) -> Result<Option<Value>> {
        Ok(None)
    }
    /// The WHMCS client the module last saw owning the service (`None`: not known yet).
    fn owner(&self, _service_id: i64) -> Result<Option<i64>> {
        Ok(None)
    }
    /// Remembers the service's owner.
    fn set_owner(&self, _service_id: i64, _client_id: i64) -> Result<()> {
        Ok(())
    }
}

/// A recorder that keeps nothing (tools and tests that do not look at the trail).
pub struct NoAudit;

impl Recorder for NoAudit {
    fn record(&self, _entry: &Entry) -> Result<()> {
        Ok(())
    }
}

/// Entries kept in memory (tests).
#[derive(Default)]
pub struct MemoryAudit(pub std::cell::RefCell<Vec<Entry>>);

impl Recorder for MemoryAudit {
    fn record(&self, entry: &Entry) -> Result<()> {
        self.0.borrow_mut().push(entry.clone());
        Ok(())
    }
    fn last_state(&self, service_id: i64) -> Result<Option<Value>> {
        Ok(self
            .0
            .borrow()
            .iter()
            .rev()
            .find(|e| e.service_id == service_id)
            .map(|e| e.state.clone()))
    }
}

/// The value without secrets: every key that names a password, secret or token keeps its
/// place (so the entry still shows that it changed) but its value becomes `*****`; free text
/// goes through the log masking as a last line of defence.
pub fn clean(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let value = match (is_secret_key(k), v) {
                        (_, Value::Null) => Value::Null,
                        (Some(_), _) => Value::String(MASK.into()),
                        (None, other) => clean(other),
                    };
                    (k.clone(), value)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(clean).collect()),
        Value::String(s) => Value::String(crate::infra::masking::mask_text(s)),
        other => other.clone(),
    }
}

/// The keys whose values differ between two objects, with both values (`null` = absent), so
/// an entry shows what changed instead of two full snapshots.
pub fn changed(before: &Value, after: &Value) -> (Value, Value) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return (before.clone(), after.clone());
    };
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for key in b.keys().chain(a.keys()) {
        let (x, y) = (
            b.get(key).unwrap_or(&Value::Null),
            a.get(key).unwrap_or(&Value::Null),
        );
        if x != y && !old.contains_key(key) {
            old.insert(key.clone(), x.clone());
            new.insert(key.clone(), y.clone());
        }
    }
    (Value::Object(old), Value::Object(new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_plain_values_kept() {
        let v = clean(&json!({
            "cloud_password": "S3cret!pw", "tenant_id": "t-1",
            "nested": {"client_secret": "abc", "token": "eyJx.eyJy.sig"},
            "note": "password=hunter2 and more"
        }));
        let text = v.to_string();
        for secret in ["S3cret!pw", "abc\"", "eyJx.eyJy.sig", "hunter2"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(v["tenant_id"], "t-1");
        assert_eq!(v["cloud_password"], MASK);
    }

    #[test]
    fn changed_keeps_only_differing_keys() {
        let (b, a) = changed(
            &json!({"state": "active", "tenant_id": "t"}),
            &json!({"state": "suspended", "tenant_id": "t", "user_id": "u"}),
        );
        assert_eq!(b, json!({"state": "active", "user_id": null}));
        assert_eq!(a, json!({"state": "suspended", "user_id": "u"}));
    }
}
