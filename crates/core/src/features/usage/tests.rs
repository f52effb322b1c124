//! Parser rules and messages (F.4, J.2 #17), metric rules (F.4, J.2 #7/#8, L67–L71), the
//! summary file, and a deterministic mutation property test of the reader.
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use super::csv_reader::{parse_number, read_stream, BadRow, ReadStats, Row, REQUIRED};
use super::metrics::{compute_metrics, metric_name, Aggregator};
use super::summarize::summarize_report;
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// Owned copy of a row for assertions.
#[derive(Debug, Clone, PartialEq)]
struct Owned {
    line: u64,
    tenant: String,
    kind: String,
    app: String,
    name: String,
    edition: String,
    infra: Option<String>,
    owner: Option<String>,
    backend: Option<String>,
    abs: [f64; 3],
    delta: [f64; 3],
    eff: [f64; 3],
}

fn own(r: &Row<'_>) -> Owned {
    Owned {
        line: r.line,
        tenant: r.tenant_id.into(),
        kind: r.tenant_kind.into(),
        app: r.application_id.into(),
        name: r.name.into(),
        edition: r.edition.into(),
        infra: r.infra_id.map(Into::into),
        owner: r.infra_owner_id.map(Into::into),
        backend: r.backend_type.map(Into::into),
        abs: [r.absolute.production, r.absolute.trial, r.absolute.total],
        delta: [r.delta.production, r.delta.trial, r.delta.total],
        eff: [r.effective.production, r.effective.trial, r.effective.total],
    }
}

struct Parsed {
    rows: Vec<Owned>,
    bad: Vec<BadRow>,
    stats: ReadStats,
}

fn parse(bytes: &[u8]) -> Result<Parsed, crate::Error> {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let stats = read_stream(
        std::io::Cursor::new(bytes.to_vec()),
        &mut |r: &Row<'_>| rows.push(own(r)),
        &mut |b: &BadRow| bad.push(b.clone()),
    )?;
    Ok(Parsed { rows, bad, stats })
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const HEADER: &str = "tenant.id,tenant.kind,tenant.name,application.id,edition,name,infra.id,infra.owner_id,infra.backend_type,usage.absolute.production,usage.absolute.trial,usage.absolute.total,usage.delta.production,usage.delta.trial,usage.delta.total,usage.effective.production,usage.effective.trial,usage.effective.total";

/// A data row for `HEADER`.
fn line(
    tenant: &str,
    kind: &str,
    name: &str,
    infra: &str,
    backend: &str,
    abs: f64,
    delta: f64,
) -> String {
    let (p, t) = if kind == "customer" {
        (abs - 1.0, abs)
    } else {
        (abs, abs + 1.0)
    };
    let (dp, dt) = if kind == "customer" {
        (delta - 1.0, delta)
    } else {
        (delta, delta + 1.0)
    };
    format!("{tenant},{kind},Name,app-1,per_workload,{name},{infra},owner-1,{backend},{p},1,{t},{dp},1,{dt},{p},1,{t}")
}

fn csv(lines: &[String]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for l in lines {
        s.push('\n');
        s.push_str(l);
    }
    s.push('\n');
    s.into_bytes()
}

// ---------------------------------------------------------------- parser

#[test]
fn l67_header_without_edition_defaults_to_standard() {
    let header: Vec<&str> = REQUIRED.to_vec();
    let mut s = header.join(",");
    s.push_str("\napp,acronis,I1,O1,pw_storage,T1,customer,1,2,3,4,5,6,7,8,9\n");
    let p = parse(s.as_bytes()).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 1,
            bad_rows: 0
        }
    );
    let r = &p.rows[0];
    assert_eq!(r.edition, "standard");
    assert_eq!(r.app, "app");
    assert_eq!(r.backend.as_deref(), Some("acronis"));
    assert_eq!(r.infra.as_deref(), Some("I1"));
    assert_eq!(r.owner.as_deref(), Some("O1"));
    // REQUIRED order is production, total, trial.
    assert_eq!(r.abs, [1.0, 3.0, 2.0]);
    assert_eq!(r.delta, [4.0, 6.0, 5.0]);
    assert_eq!(r.eff, [7.0, 9.0, 8.0]);
}

#[test]
fn l67_missing_tenant_kind_rejects_the_file() {
    let s = HEADER.replace("tenant.kind,", "") + "\nT1,x,app,e,n,,,,1,1,1,1,1,1,1,1,1\n";
    let err = parse(s.as_bytes()).err().unwrap();
    assert!(matches!(err, crate::Error::Validation(_)));
    assert_eq!(
        err.to_string(),
        "Column names (tenant.kind) must be present in CSV file."
    );
}

