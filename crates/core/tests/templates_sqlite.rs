//! SQLite template storage: CRUD, copy, soft delete, in-use refusal, import, migrations, file
//! problems and concurrent writers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use acroniscloud_core::error::Error;
use acroniscloud_core::templates::{
    self, Application, Edition, ManagementMode, Mode, OfferingItem, PlatformFacts,
    ReferenceApplication, ReferenceOfferingItem, ReferenceRows, ReferenceTemplate,
    RootOfferingItem, SqliteStorage, Status, TemplateData, TemplateError, TemplateStorage,
    TenantKind, UserRole,
};
use serde_json::json;
use std::path::{Path, PathBuf};
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
        let _ = set_mode(&self.0, 0o755);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn set_mode(p: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
}

fn data(name: &str) -> TemplateData {
    TemplateData {
        name: name.into(),
        description: "desc".into(),
        server_id: 1,
        tenant_kind: TenantKind::Customer,
        user_role: UserRole::Admin,
        mode: Mode::Trial,
        management_mode: ManagementMode::ManagedByServiceProvider,
        two_factor_auth: true,
        enhanced_security: false,
        advanced_packs: vec!["advanced_backup".into()],
        applications: vec![Application {
            kind: "backup".into(),
            editions: vec![Edition {
                name: "per_workload".into(),
                status: Status::Active,
            }],
            status: Status::Active,
            offering_items: vec![
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
        }],
    }
}

#[test]
fn crud_round_trip() {
    let dir = TempDir::new();
    let store = SqliteStorage::open(&dir.db()).unwrap();
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
    let id = SqliteStorage::open(&dir.db())
        .unwrap()
        .create(&data("Kept"))
        .unwrap();
    let again = SqliteStorage::open(&dir.db()).unwrap();
    assert_eq!(again.get(id).unwrap().unwrap().data, data("Kept"));
}

#[test]
fn copy_gets_new_id_and_name() {
    let dir = TempDir::new();
    let store = SqliteStorage::open(&dir.db()).unwrap();
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
    let store = SqliteStorage::open(&dir.db()).unwrap();
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
    let store = SqliteStorage::open(&dir.db()).unwrap();
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
fn import_reference_rows_keeps_ids_and_is_idempotent() {
    let dir = TempDir::new();
    let store = SqliteStorage::open(&dir.db()).unwrap();
    let rows = ReferenceRows {
        templates: vec![
            ReferenceTemplate {
                id: 7,
                name: "Old".into(),
                description: String::new(),
                server_id: 2,
                tenant_kind: "customer".into(),
                user_role: "user".into(),
                created_at: Some("2020-01-01 00:00:00".into()),
                ..Default::default()
            },
            ReferenceTemplate {
                id: 9,
                name: "Gone".into(),
                server_id: 2,
                tenant_kind: "partner".into(),
                user_role: "admin".into(),
                deleted_at: Some("2021-01-01 00:00:00".into()),
                ..Default::default()
            },
        ],
        applications: vec![ReferenceApplication {
            id: 30,
            template_id: 7,
            kind: "backup".into(),
            editions: r#"[{"name":"per_workload","status":"active"}]"#.into(),
            status: "active".into(),
        }],
        offering_items: vec![
            ReferenceOfferingItem {
                id: 41,
                template_application_id: 30,
                name: "pw_storage".into(),
                infra_id: Some(String::new()),
                status: "active".into(),
                measurement_unit: "bytes".into(),
                quota_value: Some(1024),
            },
            ReferenceOfferingItem {
                id: 40,
                template_application_id: 30,
                name: "pw_workstations".into(),
                infra_id: None,
                status: "inactive".into(),
                measurement_unit: "quantity".into(),
                quota_value: None,
            },
        ],
    };
    let report = store.import_reference(&rows).unwrap();
    assert_eq!(report.imported, [7, 9]);
    let t = store.get(7).unwrap().unwrap();
    assert_eq!(t.data.user_role, UserRole::User);
    assert_eq!(t.data.mode, Mode::Production);
    assert_eq!(t.created_at, "2020-01-01 00:00:00");
    let items = &t.data.applications[0].offering_items;
    assert_eq!(items[0].name, "pw_workstations", "row order kept");
    assert_eq!(items[1].infra_id, None);
    assert!(store.get(9).unwrap().is_none(), "deleted stays deleted");
    let again = store.import_reference(&rows).unwrap();
    assert!(again.imported.is_empty());
    assert_eq!(again.skipped, [7, 9]);
    assert!(store.create(&data("After")).unwrap() > 9);

    let mut bad = rows.clone();
    bad.templates[0].id = 20;
    bad.templates[0].tenant_kind = "reseller".into();
    bad.templates.truncate(1);
    bad.templates.push(ReferenceTemplate {
        id: 21,
        name: "Fine".into(),
        server_id: 1,
        tenant_kind: "partner".into(),
        user_role: "admin".into(),
        ..Default::default()
    });
    assert!(store.import_reference(&bad).is_err());
    assert!(
        store.get(21).unwrap().is_none(),
        "failed import writes nothing"
    );
}

#[test]
fn migrations_are_idempotent() {
    let dir = TempDir::new();
    for _ in 0..3 {
        SqliteStorage::open(&dir.db()).unwrap();
    }
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, templates::migrations::latest_version());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn newer_schema_is_refused() {
    let dir = TempDir::new();
    SqliteStorage::open(&dir.db()).unwrap();
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStorage::open(&dir.db()).err().unwrap();
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn corrupt_file_is_refused_and_untouched() {
    let dir = TempDir::new();
    let junk = b"this is not a database, just some text that must survive".repeat(100);
    std::fs::write(dir.db(), &junk).unwrap();
    let err = SqliteStorage::open(&dir.db()).err().unwrap();
    assert!(matches!(err, Error::Config(_)));
    assert!(
        err.to_string().contains("is not a valid template database"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.db()).unwrap(), junk);
}

#[test]
fn damaged_sqlite_file_is_refused() {
    let dir = TempDir::new();
    let store = SqliteStorage::open(&dir.db()).unwrap();
    for i in 0..50 {
        store.create(&data(&format!("T{i}"))).unwrap();
    }
    drop(store);
    // Checkpointed on close; scribble over the pages after the header page.
    let mut bytes = std::fs::read(dir.db()).unwrap();
    let len = bytes.len();
    for b in bytes.iter_mut().take(len).skip(4096) {
        *b = 0xAB;
    }
    std::fs::write(dir.db(), &bytes).unwrap();
    let err = SqliteStorage::open(&dir.db()).err().unwrap();
    assert!(
        err.to_string().contains("is not a valid template database"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.db()).unwrap(), bytes);
}

#[test]
fn foreign_sqlite_file_is_refused() {
    let dir = TempDir::new();
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1);",
    )
    .unwrap();
    drop(conn);
    let err = SqliteStorage::open(&dir.db()).err().unwrap();
    assert!(
        err.to_string().contains("foreign table \"invoices\""),
        "{err}"
    );
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM invoices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn missing_directory_is_created() {
    let dir = TempDir::new();
    let path = dir.0.join("a/b/c/templates.sqlite");
    let store = SqliteStorage::open(&path).unwrap();
    store.create(&data("Deep")).unwrap();
    assert!(path.is_file());
}

#[test]
fn path_that_is_a_directory_is_refused() {
    let dir = TempDir::new();
    let err = SqliteStorage::open(&dir.0).err().unwrap();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("is a directory"), "{err}");
}

/// Root ignores permissions; the checks below only make sense when they apply.
fn permissions_apply(dir: &Path) -> bool {
    let probe = dir.join("probe");
    let denied = std::fs::write(&probe, b"x").is_err();
    let _ = std::fs::remove_file(probe);
    denied
}

#[test]
fn read_only_directory_is_reported() {
    let dir = TempDir::new();
    let ro = dir.0.join("ro");
    std::fs::create_dir(&ro).unwrap();
    set_mode(&ro, 0o555).unwrap();
    if !permissions_apply(&ro) {
        eprintln!("skipped: running with permission bypass (root)");
        return;
    }
    let err = SqliteStorage::open(&ro.join("templates.sqlite"))
        .err()
        .unwrap();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("can write"), "{err}");
}

#[test]
fn read_only_file_is_reported_and_kept() {
    let dir = TempDir::new();
    let id = SqliteStorage::open(&dir.db())
        .unwrap()
        .create(&data("Keep me"))
        .unwrap();
    set_mode(&dir.db(), 0o444).unwrap();
    if !permissions_apply(&dir.0)
        && std::fs::OpenOptions::new()
            .write(true)
            .open(dir.db())
            .is_ok()
    {
        eprintln!("skipped: running with permission bypass (root)");
        return;
    }
    let err = SqliteStorage::open(&dir.db()).err().unwrap();
    assert!(err.to_string().contains("read-only"), "{err}");
    set_mode(&dir.db(), 0o644).unwrap();
    let store = SqliteStorage::open(&dir.db()).unwrap();
    assert_eq!(store.get(id).unwrap().unwrap().data.name, "Keep me");
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
                let store = SqliteStorage::open(&path).unwrap();
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
    let store = SqliteStorage::open(&path).unwrap();
    let list = store.list().unwrap();
    assert_eq!(list.len(), THREADS * PER_THREAD);
    for id in all {
        assert_eq!(store.get(id).unwrap().unwrap().data.applications.len(), 1);
    }
}
