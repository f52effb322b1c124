//! Differential test: a report produced by the simulator's generator (in process) is summed
//! independently from the simulator's state and compared with `summarize_report`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use acronis_sim::state::{Infra, ItemState, UsageValue};
use acroniscloud_core::features::usage::summarize_report;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

const DELTA: [&str; 4] = [
    "compute_points",
    "pw_compute_points",
    "dre_compute_points",
    "p_dre_compute_points",
];

fn remap(name: &str) -> Option<&'static str> {
    match name {
        "pg_storage" | "pw_storage" => Some("pg_child_storages"),
        "pw_dr_storage" => Some("pw_dr_child_storage"),
        "fc_storage" => Some("fc_child_storages"),
        _ => None,
    }
}

struct Generated {
    _sim: acronis_sim::RunningSim,
    gz: Vec<u8>,
    /// tenant → metric → expected value, from the simulator's state.
    expected: HashMap<String, HashMap<String, f64>>,
    platform_owned: HashSet<String>,
    tenants: Vec<String>,
    /// Rows the generator writes (enabled items known to its catalogue).
    rows: u64,
}

/// Generates `count` tenants, gives some of them more storages (a second platform storage
/// with another backend, a partner-owned one, DR storage), and derives the expectation.
fn generate(count: usize) -> Generated {
    let sim = acronis_sim::start(acronis_sim::Config {
        dcs: 1,
        ..acronis_sim::Config::default()
    })
    .unwrap();
    let answer: Value = serde_json::from_str(
        &reqwest::blocking::Client::new()
            .post(format!("{}/__sim/generate", sim.http_url(0)))
            .header("Content-Type", "application/json")
            .body(json!({"tenants": count, "seed": 7}).to_string())
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["created"], json!(count));

    let dc = &sim.cluster.dcs[0];
    let mut st = dc.lock();
    let location = st.infras[0].location_id.clone();
    let root = st.integration_roots[0].clone();
    st.infras.push(Infra {
        id: "5f0c1e2a-0000-4000-8000-00000000aa01".into(),
        name: "Second platform storage".into(),
        location_id: location.clone(),
        capabilities: vec!["backup".into()],
        platform_owned: true,
        owner_tenant_id: root.clone(),
        backend_type: Some("google".into()),
    });
    st.infras.push(Infra {
        id: "5f0c1e2a-0000-4000-8000-00000000aa02".into(),
        name: "Partner storage".into(),
        location_id: location,
        capabilities: vec!["backup".into(), "disaster_recovery".into()],
        platform_owned: false,
        owner_tenant_id: root.clone(),
        backend_type: Some("acronis".into()),
    });
    let backup = st.infras[0].id.clone();
    let tenants = acronis_sim::report_csv::report_tenants(&st, &root, "accounts");
    assert_eq!(tenants.len(), count);
    for (n, id) in tenants.iter().enumerate() {
        let mut extra: Vec<((String, String), f64)> = Vec::new();
        if n % 3 == 0 {
            extra.push((
                (
                    "pw_storage".into(),
                    "5f0c1e2a-0000-4000-8000-00000000aa01".into(),
                ),
                7.0 * 1_073_741_824.0,
            ));
        }
        if n % 4 == 0 {
            extra.push((
                (
                    "pw_storage".into(),
                    "5f0c1e2a-0000-4000-8000-00000000aa02".into(),
                ),
                3.0 * 1_073_741_824.0,
            ));
            extra.push((
                (
                    "pw_dr_storage".into(),
                    "5f0c1e2a-0000-4000-8000-00000000aa02".into(),
                ),
                1_000_000.0 + n as f64,
            ));
        }
        if n % 5 == 0 {
            // Several storages on the same backend: both must count.
            extra.push((("pg_storage".into(), backup.clone()), 123_456.0));
            extra.push((
                (
                    "pg_storage".into(),
                    "5f0c1e2a-0000-4000-8000-00000000aa01".into(),
                ),
                0.5,
            ));
        }
        let t = st.tenants.get_mut(id).unwrap();
        for (key, v) in extra {
            t.items.insert(key.clone(), ItemState::enabled_unlimited());
            t.usage.insert(
                key,
                UsageValue {
                    absolute: v,
                    delta: (v / 10.0).floor(),
                },
            );
        }
    }
    let gz = acronis_sim::report_csv::csv_gz(&st, &tenants).unwrap();

    // Independent expectation from the state (not from the CSV).
    let platform_owned: HashSet<String> = st
        .infras
        .iter()
        .filter(|i| i.platform_owned)
        .map(|i| i.id.clone())
        .collect();
    let mut expected: HashMap<String, HashMap<String, f64>> = HashMap::new();
    let mut rows = 0;
    for id in &tenants {
        let t = &st.tenants[id];
        let trial = t.pricing.mode == "trial";
        for (key, item) in &t.items {
            if item.status != 1 || st.catalog.item(&key.0).is_none() {
                continue;
            }
            rows += 1;
            let usage = t.usage.get(key).copied().unwrap_or_default();
            let raw = if DELTA.contains(&key.0.as_str()) {
                usage.delta
            } else {
                usage.absolute
            };
            // customer → total; others → production (0 while in trial).
            let value = if t.kind == "customer" || !trial {
                raw
            } else {
                0.0
            };
            let infra = (!key.1.is_empty()).then(|| st.infra(&key.1)).flatten();
            let owned = key.1.is_empty() || infra.is_some_and(|i| i.platform_owned);
            let metric = match (owned, remap(&key.0)) {
                (false, Some(to)) => to.to_string(),
                _ => match infra.and_then(|i| i.backend_type.clone()) {
                    Some(b) => format!("{}_{b}", key.0),
                    None => key.0.clone(),
                },
            };
            *expected
                .entry(id.clone())
                .or_default()
                .entry(metric)
                .or_default() += value;
        }
    }
    drop(st);
    Generated {
        _sim: sim,
        gz,
        expected,
        platform_owned,
        tenants,
        rows,
    }
}

