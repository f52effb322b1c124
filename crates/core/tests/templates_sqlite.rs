//! Template storage on the WHMCS database (here SQLite through the core's SQL port): CRUD,
//! copy, soft delete, in-use refusal, reopen, and concurrent writers on separate connections.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use acroniscloud_core::features::templates::{
    self, ManagementMode, Mode, OfferingItem, PlatformFacts, RootOfferingItem, SqlTemplates,
    Status, TemplateData, TemplateError, TemplateStorage, TenantKind, UserRole,
};
use acroniscloud_core::infra::storage::sqlite::SqliteDb;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);
impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!(
            "tpl-test-{}-{}-{nanos}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn db(&self) -> PathBuf {
        self.0.join("templates.sqlite")
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn data(name: &str) -> TemplateData {
    TemplateData::builder(name, TenantKind::Customer)
        .description("desc")
        .mode(Mode::Trial)
        .management_mode(ManagementMode::ManagedByServiceProvider)
        .two_factor_auth(true)
        .advanced_packs(&["advanced_backup"])
        .application(
            "backup",
            &["per_workload"],
            vec![
                OfferingItem {
                    name: "pw_workstations".into(),
                    infra_id: None,
                    status: Status::Active,
                    measurement_unit: "quantity".into(),
                    quota_value: Some(10),
                },
                OfferingItem {
                    name: "pw_storage".into(),
                    infra_id: Some("66d7d7b2-4844-4ebd-b467-d407f7234bb1".into()),
                    status: Status::Inactive,
                    measurement_unit: "bytes".into(),
                    quota_value: None,
                },
            ],
        )
        .build()
}

#[test]
fn crud_round_trip() {
    let dir = TempDir::new();
    let conn = SqliteDb::open(&dir.db()).unwrap();
    let store = SqlTemplates::open(&conn).unwrap();
    assert!(store.list().unwrap().is_empty());
    let id = store.create(&data("First")).unwrap();
    let t = store.get(id).unwrap().unwrap();
    assert_eq!(t.data, data("First"));
    assert!(!t.created_at.is_empty());
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "First");
    assert_eq!(list[0].tenant_kind, TenantKind::Customer);

    let mut changed = data("Renamed");
    changed.applications[0].offering_items.remove(0);
    changed.applications[0].offering_items[0].quota_value = Some(5);
    let updated = store.update(id, &changed).unwrap();
    assert_eq!(updated.data, changed, "update returns fresh data (J.2 #15)");
    assert_eq!(store.get(id).unwrap().unwrap().data, changed);
    assert!(store.get(id + 100).unwrap().is_none());
    assert_eq!(
        store.update(id + 100, &changed).unwrap_err(),
        TemplateError::NotFound(id + 100)
    );
}

#[test]
fn data_survives_reopen() {
    let dir = TempDir::new();
    let id = {
        let conn = SqliteDb::open(&dir.db()).unwrap();
        SqlTemplates::open(&conn)
            .unwrap()
            .create(&data("Kept"))
            .unwrap()
    };
    let conn = SqliteDb::open(&dir.db()).unwrap();
    let again = SqlTemplates::open(&conn).unwrap();
    assert_eq!(again.get(id).unwrap().unwrap().data, data("Kept"));
}

#[test]
fn copy_gets_new_id_and_name() {
    let dir = TempDir::new();
    let conn = SqliteDb::open(&dir.db()).unwrap();
    let store = SqlTemplates::open(&conn).unwrap();
    let id = store.create(&data("Source")).unwrap();
    let copy = templates::copy_template(&store, id, "Source copy").unwrap();
    assert_ne!(copy, id);
    let t = store.get(copy).unwrap().unwrap();
    assert_eq!(t.data.name, "Source copy");
    assert_eq!(t.data.applications, data("Source").applications);
    let bad = templates::copy_template(&store, id, "ab").unwrap_err();
    assert!(matches!(bad, TemplateError::Invalid(_)));
    assert_eq!(
        templates::copy_template(&store, 999, "Valid").unwrap_err(),
        TemplateError::NotFound(999)
    );
}

