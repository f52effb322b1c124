use super::*;
use crate::infra::storage::sqlite::SqliteDb;

const NOW: i64 = 1_717_156_800; // 2024-05-31 12:00:00 UTC

fn db() -> SqliteDb {
    let db = SqliteDb::memory().unwrap();
    schema::ensure(&db).unwrap();
    db
}

fn row(db: &SqliteDb, server: i64, date: &str, status: i64, extra: &str) {
    db.execute(
        &format!(
            "INSERT INTO acroniscloud_service_reports (date, datacenter_id, status, created_at, updated_at, message{}) \
             VALUES (?, ?, ?, ?, ?, ?{})",
            if extra.is_empty() { "" } else { ", ordered_at, ready_at, downloaded_at, aggregated_at, rows_read, tenants, bad_rows, failures" },
            if extra.is_empty() { String::new() } else { format!(", {extra}") }
        ),
        &[
            Value::from(date),
            Value::Int(server),
            Value::Int(status),
            Value::from(format!("{date} 00:05:00")),
            Value::from(format!("{date} 00:05:00")),
            Value::from(if status == -1 { "HTTP 401: Client authentication failed" } else { "" }),
        ],
    )
    .unwrap();
}

fn clock() -> StatusClock {
    StatusClock {
        now: NOW,
        today: "2024-05-31".into(),
        retry_timeout: 300,
        days: 7,
    }
}

fn servers() -> Vec<StatusServer> {
    vec![StatusServer {
        id: 1,
        name: "EU".into(),
        disabled: false,
    }]
}

#[test]
fn a_finished_day_has_step_durations_and_the_next_day_as_next_step() {
    let db = db();
    let base = NOW - 3600;
    row(
        &db,
        1,
        "2024-05-31",
        4,
        &format!(
            "{base}, {}, {}, {}, 120, 3, 2, 0",
            base + 600,
            base + 660,
            base + 661
        ),
    );
    let s = pipeline_status(&db, &servers(), &clock(), &Translator::english()).unwrap();
    let d = &s.servers[0].days[0];
    assert_eq!(d.durations.order_to_ready, Some(600));
    assert_eq!(d.durations.download, Some(60));
    assert_eq!(d.durations.aggregate, Some(1));
    assert_eq!((d.rows, d.tenants, d.bad_rows), (120, 3, 2));
    assert_eq!(d.next_step, "next_day");
    assert_eq!(d.next_run_at, unix_of("2024-06-01 00:00:00"));
    assert_eq!(d.hint_code.as_deref(), Some("bad_rows"));
    assert!(s.servers[0].alert.is_none());
}

#[test]
fn an_auth_failure_gets_the_credentials_hint_and_a_failed_alert() {
    let db = db();
    row(&db, 1, "2024-05-31", -1, "");
    let s = pipeline_status(&db, &servers(), &clock(), &Translator::english()).unwrap();
    let d = &s.servers[0].days[0];
    assert_eq!(d.hint_code.as_deref(), Some("auth"));
    assert!(d.hint.as_deref().unwrap().contains("Test Connection"));
    assert_eq!(d.next_step, "order");
    let alert = s.servers[0].alert.as_ref().unwrap();
    assert_eq!(alert.kind, "failed");
    assert!(alert.message.contains("Client authentication failed"));
    assert_eq!(s.alerts().len(), 1);
}

#[test]
fn a_report_waiting_for_hours_is_a_platform_delay_and_old_data_is_stale() {
    let db = db();
    let ordered = NOW - 7 * 3600;
    db.execute(
        "INSERT INTO acroniscloud_service_reports (date, datacenter_id, status, created_at, ordered_at, last_poll_at, aggregated_at) \
         VALUES ('2024-05-31', 1, 2, '2024-05-31 05:00:00', ?, ?, 0)",
        &[Value::Int(ordered), Value::Int(NOW - 60)],
    )
    .unwrap();
    row(
        &db,
        1,
        "2024-05-28",
        4,
        &format!("{0}, {0}, {0}, {0}, 1, 1, 0, 0", NOW - 4 * 86_400),
    );
    let s = pipeline_status(&db, &servers(), &clock(), &Translator::english()).unwrap();
    let d = &s.servers[0].days[0];
    assert_eq!(d.next_step, "poll");
    assert_eq!(d.next_run_at, Some(NOW - 60 + 300));
    assert_eq!(d.hint_code.as_deref(), Some("platform_delay"));
    assert!(d.hint.as_deref().unwrap().contains('7'));
    let alert = s.servers[0].alert.as_ref().unwrap();
    assert_eq!(alert.kind, "stale");
    assert!(alert.message.contains("2024-05-28"));
}

#[test]
fn a_held_lease_is_reported_with_its_end() {
    let db = db();
    row(&db, 1, "2024-05-31", 3, "");
    assert!(lease::acquire(&db, &lease_name(1, "2024-05-31"), "node-b", NOW, 300).unwrap());
    let s = pipeline_status(&db, &servers(), &clock(), &Translator::english()).unwrap();
    let d = &s.servers[0].days[0];
    assert_eq!(d.hint_code.as_deref(), Some("lease_held"));
    assert_eq!(d.next_step, "download");
    assert_eq!(d.next_run_at, Some(NOW + 300));
    assert_eq!(d.lease.as_ref().unwrap().owner, "node-b");
}

#[test]
fn the_text_table_lists_days_errors_and_hints() {
    let db = db();
    row(&db, 1, "2024-05-31", -1, "");
    let s = pipeline_status(&db, &servers(), &clock(), &Translator::english()).unwrap();
    let text = text_table(&s);
    assert!(text.starts_with("Server"));
    assert!(text.contains("#1 EU  | 2024-05-31 | Error"));
    assert!(text.contains("hint: The platform refused"));
    assert!(text.contains("attention: The usage report of 2024-05-31 failed"));
}

#[test]
fn durations_read_naturally() {
    assert_eq!(duration_text(5), "5 s");
    assert_eq!(duration_text(600), "10 min");
    assert_eq!(duration_text(3900), "1 h 05 min");
    assert_eq!(duration_text(90_000), "1 d 1 h");
}