#[test]
fn missing_columns_are_all_listed() {
    let s = HEADER
        .replace("tenant.kind,", "")
        .replace("usage.delta.trial,", "")
        + "\n";
    let err = parse(s.as_bytes()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "Column names (tenant.kind, usage.delta.trial) must be present in CSV file."
    );
}

#[test]
fn empty_file_and_blank_only_file_have_no_header() {
    for input in [&b""[..], b"\n\n  \r\n"] {
        let err = parse(input).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "Column names ({}) must be present in CSV file.",
                REQUIRED.join(", ")
            )
        );
    }
    // The same for an empty gzip stream.
    assert!(parse(&gz(b"")).is_err());
}

#[test]
fn header_only_file_has_no_rows() {
    let p = parse(format!("{HEADER}\n").as_bytes()).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 0,
            bad_rows: 0
        }
    );
}

#[test]
fn columns_in_any_order_extra_columns_ignored() {
    let mut cols: Vec<&str> = HEADER.split(',').collect();
    cols.reverse();
    cols.insert(3, "measurement_unit");
    let header = cols.join(",");
    let mut values: Vec<String> = line("T1", "customer", "pw_vms", "", "", 5.0, 2.0)
        .split(',')
        .map(String::from)
        .collect();
    values.reverse();
    values.insert(3, "bytes".into());
    let s = format!("{header}\n{}\n", values.join(","));
    let p = parse(s.as_bytes()).unwrap();
    assert_eq!(p.rows.len(), 1);
    let r = &p.rows[0];
    assert_eq!((r.tenant.as_str(), r.name.as_str()), ("T1", "pw_vms"));
    assert_eq!(r.abs, [4.0, 1.0, 5.0]);
    assert_eq!(r.infra, None);
    assert_eq!(r.backend, None);
}

#[test]
fn quoting_doubling_quoted_commas_crlf_utf8_and_trimming() {
    let s = format!(
        "{}\r\n \"T1\" , customer ,\"Reseller, \"\"Best\"\" Inc.\",app-1,per_workload,\"pw_storage\",\"I,1\",,  acronis  ,1,2,3,4,5,6,7,8,9\r\n\
         T2,customer,Ünïcödé 名前,app-1,per_workload,pw_vms,,,,0,0, 1.5e3 ,0,0,0,0,0,0\r\n",
        HEADER
    );
    let p = parse(s.as_bytes()).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 2,
            bad_rows: 0
        },
        "{:?}",
        p.bad
    );
    let r = &p.rows[0];
    assert_eq!(r.tenant, "T1");
    assert_eq!(r.kind, "customer");
    assert_eq!(r.name, "pw_storage");
    assert_eq!(r.infra.as_deref(), Some("I,1"));
    assert_eq!(r.owner, None);
    assert_eq!(r.backend.as_deref(), Some("acronis"));
    assert_eq!(r.abs, [1.0, 2.0, 3.0]);
    assert_eq!(p.rows[1].abs[2], 1500.0);
    assert_eq!(p.rows[1].line, 3);
}

#[test]
fn quoted_newline_keeps_physical_line_numbers() {
    let s = format!(
        "{HEADER}\nT1,customer,\"two\nlines\",app,e,pw_vms,,,,1,1,1,1,1,1,1,1,1\nT2,customer,x,app,e,pw_vms,,,,x,1,1,1,1,1,1,1,1\n"
    );
    let p = parse(s.as_bytes()).unwrap();
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.bad.len(), 1);
    assert_eq!(p.bad[0].line, 4);
}

#[test]
fn j2_17_blank_lines_are_skipped() {
    let body = format!(
        "{HEADER}\n\n{}\n   \n\r\n{}\n\n\n",
        line("T1", "customer", "pw_vms", "", "", 2.0, 0.0),
        line("T2", "customer", "pw_vms", "", "", 3.0, 0.0)
    );
    let p = parse(body.as_bytes()).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 2,
            bad_rows: 0
        }
    );
    assert_eq!(p.rows[1].line, 6);
    // A blank line before the header is skipped too; a missing final newline is fine.
    let body = format!(
        "\n{HEADER}\n{}",
        line("T1", "customer", "pw_vms", "", "", 2.0, 0.0)
    );
    assert_eq!(parse(body.as_bytes()).unwrap().stats.rows, 1);
}

