//! Bounded, deterministic fuzz run over the inputs a provider's users and the platform control:
//! the usage CSV reader, the admin and client JSON API bodies and `config.yaml`. Every case
//! must end in a result or a clear error, never a panic. The seed is fixed (override with
//! `ACRONISCLOUD_FUZZ_SEED`, scale with `ACRONISCLOUD_FUZZ_CASES`) so a failure names the case
//! that reproduces it; the default size runs in seconds as part of `make test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code: failures should panic

use acroniscloud_core::features::admin_api::dispatch::{self, Context as AdminContext};
use acroniscloud_core::features::admin_api::guard::Caller;
use acroniscloud_core::features::admin_api::{ApiRequest, ApiResponse};
use acroniscloud_core::features::client_area::{self, Context as ClientContext, Service};
use acroniscloud_core::features::usage::read_stream;
use acroniscloud_core::infra::config_yaml::Config;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn seed() -> u64 {
    std::env::var("ACRONISCLOUD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EC0_2026)
}

fn cases(default: usize) -> usize {
    std::env::var("ACRONISCLOUD_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Keys the module's bodies and files use, so generated documents reach deep code paths.
const KEYS: &[&str] = &[
    "name",
    "server_id",
    "template_id",
    "id",
    "offering_items",
    "notifications",
    "items",
    "application_type",
    "application_id",
    "type",
    "status",
    "quota",
    "value",
    "overage",
    "edition",
    "infra_id",
    "tenant_kind",
    "user_role",
    "description",
    "version",
    "locations",
    "location_id",
    "measurement_unit",
    "enabled",
    "logger",
    "cloud_api",
    "usage_report",
    "templates",
    "product",
    "cache",
    "filename",
    "level",
    "timeout",
    "download_path",
    "overage_ratio",
    "retries",
    "ca_file",
    "allow_plain_http",
    "max_response_mb",
    "",
];

const TEXTS: &[&str] = &[
    "",
    " ",
    "a",
    "backup",
    "pw_storage",
    "active",
    "inactive",
    "customer",
    "partner",
    "per_gigabyte",
    "3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10",
    "../../etc/passwd",
    "%00",
    "\u{0}",
    "\u{202e}evil",
    "😀",
    "ß",
    "null",
    "true",
    "1e309",
    "-1",
    "9223372036854775808",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\r\n",
    "\\",
    "\"",
];

fn text(r: &mut Rng) -> String {
    match r.below(4) {
        0 => r.pick(TEXTS).to_string(),
        1 => (0..r.below(40))
            .map(|_| char::from_u32(r.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
        2 => "x".repeat(r.below(5000)),
        _ => format!("{}{}", r.pick(TEXTS), r.pick(TEXTS)),
    }
}

fn number(r: &mut Rng) -> Value {
    match r.below(7) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(i64::MAX),
        3 => json!(u64::MAX),
        4 => json!(f64::MAX),
        5 => json!(1.5),
        _ => json!(r.next() as i64),
    }
}

fn value(r: &mut Rng, depth: usize) -> Value {
    let kinds = if depth == 0 { 4 } else { 6 };
    match r.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(r.chance(50)),
        2 => number(r),
        3 => Value::String(text(r)),
        4 => Value::Array((0..r.below(5)).map(|_| value(r, depth - 1)).collect()),
        _ => object(r, depth - 1),
    }
}

fn object(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    for _ in 0..r.below(6) {
        let k = if r.chance(85) {
            r.pick(KEYS).to_string()
        } else {
            text(r)
        };
        m.insert(k, value(r, depth));
    }
    Value::Object(m)
}

/// Byte-level damage: flips, insertions, deletions, duplicated slices, truncation.
fn mutate(r: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..=r.below(6) {
        let len = b.len();
        match r.below(6) {
            0 if len > 0 => {
                let i = r.below(len);
                b[i] ^= 1 << r.below(8);
            }
            1 => {
                let at = r.below(len + 1);
                let junk = *r.pick(&[
                    &b"\""[..],
                    b",",
                    b"\n",
                    b"\r",
                    b"\xff\xfe",
                    b"\0",
                    b"{",
                    b"]",
                ]);
                b.splice(at..at, junk.iter().copied());
            }
            2 if len > 0 => {
                let at = r.below(len);
                let end = (at + r.below(64)).min(len);
                b.drain(at..end);
            }
            3 if len > 0 => {
                let at = r.below(len);
                let end = (at + r.below(256)).min(len);
                let copy = b[at..end].to_vec();
                b.splice(at..at, copy);
            }
            4 => b.truncate(r.below(len + 1)),
            _ => {}
        }
    }
    b
}

/// Runs one case; a panic fails the test with the case number that reproduces it.
fn no_panic<T>(what: &str, case: usize, input: &dyn std::fmt::Debug, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!(
            "{what}: case {case} (seed {}) panicked on input {input:?}",
            seed()
        ),
    }
}

/// An API answer must be a JSON document; an error must say something.
fn assert_clear(what: &str, case: usize, r: &ApiResponse) {
    assert!(
        (200..600).contains(&r.status),
        "{what} #{case}: status {}",
        r.status
    );
    let body: Value = serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("{what} #{case}: body is not JSON ({e}): {}", r.body));
    if r.status >= 400 {
        let msg = body.pointer("/error/message").and_then(Value::as_str);
        assert!(
            msg.is_some_and(|m| !m.trim().is_empty()),
            "{what} #{case}: error without a message: {}",
            r.body
        );
    }
}

const CSV_HEADER: &str = "application.id,edition,infra.backend_type,infra.id,infra.owner_id,name,tenant.id,tenant.kind,usage.absolute.production,usage.absolute.total,usage.absolute.trial,usage.delta.production,usage.delta.total,usage.delta.trial,usage.effective.production,usage.effective.total,usage.effective.trial\n";

fn csv_sample(r: &mut Rng) -> Vec<u8> {
    let mut s = String::from(CSV_HEADER);
    for i in 0..r.below(30) {
        s.push_str(&format!(
            "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb,standard,{},3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f1{},,{},0b3d5c1e-0000-4000-8000-00000000000{},customer,{},{},0,1,1,0,{},{},0\n",
            r.pick(&["local", "azure", "\"quoted, value\""]),
            i % 10,
            r.pick(&["pw_storage", "workstations", "", "\"a \"\"b\"\"\""]),
            i % 10,
            r.next() % 1_000_000,
            r.pick(&["5", "-3", "1e3", "abc", "", "NaN"]),
            r.below(100),
            r.below(100),
        ));
    }
    s.into_bytes()
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn csv_reader_never_panics_on_damaged_reports() {
    let mut r = Rng::new(seed());
    for case in 0..cases(1000) {
        let plain = csv_sample(&mut r);
        let input = match r.below(4) {
            0 => mutate(&mut r, plain),
            1 => mutate(&mut r, gzip(&plain)),
            2 => gzip(&mutate(&mut r, plain)),
            _ => (0..r.below(2000)).map(|_| r.next() as u8).collect(),
        };
        let (mut rows, mut bad) = (0u64, 0u64);
        let out = no_panic("csv", case, &String::from_utf8_lossy(&input), || {
            read_stream(
                std::io::Cursor::new(input.clone()),
                &mut |_| rows += 1,
                &mut |_| bad += 1,
            )
        });
        match out {
            Ok(stats) => assert_eq!((stats.rows, stats.bad_rows), (rows, bad), "csv #{case}"),
            Err(e) => assert!(!e.to_string().trim().is_empty(), "csv #{case}: empty error"),
        }
    }
}

#[test]
fn config_yaml_never_panics() {
    let sample = include_str!("../../../includes/acroniscloud/config.yaml.sample");
    let mut r = Rng::new(seed() ^ 0xC0FF);
    for case in 0..cases(3000) {
        let input = match r.below(3) {
            0 => String::from_utf8_lossy(&mutate(&mut r, sample.as_bytes().to_vec())).into_owned(),
            1 => serde_yaml_ng::to_string(&object(&mut r, 3)).unwrap_or_default(),
            _ => {
                let section = r.pick(&[
                    "logger",
                    "cloud_api",
                    "usage_report",
                    "templates",
                    "product",
                    "cache",
                ]);
                format!("{section}:\n  {}: {}\n", r.pick(KEYS), value(&mut r, 2))
            }
        };
        let out = no_panic("config", case, &input, || Config::parse(&input));
        if let Err(e) = out {
            assert!(
                !e.to_string().trim().is_empty(),
                "config #{case}: empty error"
            );
        }
    }
}

/// A request body as a browser (or an attacker) might send it.
fn body(r: &mut Rng) -> (String, Vec<u8>) {
    let ct = r
        .pick(&[
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
            "text/plain",
            "",
        ])
        .to_string();
    let doc = object(r, 4);
    let bytes = match r.below(3) {
        0 => doc.to_string().into_bytes(),
        1 => mutate(r, doc.to_string().into_bytes()),
        _ => (0..r.below(300)).map(|_| r.next() as u8).collect(),
    };
    (ct, bytes)
}

fn query(r: &mut Rng) -> Map<String, Value> {
    let mut q = Map::new();
    for k in ["id", "template_id", "server_id", "version"] {
        if r.chance(70) {
            q.insert(
                k.into(),
                if r.chance(50) {
                    json!("45")
                } else {
                    value(r, 1)
                },
            );
        }
    }
    q
}

#[test]
fn admin_api_bodies_get_clear_answers() {
    let dir = std::env::temp_dir().join(format!("acroniscloud-fuzz-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ctx = AdminContext {
        caller: Caller {
            admin_id: 1,
            role_id: 1,
            allowed_roles: vec![1],
            csrf_expected: "t".into(),
            csrf_given: "t".into(),
        },
        ..AdminContext::default()
    };
    std::fs::create_dir_all(&dir).unwrap();
    let db = acroniscloud_core::infra::storage::sqlite::SqliteDb::open(&dir.join("whmcs.sqlite"))
        .unwrap();
    let actions = [
        "create_template",
        "update_template",
        "delete_template",
        "copy_template",
        "create_options",
        "get_template",
        "list_templates",
    ];
    let mut r = Rng::new(seed() ^ 0xAD);
    for case in 0..cases(600) {
        let (content_type, body) = body(&mut r);
        let req = ApiRequest {
            method: r.pick(&["POST", "GET", "post", "PUT"]).to_string(),
            action: r.pick(&actions).to_string(),
            query: query(&mut r),
            content_type,
            body,
        };
        let out = no_panic("admin", case, &req, || {
            dispatch::handle(&req, &ctx, Some(&db), None)
        });
        let (resp, _) = out.expect("API actions always answer");
        assert_clear("admin", case, &resp);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn client_api_bodies_get_clear_answers() {
    let ctx = ClientContext {
        service: Service {
            service_id: 45,
            owner_id: 12,
            client_id: 12,
            module: client_area::MODULE.into(),
            tenant_id: "3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10".into(),
            user_id: "0b3d5c1e-0000-4000-8000-000000000001".into(),
            ..Service::default()
        },
        csrf_expected: "t".into(),
        csrf_given: "t".into(),
        ..ClientContext::default()
    };
    let mut r = Rng::new(seed() ^ 0xC1);
    for case in 0..cases(1500) {
        let (content_type, body) = body(&mut r);
        let req = ApiRequest {
            method: r.pick(&["POST", "GET"]).to_string(),
            action: r
                .pick(&[
                    "update_details",
                    "get_details",
                    "get_subscription",
                    "get_usages",
                    "l10n",
                    "x",
                ])
                .to_string(),
            query: query(&mut r),
            content_type,
            body,
        };
        let (resp, _) = no_panic("client", case, &req, || client_area::handle(&req, &ctx));
        assert_clear("client", case, &resp);
    }
}
