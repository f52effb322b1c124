//! Usage report files (crates/acronis-sim/README.md, "Usage reports"): `csv_v2_0` rows
//! derived from tenants' state, written straight into a gzip stream so 100k-tenant
//! reports stay fast, plus the download-time encoding variants of the `report_encoding`
//! fault.

use crate::catalog::ItemDef;
use crate::state::{DcState, ItemKey, UsageValue};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};

pub const HEADER: &[&str] = &[
    "tenant.id",
    "tenant.kind",
    "tenant.name",
    "tenant.parent_id",
    "application.id",
    "edition",
    "name",
    "usage_name",
    "measurement_unit",
    "infra.id",
    "infra.owner_id",
    "infra.backend_type",
    "usage.absolute.production",
    "usage.absolute.trial",
    "usage.absolute.total",
    "usage.delta.production",
    "usage.delta.trial",
    "usage.delta.total",
    "usage.effective.production",
    "usage.effective.trial",
    "usage.effective.total",
];

fn quote(s: &str, out: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn push_number(x: f64, out: &mut String) {
    use std::fmt::Write as _;
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        let _ = write!(out, "{}", x as i64);
    } else if x.is_finite() {
        let _ = write!(out, "{x}");
    } else {
        out.push('0');
    }
}

/// Tenants covered by a report of `level` on `root` (the root itself excluded).
pub fn report_tenants(st: &DcState, root: &str, level: &str) -> Vec<String> {
    let kind_of = |id: &String| {
        st.tenants
            .get(id)
            .map(|t| t.kind.clone())
            .unwrap_or_default()
    };
    match level {
        "itself" => vec![root.to_string()],
        "direct_partners" => st
            .tenants
            .get(root)
            .map(|t| t.children.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|c| kind_of(c) == "partner")
            .collect(),
        "all_partners" => st
            .subtree(root)
            .into_iter()
            .skip(1)
            .filter(|c| kind_of(c) == "partner")
            .collect(),
        "all_customers" => st
            .subtree(root)
            .into_iter()
            .skip(1)
            .filter(|c| kind_of(c) == "customer")
            .collect(),
        _ => st.subtree(root).into_iter().skip(1).collect(),
    }
}

/// One report row as typed values (shared by the CSV and JSON writers).
struct Row<'a> {
    tenant: &'a crate::state::Tenant,
    def: &'a ItemDef,
    infra: &'a str,
    usage: UsageValue,
}

fn rows<'a>(
    st: &'a DcState,
    tenants: &'a [String],
    mut f: impl FnMut(Row<'a>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let defs: HashMap<&str, &ItemDef> = st
        .catalog
        .items
        .iter()
        .map(|d| (d.name.as_str(), d))
        .collect();
    for tid in tenants {
        let Some(t) = st.tenants.get(tid) else {
            continue;
        };
        let mut keys: Vec<&ItemKey> = t
            .items
            .iter()
            .filter(|(_, s)| s.status == 1)
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        for k in keys {
            let Some(def) = defs.get(k.0.as_str()) else {
                continue;
            };
            let usage = t.usage.get(k).copied().unwrap_or_default();
            f(Row {
                tenant: t,
                def,
                infra: &k.1,
                usage,
            })?;
        }
    }
    Ok(())
}

fn split(u: UsageValue, trial: bool, v: f64) -> [f64; 3] {
    let _ = u;
    if trial {
        [0.0, v, v]
    } else {
        [v, 0.0, v]
    }
}