#[test]
fn short_row_is_reported_with_line_and_skipped() {
    let body = format!(
        "{HEADER}\nT1,customer,Name,app-1\n{}\n",
        line("T2", "customer", "pw_vms", "", "", 2.0, 0.0)
    );
    let p = parse(body.as_bytes()).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 1,
            bad_rows: 1
        }
    );
    assert_eq!(p.bad[0].line, 2);
    assert_eq!(
        p.bad[0].message,
        "Column \"infra.backend_type\" is not set in row \"{\"tenant.id\":\"T1\",\"tenant.kind\":\"customer\",\"tenant.name\":\"Name\",\"application.id\":\"app-1\",\"edition\":null,\"name\":null,\"infra.id\":null,\"infra.owner_id\":null,\"infra.backend_type\":null,\"usage.absolute.production\":null,\"usage.absolute.trial\":null,\"usage.absolute.total\":null,\"usage.delta.production\":null,\"usage.delta.trial\":null,\"usage.delta.total\":null,\"usage.effective.production\":null,\"usage.effective.trial\":null,\"usage.effective.total\":null}\"."
    );
    assert!(p.bad[0]
        .to_string()
        .starts_with("Line 2: Column \"infra.backend_type\" is not set"));
}

#[test]
fn empty_required_values_are_reported() {
    for (col, idx) in [("application.id", 3), ("name", 5), ("tenant.id", 0)] {
        let mut cells: Vec<String> = line("T1", "customer", "pw_vms", "", "", 2.0, 0.0)
            .split(',')
            .map(String::from)
            .collect();
        cells[idx] = "  ".into();
        let p = parse(&csv(&[cells.join(",")])).unwrap();
        assert_eq!(
            p.stats,
            ReadStats {
                rows: 0,
                bad_rows: 1
            }
        );
        let m = &p.bad[0].message;
        assert!(
            m.starts_with(&format!(
                "Column {col} has empty value in row {{\"tenant.id\":"
            )),
            "{m}"
        );
        assert!(m.ends_with("\"usage.effective.total\":\"2\"}."), "{m}");
    }
    // tenant.kind and infra columns may be empty.
    let p = parse(&csv(&[line("T1", "", "pw_vms", "", "", 2.0, 0.0)])).unwrap();
    assert_eq!(p.stats.rows, 1);
}

#[test]
fn non_numeric_usage_is_reported() {
    for bad in [
        "abc", "", "1,5", "0x1A", "1e", ".", "-", "NaN", "inf", "1 2",
    ] {
        let mut cells: Vec<String> = line("T1", "customer", "pw_vms", "", "", 2.0, 0.0)
            .split(',')
            .map(String::from)
            .collect();
        // usage.delta.trial is not used for billing but must still be numeric.
        cells[13] = if bad.contains(',') {
            format!("\"{bad}\"")
        } else {
            bad.into()
        };
        let p = parse(&csv(&[cells.join(",")])).unwrap();
        assert_eq!(
            p.stats,
            ReadStats {
                rows: 0,
                bad_rows: 1
            },
            "{bad}"
        );
        assert_eq!(
            p.bad[0].message,
            format!("Given value \"{bad}\" is not numeric as expected."),
            "{bad}"
        );
    }
}

#[test]
fn numbers_follow_php_is_numeric() {
    let ok = [
        ("0", 0.0),
        ("42", 42.0),
        ("-3", -3.0),
        ("+3", 3.0),
        ("1.5", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1.5E+2", 150.0),
        ("2e-1", 0.2),
        ("1099511627776", 1_099_511_627_776.0),
        ("123456789012345678901234", 1.2345678901234568e23),
    ];
    for (s, v) in ok {
        assert_eq!(parse_number(s.as_bytes()), Some(v), "{s}");
    }
    for s in [
        "", "+", "e5", "1e+", "1.2.3", "12a", "infinity", "0b1", "--1",
    ] {
        assert_eq!(parse_number(s.as_bytes()), None, "{s}");
    }
}

#[test]
fn bad_rows_never_abort_and_are_counted() {
    let mut lines = Vec::new();
    for i in 0..50 {
        if i % 5 == 0 {
            lines.push(format!("T{i},customer,short"));
        } else {
            lines.push(line(
                &format!("T{i}"),
                "customer",
                "pw_vms",
                "",
                "",
                i as f64,
                0.0,
            ));
        }
    }
    let p = parse(&csv(&lines)).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 40,
            bad_rows: 10
        }
    );
    let bad_lines: Vec<u64> = p.bad.iter().map(|b| b.line).collect();
    assert_eq!(bad_lines, (0..10).map(|k| 2 + 5 * k).collect::<Vec<u64>>());
}

