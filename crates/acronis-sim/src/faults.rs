//! Fault injection (crates/acronis-sim/README.md, "Faults"). A fault is one JSON object
//! with a `kind`, optional `method`/`path` scope and one optional selector; the rest are
//! kind parameters:
//!
//! `{"kind":"http_5xx","method":"GET","path":"/api/2/versions","status":503,"body":"html","next":2}`
//!
//! Selectors: `next: N` / `first: N` (the first N matching requests after
//! installation), `every: N` (every Nth match), `probability: p` (seeded
//! random). Without a selector the fault fires on every matching request.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

pub const KINDS: &[&str] = &[
    "latency",
    "http_5xx",
    "rate_limit",
    "token_expiry",
    "token_endpoint_fail",
    "connection_reset",
    "truncated_json",
    "invalid_json",
    "version_bump",
    "discovery",
    "old_platform",
    "check_login_taken",
    "tenant_name_race",
    "report_delay",
    "report_failed",
    "report_empty_list",
    "report_format_order",
    "report_encoding",
    "download_redirect",
    "children_paging",
    "drop_response_after_commit",
    "tls",
    "clock_skew",
    "hard_quota",
];

#[derive(Debug, Clone)]
pub struct FaultRule {
    pub id: u64,
    pub kind: String,
    pub method: Option<String>,
    pub path: Option<String>,
    pub probability: Option<f64>,
    pub every: Option<u64>,
    pub first: Option<u64>,
    pub params: Value,
    pub matched: u64,
    pub fired: u64,
}

pub struct Faults {
    pub rules: Vec<FaultRule>,
    rng: ChaCha8Rng,
    next_id: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rules: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(0xfa17),
            next_id: 1,
        }
    }
}

/// Glob match where `*` stands for any run of characters (including `/`).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn method_matches(spec: &Option<String>, method: &str) -> bool {
    match spec {
        None => true,
        Some(s) => s == "*" || s.split('|').any(|m| m.trim().eq_ignore_ascii_case(method)),
    }
}

impl Faults {
    /// Parses `{"faults":[…]}`, `[…]` or a single rule object.
    pub fn parse(v: &Value) -> Result<Vec<Value>, String> {
        let list = match v {
            Value::Array(a) => a.clone(),
            Value::Object(m) if m.contains_key("faults") => match m.get("faults") {
                Some(Value::Array(a)) => a.clone(),
                _ => return Err("`faults` must be an array".into()),
            },
            Value::Object(_) => vec![v.clone()],
            _ => return Err("expected a fault object or {\"faults\": [...]}".into()),
        };
        for f in &list {
            let kind = f
                .get("kind")
                .and_then(Value::as_str)
                .ok_or("every fault needs a string `kind`")?;
            if !KINDS.contains(&kind) {
                return Err(format!(
                    "unknown fault kind `{kind}`; known: {}",
                    KINDS.join(", ")
                ));
            }
        }
        Ok(list)
    }

    pub fn add(&mut self, f: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let u = |k: &str| f.get(k).and_then(Value::as_u64);
        self.rules.push(FaultRule {
            id,
            kind: f
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            method: f.get("method").and_then(Value::as_str).map(str::to_string),
            path: f.get("path").and_then(Value::as_str).map(str::to_string),
            probability: f.get("probability").and_then(Value::as_f64),
            every: u("every"),
            first: u("first").or(u("next")),
            params: f,
            matched: 0,
            fired: 0,
        });
        id
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Evaluates the rules of `kind` against a request; returns the parameters
    /// of the first rule that fires (counting it).
    pub fn fire(&mut self, kind: &str, method: &str, path: &str) -> Option<Value> {
        for i in 0..self.rules.len() {
            let r = &self.rules[i];
            if r.kind != kind || !method_matches(&r.method, method) {
                continue;
            }
            if let Some(p) = &r.path {
                if !glob(p, path) {
                    continue;
                }
            }
            let roll: f64 = self.rng.gen();
            let r = &mut self.rules[i];
            r.matched += 1;
            let mut ok = true;
            if let Some(n) = r.first {
                ok &= r.matched <= n;
            }
            if let Some(n) = r.every {
                ok &= n > 0 && r.matched.is_multiple_of(n);
            }
            if let Some(p) = r.probability {
                ok &= roll < p;
            }
            if ok {
                r.fired += 1;
                return Some(r.params.clone());
            }
        }
        None
    }

    /// First active rule of a kind without counting (for global switches such as `tls`).
    pub fn peek(&self, kind: &str) -> Option<&Value> {
        self.rules
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| &r.params)
    }

    pub fn to_json(&self) -> Value {
        json!({"faults": self.rules.iter().map(|r| {
            let mut v = r.params.clone();
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(r.id));
                m.insert("matched".into(), json!(r.matched));
                m.insert("fired".into(), json!(r.fired));
            }
            v
        }).collect::<Vec<_>>()})
    }
}

#[cfg(test)]
mod tests {
    use super::glob;
    #[test]
    fn globbing() {
        assert!(glob(
            "/api/2/tenants/*/children",
            "/api/2/tenants/abc/children"
        ));
        assert!(glob("*", "/x"));
        assert!(!glob("/api/2/versions", "/api/2/versions/x"));
        assert!(glob("/api/2/*", "/api/2/a/b"));
    }
}