#[test]
fn soft_delete_and_in_use_refusal_l52() {
    let dir = TempDir::new();
    let conn = SqliteDb::open(&dir.db()).unwrap();
    let store = SqlTemplates::open(&conn).unwrap();
    let id = store.create(&data("Used")).unwrap();
    let err = templates::delete_template(&store, id, &["Acronis PW 100".into()]).unwrap_err();
    assert_eq!(err.code(), Some("service_template_is_used"));
    assert_eq!(err.http_status(), 400);
    assert_eq!(
        err.details().unwrap(),
        json!({"products": ["Acronis PW 100"], "error_code": "service_template_is_used"})
    );
    assert!(
        store.get(id).unwrap().is_some(),
        "refused delete keeps the template"
    );
    templates::delete_template(&store, id, &[]).unwrap();
    assert!(store.get(id).unwrap().is_none());
    assert!(store.list().unwrap().is_empty());
    assert_eq!(
        templates::delete_template(&store, id, &[]).unwrap_err(),
        TemplateError::NotFound(id)
    );
    // Ids of deleted templates are never reused (products may still hold them).
    let next = store.create(&data("Next")).unwrap();
    assert!(next > id);
}

fn facts() -> PlatformFacts {
    let item = |name: &str, edition: Option<&str>, infra: Option<&str>| RootOfferingItem {
        name: name.into(),
        infra_id: infra.map(Into::into),
        edition: edition.map(Into::into),
        status: 1,
    };
    PlatformFacts {
        enabled_application_types: vec!["backup".into()],
        root_offering_items: vec![
            item("pw_workstations", Some("per_workload"), None),
            item(
                "pw_storage",
                Some("per_workload"),
                Some("66d7d7b2-4844-4ebd-b467-d407f7234bb1"),
            ),
        ],
        root_infra_ids: vec!["66d7d7b2-4844-4ebd-b467-d407f7234bb1".into()],
        display_name: "Acronis EU2".into(),
        ..Default::default()
    }
}

#[test]
fn service_create_and_update_l46_l51() {
    let dir = TempDir::new();
    let conn = SqliteDb::open(&dir.db()).unwrap();
    let store = SqlTemplates::open(&conn).unwrap();
    let mut body = serde_json::to_value(data("Partner tpl")).unwrap();
    body["tenant_kind"] = json!("partner");
    body["user_role"] = json!("user");
    body["mode"] = json!("production");
    let id = templates::create_template(&store, &facts(), &body).unwrap();
    let stored = store.get(id).unwrap().unwrap();
    assert_eq!(stored.data.user_role, UserRole::Admin);

    let mut upd = body.clone();
    upd["tenant_kind"] = json!("customer");
    upd["name"] = json!("New name");
    upd["id"] = json!(id);
    let t = templates::update_template(&store, &facts(), id, &upd, true).unwrap();
    assert_eq!(t.data.name, "New name");
    assert_eq!(t.data.tenant_kind, TenantKind::Partner);
    assert_eq!(
        templates::server_for_update(&stored, &json!({"server_id": 3}), false),
        Some(3)
    );
    let missing = templates::update_template(&store, &facts(), 555, &upd, true).unwrap_err();
    assert_eq!(
        missing.message(),
        "Cannot update template: No model was found with Id \"555\""
    );
    assert_eq!(missing.http_status(), 500);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = TempDir::new();
    let path = Arc::new(dir.db());
    const THREADS: usize = 8;
    const PER_THREAD: usize = 40;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                // Each thread opens its own connection, as separate PHP workers do.
                let conn = SqliteDb::open(&path).unwrap();
                let store = SqlTemplates::open(&conn).unwrap();
                let mut ids = Vec::new();
                for i in 0..PER_THREAD {
                    let id = store.create(&data(&format!("t{t}-{i}"))).unwrap();
                    if i % 4 == 0 {
                        store.update(id, &data(&format!("t{t}-{i}-u"))).unwrap();
                    }
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), THREADS * PER_THREAD);
    let conn = SqliteDb::open(&path).unwrap();
    let store = SqlTemplates::open(&conn).unwrap();
    let list = store.list().unwrap();
    assert_eq!(list.len(), THREADS * PER_THREAD);
    for id in all {
        assert_eq!(store.get(id).unwrap().unwrap().data.applications.len(), 1);
    }
}