#[test]
fn gzip_is_detected_and_equals_plain() {
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            line(
                &format!("T{i}"),
                "customer",
                "pw_vms",
                "",
                "",
                i as f64,
                0.0,
            )
        })
        .collect();
    let plain = csv(&lines);
    let a = parse(&plain).unwrap();
    let b = parse(&gz(&plain)).unwrap();
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.stats.rows, 3000);
    // Concatenated gzip members are one stream.
    let half = plain.len() / 2;
    let cut = half + plain[half..].iter().position(|&c| c == b'\n').unwrap() + 1;
    let mut multi = gz(&plain[..cut]);
    multi.extend(gz(&plain[cut..]));
    assert_eq!(parse(&multi).unwrap().rows, a.rows);
}

#[test]
fn corrupt_or_truncated_gzip_is_an_error() {
    let lines: Vec<String> = (0..20_000)
        .map(|i| {
            line(
                &format!("T{i}"),
                "customer",
                "pw_vms",
                "",
                "",
                i as f64,
                0.0,
            )
        })
        .collect();
    let z = gz(&csv(&lines));
    for data in [z[..z.len() / 2].to_vec(), z[..z.len() - 4].to_vec(), {
        let mut c = z.clone();
        for b in c.iter_mut().skip(100).take(64) {
            *b ^= 0x5a;
        }
        c
    }] {
        let err = parse(&data).err().unwrap();
        assert!(matches!(err, crate::Error::Validation(_)));
        assert!(
            err.to_string()
                .starts_with("The usage report file is not a valid gzip stream or is truncated: "),
            "{err}"
        );
    }
}

#[test]
fn records_across_chunk_boundaries_and_long_quoted_fields() {
    // Rows of varying length with quoted fields so records straddle the 256 KiB chunks.
    let lines: Vec<String> = (0..40_000)
        .map(|i| {
            let pad = "x".repeat(i % 97);
            format!("T{i},customer,\"N, {pad} \"\"q\"\"\",app,e,pw_vms,,,,{i},0,{i},0,0,0,0,0,0")
        })
        .collect();
    let p = parse(&csv(&lines)).unwrap();
    assert_eq!(
        p.stats,
        ReadStats {
            rows: 40_000,
            bad_rows: 0
        }
    );
    for (i, r) in p.rows.iter().enumerate() {
        assert_eq!(r.tenant, format!("T{i}"));
        assert_eq!(r.abs[2], i as f64);
        assert_eq!(r.line, i as u64 + 2);
    }
}

#[test]
fn unterminated_quote_does_not_swallow_the_file() {
    let mut lines = vec![format!(
        "T0,customer,\"open,app,e,pw_vms,,,,1,1,1,1,1,1,1,1,1"
    )];
    let pad = "y".repeat(200);
    for i in 1..30_000 {
        lines.push(format!(
            "T{i},customer,{pad},app,e,pw_vms,,,,1,1,1,1,1,1,1,1,1"
        ));
    }
    let p = parse(&csv(&lines)).unwrap();
    // The broken record is cut at its line break; everything after the cut parses.
    assert_eq!(p.stats.bad_rows, 1);
    assert!(p.stats.rows > 29_000, "{:?}", p.stats);
    assert_eq!(p.rows.last().unwrap().tenant, "T29999");
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let mut s = HEADER.as_bytes().to_vec();
    s.extend_from_slice(b"\nT\xff1,customer,x,app,e,pw_vms,,,,1,1,1,1,1,1,1,1,1\n");
    let p = parse(&s).unwrap();
    assert_eq!(p.rows[0].tenant, "T\u{fffd}1");
}

// ---------------------------------------------------------------- metrics

fn rows_of(bytes: &[u8]) -> Vec<Owned> {
    parse(bytes).unwrap().rows
}

fn metrics_of(
    lines: &[String],
    known: Option<&HashSet<String>>,
    owned: impl Fn(&str) -> bool,
) -> HashMap<String, HashMap<String, f64>> {
    let data = csv(lines);
    let mut agg = Aggregator::new(known, |i: &str| owned(i));
    read_stream(
        std::io::Cursor::new(data),
        &mut |r: &Row<'_>| agg.add(r),
        &mut |b: &BadRow| panic!("{b}"),
    )
    .unwrap();
    agg.finish().to_map()
}

