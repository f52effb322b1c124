use super::billing::{mismatches, BilledValue};
use super::platform_scan::over_quota_of;
use super::*;
use crate::infra::storage::sqlite::SqliteDb;
use crate::infra::storage::Value as DbValue;
use serde_json::json;

#[test]
fn usage_above_an_enabled_quota_is_over_quota() {
    let v = json!({"items": [
        {"name": "workstations", "value": 12, "measurement_unit": "quantity",
         "offering_item": {"status": 1, "quota": {"value": 10}}},
        {"name": "servers", "value": 1, "offering_item": {"status": 1, "quota": {"value": 2}}},
        {"name": "vms", "value": 5, "offering_item": {"status": 1, "quota": {"value": null}}},
        {"name": "mobiles", "value": 5, "offering_item": {"status": 0, "quota": {"value": 1}}},
        {"name": "storage", "value": 5}
    ]});
    let over = over_quota_of(&v);
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].item, "workstations");
    assert_eq!((over[0].usage, over[0].quota), (12.0, 10.0));
}

fn store_with_day(db: &SqliteDb, tenant: &str, date: &str, metrics: &str) {
    crate::infra::storage::schema::ensure(db).unwrap();
    db.execute(
        "INSERT INTO acroniscloud_usage_tenant_days (tenant_id, date, server_id, report_row, metrics, updated_at) VALUES (?, ?, 1, 1, ?, 0)",
        &[DbValue::from(tenant), DbValue::from(date), DbValue::from(metrics)],
    )
    .unwrap();
}

fn billed(metric: &str, value: f64) -> BilledValue {
    BilledValue {
        tenant_id: "t1".into(),
        date: "2024-05-31".into(),
        metric: metric.into(),
        value,
    }
}

#[test]
fn billed_values_are_compared_with_the_converted_report_day() {
    let db = SqliteDb::memory().unwrap();
    // 2 GiB of storage, 3 workstations in the report of the 30th (the latest day ≤ the 31st).
    store_with_day(
        &db,
        "t1",
        "2024-05-30",
        r#"{"pw_storage_acronis": 2147483648, "pw_p_workstations": 3}"#,
    );
    let store = UsageStore::open(&db).unwrap();
    let given = [
        billed("pw_storage_acronis", 2.0),
        billed("pw_p_workstations", 4.0),
        billed("pw_p_servers", 1.0),
    ];
    let refs: Vec<&BilledValue> = given.iter().collect();
    let found = mismatches(&store, "t1", &refs).unwrap();
    let names: Vec<&str> = found.iter().map(|m| m.metric.as_str()).collect();
    assert_eq!(names, ["pw_p_workstations", "pw_p_servers"]);
    assert_eq!((found[0].billed, found[0].platform), (4.0, 3.0));
    assert_eq!(found[1].platform, 0.0);
    assert!(
        mismatches(&store, "t2", &refs).unwrap().is_empty(),
        "nothing stored: not judged"
    );
}

#[test]
fn an_unreachable_server_is_one_finding_and_the_others_are_still_checked() {
    let servers = [
        ServerRecord {
            id: Some(1),
            name: "Down".into(),
            hostname: "127.0.0.1".into(),
            port: "1".into(),
            secure: true,
            username: "u".into(),
            password: "secret-pw".into(),
            accesshash: "client_credentials".into(),
        },
        ServerRecord {
            id: Some(2),
            name: "Broken".into(),
            hostname: String::new(),
            ..ServerRecord::default()
        },
    ];
    let mut config = Config::default();
    config.cloud_api.connect_timeout = 1;
    config.cloud_api.retries = 0;
    let input = Input {
        servers: &servers,
        services: &[],
        billed: &[],
        config: &config,
        filter: &Filter::default(),
        t: &Translator::english(),
    };
    let (found, _) = reconcile(&input, None);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.kind == "server_error"));
    assert_eq!(found[1].server_id, 2);
    assert!(found.iter().all(|f| !f.details.contains("secret-pw")));
    let only_two = Filter {
        server_id: Some(2),
        kind: None,
    };
    let input = Input {
        filter: &only_two,
        ..input
    };
    assert_eq!(reconcile(&input, None).0.len(), 1);
}