fn read_json(path: &std::path::Path) -> HashMap<String, HashMap<String, f64>> {
    let v: HashMap<String, HashMap<String, Value>> =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.into_iter()
        .map(|(t, m)| {
            (
                t,
                m.into_iter()
                    .map(|(k, v)| (k, v.as_f64().unwrap()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn summarize_matches_an_independent_sum_of_the_generated_report() {
    let g = generate(3000);
    let dir = std::env::temp_dir().join(format!("usage-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.csv.gz");
    let out = dir.join("summary.json");
    std::fs::write(&report, &g.gz).unwrap();

    let summary = summarize_report(&report, &out, None, Some(&g.platform_owned)).unwrap();
    // 5 generated items a tenant plus the added storages.
    assert_eq!(g.rows, 5 * 3000 + 1000 + 2 * 750 + 2 * 600);
    assert_eq!(summary.rows, g.rows);
    assert_eq!(summary.bad_rows, 0);
    assert_eq!(summary.tenants, 3000);
    // Four distinct infras: backup, DR and the two added ones.
    assert_eq!(summary.infra_lookups, 4);
    let got = read_json(&out);
    assert_eq!(got, g.expected);
    // Spot checks of the rules the test is about.
    let first = &got[&g.tenants[0]];
    assert!(first["pw_storage_acronis"] > 0.0);
    assert_eq!(first["pw_storage_google"], 7.0 * 1_073_741_824.0);
    assert!(first.contains_key("pw_dr_child_storage"));
    assert!(first["pg_storage_acronis"] > 0.0);

    // Known tenants: every other one.
    let known: HashSet<String> = g.tenants.iter().step_by(2).cloned().collect();
    let summary = summarize_report(&report, &out, Some(&known), Some(&g.platform_owned)).unwrap();
    assert_eq!(summary.tenants, 1500);
    let got = read_json(&out);
    let want: HashMap<_, _> = g
        .expected
        .iter()
        .filter(|(t, _)| known.contains(*t))
        .map(|(t, m)| (t.clone(), m.clone()))
        .collect();
    assert_eq!(got, want);
    std::fs::remove_dir_all(&dir).unwrap();
}