fn set(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn l68_customer_vs_partner_counting_and_delta() {
    let lines = vec![
        format!("C,customer,n,app,e,pw_workstations,,,,3,1,4,0,0,0,3,1,4"),
        format!("P,partner,n,app,e,pw_workstations,,,,7,2,9,0,0,0,7,2,9"),
        format!("C,customer,n,app,e,pw_compute_points,,,,99999,0,99999,7000,200,7200,0,0,0"),
    ];
    let known = set(&["C", "P"]);
    let m = metrics_of(&lines, Some(&known), |_| true);
    assert_eq!(m["C"]["pw_workstations"], 4.0);
    assert_eq!(m["P"]["pw_workstations"], 7.0);
    assert_eq!(m["C"]["pw_compute_points"], 7200.0);
    // The other delta items and a non-customer kind (folder → production).
    for item in [
        "compute_points",
        "dre_compute_points",
        "p_dre_compute_points",
    ] {
        let l = vec![format!("F,folder,n,app,e,{item},,,,5,0,5,60,1,61,0,0,0")];
        assert_eq!(metrics_of(&l, None, |_| true)["F"][item], 60.0);
    }
}

#[test]
fn l69_backend_suffix_and_infra_sum() {
    let lines = vec![
        line(
            "C",
            "customer",
            "pw_storage",
            "I1",
            "acronis",
            10_737_418_240.0,
            0.0,
        ),
        line(
            "C",
            "customer",
            "pw_storage",
            "I2",
            "acronis",
            5_368_709_120.0,
            0.0,
        ),
    ];
    let m = metrics_of(&lines, None, |_| true);
    assert_eq!(m["C"]["pw_storage_acronis"], 16_106_127_360.0);
    assert!(!m["C"].contains_key("pw_storage"));
    assert_eq!(m["C"].len(), 1);
}

#[test]
fn several_storages_of_one_tenant_are_all_counted() {
    // The reference's "usage totals are incorrect" report: every storage must count.
    let lines = vec![
        line("C", "customer", "pw_storage", "I1", "acronis", 100.0, 0.0),
        line("C", "customer", "pw_vms", "", "", 2.0, 0.0),
        line("C", "customer", "pw_storage", "I2", "acronis", 20.0, 0.0),
        line("D", "customer", "pw_storage", "I1", "acronis", 1.0, 0.0),
        line("C", "customer", "pw_storage", "I3", "acronis", 3.0, 0.0),
        line("C", "customer", "pw_storage", "I4", "google", 7.0, 0.0),
    ];
    let m = metrics_of(&lines, None, |_| true);
    assert_eq!(m["C"]["pw_storage_acronis"], 123.0);
    assert_eq!(m["C"]["pw_storage_google"], 7.0);
    assert_eq!(m["D"]["pw_storage_acronis"], 1.0);
}

#[test]
fn l70_partner_owned_storage_is_remapped() {
    let lines = vec![line("P", "partner", "pg_storage", "IP", "", 42.0, 0.0)];
    let m = metrics_of(&lines, None, |i| i != "IP");
    assert_eq!(m["P"]["pg_child_storages"], 42.0);
    assert_eq!(m["P"].len(), 1);
}

#[test]
fn j2_7_and_8_remapped_names_exist_in_the_catalog() {
    let cat = crate::platform::catalog::catalog().unwrap();
    let cases = [
        ("pg_storage", "pg_child_storages"),
        ("pw_storage", "pg_child_storages"),
        ("pw_dr_storage", "pw_dr_child_storage"),
        ("fc_storage", "fc_child_storages"),
    ];
    for (from, to) in cases {
        // J.2 #8: no backend suffix after a partner remap.
        assert_eq!(metric_name(from, Some("acronis"), false), to);
        assert_eq!(metric_name(from, None, false), to);
        assert!(
            cat.billing_metric(to).is_some(),
            "{to} is not a billing metric"
        );
        // Platform-owned storage keeps its name and gets the suffix.
        assert_eq!(
            metric_name(from, Some("azure"), true),
            format!("{from}_azure")
        );
    }
    let lines = vec![line(
        "P",
        "partner",
        "pw_dr_storage",
        "IP",
        "acronis",
        9.0,
        0.0,
    )];
    let m = metrics_of(&lines, None, |_| false);
    assert_eq!(m["P"]["pw_dr_child_storage"], 9.0);
    // Non-storage items are never remapped.
    assert_eq!(metric_name("pw_vms", None, false), "pw_vms");
    assert_eq!(metric_name("pw_storage", None, true), "pw_storage");
}

#[test]
fn rows_without_infra_are_not_remapped_and_not_looked_up() {
    let mut calls = 0;
    let rows = rows_of(&csv(&[line(
        "P",
        "partner",
        "pg_storage",
        "",
        "",
        5.0,
        0.0,
    )]));
    let data = csv(&[line("P", "partner", "pg_storage", "", "", 5.0, 0.0)]);
    let mut agg = Aggregator::new(None, |_: &str| {
        calls += 1;
        false
    });
    read_stream(
        std::io::Cursor::new(data),
        &mut |r: &Row<'_>| agg.add(r),
        &mut |_: &BadRow| {},
    )
    .unwrap();
    let m = agg.finish();
    assert_eq!(m.get("P", "pg_storage"), Some(5.0));
    assert_eq!(calls, 0);
    assert_eq!(rows.len(), 1);
}

#[test]
fn l71_unknown_tenants_are_ignored() {
    let lines = vec![
        line("X", "customer", "pw_vms", "", "", 1.0, 0.0),
        line("C", "customer", "pw_vms", "", "", 2.0, 0.0),
        line("X", "customer", "pw_servers", "", "", 1.0, 0.0),
    ];
    let known = set(&["C"]);
    let m = metrics_of(&lines, Some(&known), |_| true);
    assert!(!m.contains_key("X"));
    assert_eq!(m["C"]["pw_vms"], 2.0);
    assert_eq!(m.len(), 1);
}

#[test]
fn later_row_for_same_tenant_metric_and_infra_overwrites() {
    let lines = vec![
        line("C", "customer", "pw_storage", "I1", "acronis", 10.0, 0.0),
        line("D", "customer", "pw_storage", "I1", "acronis", 1.0, 0.0),
        line("C", "customer", "pw_storage", "I1", "acronis", 30.0, 0.0),
        line("C", "customer", "pw_storage", "I2", "acronis", 5.0, 0.0),
        line("C", "customer", "pw_vms", "", "", 4.0, 0.0),
        line("C", "customer", "pw_vms", "", "", 6.0, 0.0),
    ];
    let m = metrics_of(&lines, None, |_| true);
    assert_eq!(m["C"]["pw_storage_acronis"], 35.0);
    assert_eq!(m["C"]["pw_vms"], 6.0);
}

#[test]
fn platform_owned_is_asked_once_per_distinct_infra() {
    let mut lines = Vec::new();
    for t in 0..500 {
        for i in 0..3 {
            lines.push(line(
                &format!("T{t}"),
                "partner",
                "pw_storage",
                &format!("I{i}"),
                "acronis",
                1.0,
                0.0,
            ));
        }
    }
    let mut asked: Vec<String> = Vec::new();
    let data = csv(&lines);
    let mut agg = Aggregator::new(None, |i: &str| {
        asked.push(i.to_string());
        i != "I2"
    });
    read_stream(
        std::io::Cursor::new(data),
        &mut |r: &Row<'_>| agg.add(r),
        &mut |_: &BadRow| {},
    )
    .unwrap();
    let m = agg.finish();
    assert_eq!(m.infra_lookups, 3);
    assert_eq!(m.get("T7", "pw_storage_acronis"), Some(2.0));
    assert_eq!(m.get("T7", "pg_child_storages"), Some(1.0));
    assert_eq!(asked, vec!["I0", "I1", "I2"]);
}

#[test]
fn worked_example_of_api_spec_6_5() {
    let text = "tenant.id,tenant.kind,tenant.name,application.id,edition,name,usage_name,measurement_unit,infra.id,infra.owner_id,infra.backend_type,usage.absolute.production,usage.absolute.trial,usage.absolute.total,usage.delta.production,usage.delta.trial,usage.delta.total,usage.effective.production,usage.effective.trial,usage.effective.total
8d2e6c14-3a7b-4f59-b0d1-6e9f2a3c5b71,customer,Example Widgets Ltd,0e7c4a91-5f2d-4b83-a6c0-9d1e3f5b7a24,per_workload,pw_workstations,workstations,quantity,,,,0,3,3,0,1,1,0,3,3
8d2e6c14-3a7b-4f59-b0d1-6e9f2a3c5b71,customer,Example Widgets Ltd,0e7c4a91-5f2d-4b83-a6c0-9d1e3f5b7a24,per_workload,pw_storage,storage,bytes,2c6f8a04-9e1b-4d73-a5c2-8b0d6e4f1a39,3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10,acronis,0,53687091200,53687091200,0,1073741824,1073741824,0,53687091200,53687091200
8d2e6c14-3a7b-4f59-b0d1-6e9f2a3c5b71,customer,Example Widgets Ltd,0e7c4a91-5f2d-4b83-a6c0-9d1e3f5b7a24,per_workload,pw_compute_points,compute_points,seconds,d41f7b20-6c3e-4a95-8f10-2b7d9e5c3a68,3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10,,0,7200,7200,0,3600,3600,0,7200,7200
1a5f3d08-9c2e-4b71-a6d4-0e8b2c7f5d93,partner,\"Reseller, Inc.\",0e7c4a91-5f2d-4b83-a6c0-9d1e3f5b7a24,per_gigabyte,pg_storage,storage,bytes,2c6f8a04-9e1b-4d73-a5c2-8b0d6e4f1a39,3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10,acronis,1099511627776,0,1099511627776,0,0,0,1099511627776,0,1099511627776
";
    let rows: Vec<Owned> = rows_of(text.as_bytes());
    assert_eq!(rows.len(), 4);
    let data = text.as_bytes().to_vec();
    let mut agg = Aggregator::new(None, |_: &str| true);
    read_stream(
        std::io::Cursor::new(data),
        &mut |r: &Row<'_>| agg.add(r),
        &mut |_: &BadRow| {},
    )
    .unwrap();
    let m = agg.finish().to_map();
    let c = &m["8d2e6c14-3a7b-4f59-b0d1-6e9f2a3c5b71"];
    assert_eq!(c["pw_workstations"], 3.0);
    assert_eq!(c["pw_storage_acronis"], 53_687_091_200.0);
    assert_eq!(c["pw_compute_points"], 3600.0);
    assert_eq!(
        m["1a5f3d08-9c2e-4b71-a6d4-0e8b2c7f5d93"]["pg_storage_acronis"],
        1_099_511_627_776.0
    );
}

#[test]
fn compute_metrics_is_a_pure_function_of_rows() {
    let data = csv(&[
        line("C", "customer", "pw_vms", "", "", 2.0, 0.0),
        line("P", "partner", "pw_storage", "IP", "acronis", 8.0, 0.0),
    ]);
    // Collect owned copies, then rebuild borrowed rows for the slice API.
    let owned = rows_of(&data);
    let rows: Vec<Row<'_>> = owned
        .iter()
        .map(|o| Row {
            line: o.line,
            tenant_id: &o.tenant,
            tenant_kind: &o.kind,
            application_id: &o.app,
            name: &o.name,
            edition: &o.edition,
            infra_id: o.infra.as_deref(),
            infra_owner_id: o.owner.as_deref(),
            backend_type: o.backend.as_deref(),
            absolute: super::Counters {
                production: o.abs[0],
                trial: o.abs[1],
                total: o.abs[2],
            },
            delta: super::Counters {
                production: o.delta[0],
                trial: o.delta[1],
                total: o.delta[2],
            },
            effective: super::Counters {
                production: o.eff[0],
                trial: o.eff[1],
                total: o.eff[2],
            },
        })
        .collect();
    let m = compute_metrics(&rows, None, |_| false);
    assert_eq!(m.get("C", "pw_vms"), Some(2.0));
    assert_eq!(m.get("P", "pg_child_storages"), Some(8.0));
    assert_eq!(m.tenant_count(), 2);
}

// ---------------------------------------------------------------- summary

#[test]
fn summarize_writes_per_tenant_json_with_defaults_and_options() {
    let dir = std::env::temp_dir().join(format!("usage-sum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("r.csv.gz");
    let out = dir.join("out.json");
    let mut lines = vec![
        line("C", "customer", "pw_storage", "I1", "acronis", 10.0, 0.0),
        line("C", "customer", "pw_storage", "I2", "acronis", 0.5, 0.0),
        line("P", "partner", "pw_storage", "I2", "acronis", 8.0, 0.0),
        line("X", "customer", "pw_vms", "", "", 1.0, 0.0),
    ];
    lines.push("C,customer,short".into());
    std::fs::write(&report, gz(&csv(&lines))).unwrap();

    let s = summarize_report(&report, &out, None, None).unwrap();
    assert_eq!((s.rows, s.bad_rows, s.tenants), (4, 1, 3));
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].starts_with("Line 6: Column \"application.id\" is not set"));
    assert_eq!(s.infra_lookups, 2);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"C": {"pw_storage_acronis": 10.5}, "P": {"pw_storage_acronis": 8}, "X": {"pw_vms": 1}})
    );

    let known = set(&["C", "P"]);
    let owned = set(&["I1"]);
    let s = summarize_report(&report, &out, Some(&known), Some(&owned)).unwrap();
    assert_eq!(s.tenants, 2);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"C": {"pw_storage_acronis": 10, "pg_child_storages": 0.5}, "P": {"pg_child_storages": 8}})
    );

    // A truncated report is an error and leaves the previous output untouched.
    let z = std::fs::read(&report).unwrap();
    std::fs::write(&report, &z[..z.len() - 10]).unwrap();
    let before = std::fs::read(&out).unwrap();
    assert!(summarize_report(&report, &out, None, None).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert!(!dir.join("out.json.partial").exists());

    // Unreadable input and unwritable output.
    let err = summarize_report(&dir.join("missing.csv"), &out, None, None)
        .err()
        .unwrap();
    assert!(matches!(err, crate::Error::Validation(_)));
    assert!(err.to_string().starts_with("The usage report file "));
    std::fs::write(&report, &z).unwrap();
    let err = summarize_report(&report, &dir.join("no/such/dir/out.json"), None, None)
        .err()
        .unwrap();
    assert!(err
        .to_string()
        .starts_with("The usage summary cannot be written to "));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- property test

/// xorshift64*: deterministic, no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Counts non-blank physical lines of a quote-free text (each is one record).
fn records_without_quotes(data: &[u8]) -> u64 {
    data.split(|&b| b == b'\n')
        .filter(|l| {
            !l.iter()
                .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | 0 | 0x0b))
        })
        .count() as u64
}