/// gzip(csv_v2_0) for the given tenants.
pub fn csv_gz(st: &DcState, tenants: &[String]) -> std::io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::with_capacity(1 << 16), Compression::fast());
    gz.write_all(HEADER.join(",").as_bytes())?;
    gz.write_all(b"\n")?;
    let mut line = String::with_capacity(512);
    rows(st, tenants, |r| {
        line.clear();
        let inf = if r.infra.is_empty() {
            None
        } else {
            st.infra(r.infra)
        };
        let trial = r.tenant.pricing.mode == "trial";
        let abs = split(r.usage, trial, r.usage.absolute);
        let delta = split(r.usage, trial, r.usage.delta);
        let cells_text = [
            r.tenant.id.as_str(),
            r.tenant.kind.as_str(),
            r.tenant.name.as_str(),
            r.tenant.parent_id.as_deref().unwrap_or(""),
            r.def.app_id.as_str(),
            r.def.edition.as_deref().unwrap_or(""),
            r.def.name.as_str(),
            r.def.usage_name.as_str(),
            r.def.unit.as_str(),
            r.infra,
            inf.map(|i| i.owner_tenant_id.as_str()).unwrap_or(""),
            inf.and_then(|i| i.backend_type.as_deref()).unwrap_or(""),
        ];
        for (i, c) in cells_text.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            quote(c, &mut line);
        }
        for v in abs.iter().chain(delta.iter()).chain(abs.iter()) {
            line.push(',');
            push_number(*v, &mut line);
        }
        line.push('\n');
        gz.write_all(line.as_bytes())
    })?;
    gz.finish()
}

/// gzip(json_v2_0): the same rows as a JSON array.
pub fn json_gz(st: &DcState, tenants: &[String]) -> std::io::Result<Vec<u8>> {
    let mut items = Vec::new();
    rows(st, tenants, |r| {
        let trial = r.tenant.pricing.mode == "trial";
        let abs = split(r.usage, trial, r.usage.absolute);
        let delta = split(r.usage, trial, r.usage.delta);
        items.push(
            json!({"tenant": {"id": r.tenant.id, "kind": r.tenant.kind, "name": r.tenant.name},
            "application": {"id": r.def.app_id}, "edition": r.def.edition, "name": r.def.name,
            "infra": {"id": if r.infra.is_empty() { Value::Null } else { json!(r.infra) }},
            "usage": {"absolute": {"production": abs[0], "trial": abs[1], "total": abs[2]},
                      "delta": {"production": delta[0], "trial": delta[1], "total": delta[2]},
                      "effective": {"production": abs[0], "trial": abs[1], "total": abs[2]}}}),
        );
        Ok(())
    })?;
    gzip(
        serde_json::to_string(&json!({"items": items}))
            .unwrap_or_default()
            .as_bytes(),
    )
}

pub fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data)?;
    gz.finish()
}

pub fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// Splits one CSV line honouring quotes (enough for the files written above).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inq = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, inq) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push_str("\"\"");
                chars.next();
            }
            ('"', _) => {
                inq = !inq;
                cur.push('"');
            }
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Applies a `report_encoding` variant to a stored gzip CSV; returns body and
/// whether `Content-Encoding: gzip` should be sent.
pub fn encode_variant(gz: &[u8], variant: &str) -> std::io::Result<(Vec<u8>, bool)> {
    match variant {
        "plain" => Ok((gunzip(gz)?, false)),
        "gzip_no_header" => Ok((gz.to_vec(), false)),
        "trailing_blank_line" => {
            let mut plain = gunzip(gz)?;
            plain.extend_from_slice(b"\n");
            Ok((gzip(&plain)?, true))
        }
        "empty_numeric" | "missing_column" => {
            let plain = String::from_utf8_lossy(&gunzip(gz)?).into_owned();
            let target = if variant == "empty_numeric" {
                "usage.absolute.total"
            } else {
                "usage.delta.trial"
            };
            let mut lines = plain.lines();
            let header = split_csv(lines.next().unwrap_or(""));
            let col = header
                .iter()
                .position(|h| h == target)
                .unwrap_or(usize::MAX);
            let mut out = String::new();
            let emit = |cells: Vec<String>, out: &mut String| {
                out.push_str(&cells.join(","));
                out.push('\n');
            };
            let mut h = header.clone();
            if variant == "missing_column" && col < h.len() {
                h.remove(col);
            }
            emit(h, &mut out);
            for (i, l) in lines.enumerate() {
                let mut cells = split_csv(l);
                if variant == "missing_column" && col < cells.len() {
                    cells.remove(col);
                } else if i == 0 && col < cells.len() {
                    cells[col] = String::new();
                }
                emit(cells, &mut out);
            }
            Ok((gzip(out.as_bytes())?, true))
        }
        _ => Ok((gz.to_vec(), true)),
    }
}