#[test]
fn property_mutated_inputs_never_panic_and_counts_are_consistent() {
    let quoted = csv(&[
        line("C", "customer", "pw_storage", "I1", "acronis", 10.0, 0.0),
        "P,partner,\"Reseller, \"\"Inc\"\"\",app,e,pw_vms,,,,1,2,3,4,5,6,7,8,9".into(),
        line("D", "folder", "pw_compute_points", "I2", "", 3.0, 2.0),
        line("E", "customer", "pw_vms", "", "", 1.5, 0.0),
    ]);
    let plain = csv(&[
        line("C", "customer", "pw_storage", "I1", "acronis", 10.0, 0.0),
        line("D", "folder", "pw_compute_points", "I2", "", 3.0, 2.0),
        line("E", "customer", "pw_vms", "", "", 1.5, 0.0),
    ]);
    let alphabet = b",\"\n\r ab0.e-+\xff\x00";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked_plain = 0;
    for iteration in 0..3000 {
        let mut data = if iteration % 2 == 0 {
            quoted.clone()
        } else {
            plain.clone()
        };
        for _ in 0..=rng.below(6) {
            let pos = rng.below(data.len() + 1);
            match rng.below(5) {
                0 if pos < data.len() => data[pos] = alphabet[rng.below(alphabet.len())],
                1 => data.insert(pos, alphabet[rng.below(alphabet.len())]),
                2 if pos < data.len() => {
                    data.remove(pos);
                }
                3 => data.truncate(pos),
                _ => {
                    let from = rng.below(data.len());
                    let len = rng.below(40).min(data.len() - from);
                    let piece = data[from..from + len].to_vec();
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, piece);
                }
            }
        }
        let use_gzip = iteration % 5 == 0;
        let input = if use_gzip { gz(&data) } else { data.clone() };
        let mut seen = 0u64;
        let mut bad_seen = 0u64;
        let mut agg = Aggregator::new(None, |i: &str| i.len().is_multiple_of(2));
        let result = read_stream(
            std::io::Cursor::new(input),
            &mut |r: &Row<'_>| {
                seen += 1;
                assert!(
                    !r.tenant_id.is_empty() && !r.name.is_empty() && !r.application_id.is_empty()
                );
                agg.add(r);
            },
            &mut |b: &BadRow| {
                bad_seen += 1;
                assert!(b.line >= 2);
            },
        );
        let metrics = agg.finish();
        match result {
            Ok(stats) => {
                assert_eq!((stats.rows, stats.bad_rows), (seen, bad_seen));
                assert!(metrics.tenant_count() as u64 <= seen);
                if !data.contains(&b'"') {
                    checked_plain += 1;
                    // Without quotes every non-blank line after the header is one record.
                    assert_eq!(
                        stats.rows + stats.bad_rows + 1,
                        records_without_quotes(&data),
                        "iteration {iteration}"
                    );
                }
                // Same bytes, other container: same outcome (sampled: debug gzip is slow).
                if iteration % 5 > 1 {
                    continue;
                }
                let other = if use_gzip { data.clone() } else { gz(&data) };
                let again = read_stream(
                    std::io::Cursor::new(other),
                    &mut |_: &Row<'_>| {},
                    &mut |_: &BadRow| {},
                )
                .unwrap();
                assert_eq!(again, stats);
            }
            Err(e) => {
                assert!(
                    e.to_string().contains("must be present in CSV file."),
                    "iteration {iteration}: {e}"
                );
                assert_eq!(seen + bad_seen, 0);
            }
        }
    }
    assert!(checked_plain > 200, "{checked_plain}");
    // Random bytes, raw and behind a gzip magic: an error or a result, never a panic.
    for _ in 0..2000 {
        let len = rng.below(300);
        let mut data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if rng.below(2) == 0 {
            data.splice(0..0, [0x1f, 0x8b]);
        }
        let _ = read_stream(
            std::io::Cursor::new(data),
            &mut |_: &Row<'_>| {},
            &mut |_: &BadRow| {},
        );
    }
}
