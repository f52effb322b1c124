//! Secret masking for every log sink (docs/behaviour.md §H.1). Text is masked as a last line
//! of defence: callers also mask structurally (see `mask_json`), but a secret that slips into a
//! free-form message must still never reach a log line.

use serde_json::Value;

pub const MASK: &str = "*****";

#[derive(Clone, Copy)]
enum Kind {
    /// Whole value replaced by `*****`.
    Password,
    /// JWT keeps header and payload; other tokens keep 5 characters.
    Token,
}

#[derive(Clone, Copy)]
enum Shape {
    /// `key"` then `:` and `"`, value up to the next unescaped `"`.
    Json,
    /// `key\"` then `:` and `\"`, value up to the next `\"` (JSON inside a JSON string).
    EscapedJson,
    /// value up to `&` or white space.
    Form,
    /// value up to `%26` or white space.
    UrlEncoded,
    /// print_r: value up to `[` or white space.
    PrintR,
    /// header value up to white space, `"` or `\`.
    HeaderWord,
    /// header value up to end of line, `"` or `\`.
    HeaderLine,
}

/// (lower-case prefix, kind, shape). The value starts right after the prefix, except for the
/// JSON shapes whose separator is parsed leniently.
const RULES: &[(&str, Kind, Shape)] = &[
    ("password\"", Kind::Password, Shape::Json),
    ("password2\"", Kind::Password, Shape::Json),
    ("client_secret\"", Kind::Password, Shape::Json),
    ("password\\\"", Kind::Password, Shape::EscapedJson),
    ("client_secret\\\"", Kind::Password, Shape::EscapedJson),
    ("password=", Kind::Password, Shape::Form),
    ("client_secret=", Kind::Password, Shape::Form),
    ("password%3d", Kind::Password, Shape::UrlEncoded),
    ("client_secret%3d", Kind::Password, Shape::UrlEncoded),
    ("password] => ", Kind::Password, Shape::PrintR),
    ("client_secret] => ", Kind::Password, Shape::PrintR),
    // One-time login tokens (single sign-on) are credentials until used: masked whole.
    ("ott=", Kind::Password, Shape::Form),
    ("ott%3d", Kind::Password, Shape::UrlEncoded),
    ("ott\"", Kind::Password, Shape::Json),
    ("ott\\\"", Kind::Password, Shape::EscapedJson),
    ("ott] => ", Kind::Password, Shape::PrintR),
    ("jwt=", Kind::Token, Shape::Form),
    ("token=", Kind::Token, Shape::Form),
    ("jwt%3d", Kind::Token, Shape::UrlEncoded),
    ("token%3d", Kind::Token, Shape::UrlEncoded),
    ("jwt\"", Kind::Token, Shape::Json),
    ("token\"", Kind::Token, Shape::Json),
    ("jwt\\\"", Kind::Token, Shape::EscapedJson),
    ("token\\\"", Kind::Token, Shape::EscapedJson),
    ("jwt] => ", Kind::Token, Shape::PrintR),
    ("token] => ", Kind::Token, Shape::PrintR),
    ("authorization: bearer ", Kind::Token, Shape::HeaderWord),
    ("authorization: basic ", Kind::Token, Shape::HeaderWord),
    ("authorization\":\"bearer ", Kind::Token, Shape::HeaderWord),
    ("authorization\":\"basic ", Kind::Token, Shape::HeaderWord),
    ("set-cookie: ", Kind::Token, Shape::HeaderLine),
    ("cookie: ", Kind::Token, Shape::HeaderLine),
];

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Returns the byte range of the value for a rule matched at `start` (prefix end at `after`).
fn value_range(b: &[u8], after: usize, shape: Shape) -> Option<(usize, usize)> {
    match shape {
        Shape::Json => json_string(b, after),
        Shape::EscapedJson => {
            let s = quoted_start(b, after, b"\\\"")?;
            Some((s, find(b, s, |j| b.get(j..j + 2) == Some(b"\\\""))))
        }
        Shape::Form => up_to(b, after, |j| is_space(b, j) || is_one_of(b, j, b"&")),
        Shape::UrlEncoded => up_to(b, after, |j| {
            is_space(b, j)
                || b.get(j..j + 3)
                    .is_some_and(|s| s.eq_ignore_ascii_case(b"%26"))
        }),
        Shape::PrintR => up_to(b, after, |j| is_space(b, j) || is_one_of(b, j, b"[")),
        Shape::HeaderWord => up_to(b, after, |j| is_space(b, j) || is_one_of(b, j, b"\"\\")),
        Shape::HeaderLine => up_to(b, after, |j| is_one_of(b, j, b"\r\n\"\\")),
    }
}

/// A JSON string value after `"key"`: from after the opening quote to the closing one
/// (escaped quotes skipped), or to the end of a cut text.
fn json_string(b: &[u8], after: usize) -> Option<(usize, usize)> {
    let s = quoted_start(b, after, b"\"")?;
    let mut j = s;
    while j < b.len() {
        match b.get(j) {
            Some(b'\\') => j += 2,
            Some(b'"') => break,
            _ => j += 1,
        }
    }
    Some((s, j.min(b.len())))
}

/// After a key, `:` and then `quote` (white space allowed around the colon): where the value
/// starts; `None` when the key is not followed by a quoted value.
fn quoted_start(b: &[u8], after: usize, quote: &[u8]) -> Option<usize> {
    let i = skip_ws(b, after);
    if b.get(i) != Some(&b':') {
        return None;
    }
    let i = skip_ws(b, i + 1);
    if b.get(i..i + quote.len()) != Some(quote) {
        return None;
    }
    Some(i + quote.len())
}

/// A bare value: from `after` to the first byte where `stop` holds, or the end.
fn up_to(b: &[u8], after: usize, stop: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
    Some((after, find(b, after, stop)))
}

fn find(b: &[u8], from: usize, stop: impl Fn(usize) -> bool) -> usize {
    let mut j = from;
    while j < b.len() && !stop(j) {
        j += 1;
    }
    j
}

fn is_space(b: &[u8], j: usize) -> bool {
    b.get(j).is_some_and(|c| c.is_ascii_whitespace())
}

fn is_one_of(b: &[u8], j: usize, set: &[u8]) -> bool {
    b.get(j).is_some_and(|c| set.contains(c))
}

/// Masks one token value: `aaa.bbb.ccc` → `aaa.bbb.*****`, otherwise first 5 characters.
pub fn mask_token(value: &str) -> String {
    let parts: Vec<&str> = value.split('.').collect();
    if let [a, b, _] = parts.as_slice() {
        return format!("{a}.{b}.{MASK}");
    }
    let keep: String = value.chars().take(5).collect();
    format!("{keep}{MASK}")
}

fn mask_value(value: &str, kind: Kind) -> String {
    match kind {
        Kind::Password => MASK.to_string(),
        Kind::Token => mask_token(value),
    }
}

/// Masks passwords, client secrets and tokens in free text (§H.1 patterns, case-insensitive).
pub fn mask_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let lb = lower.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < lb.len() {
        let mut matched = None;
        for (prefix, kind, shape) in RULES {
            if lb.get(i..i + prefix.len()) == Some(prefix.as_bytes()) {
                if let Some((s, e)) = value_range(lb, i + prefix.len(), *shape) {
                    matched = Some((s, e, *kind));
                    break;
                }
            }
        }
        match matched {
            Some((s, e, kind)) if e > s => {
                let (Some(head), Some(value)) = (text.get(copied..s), text.get(s..e)) else {
                    i += 1;
                    continue;
                };
                out.push_str(head);
                if value.starts_with(MASK) {
                    out.push_str(value);
                } else {
                    out.push_str(&mask_value(value, kind));
                }
                copied = e;
                i = e.max(i + 1);
            }
            _ => i += 1,
        }
    }
    if let Some(rest) = text.get(copied..) {
        out.push_str(rest);
    }
    out
}

/// True for JSON/form keys whose value is a secret.
pub fn is_secret_key(key: &str) -> Option<bool> {
    let k = key.to_ascii_lowercase();
    if k.ends_with("password") || k.ends_with("password2") || k.ends_with("secret") || k == "ott" {
        Some(true) // password-like: mask whole
    } else if k.ends_with("token") || k.ends_with("jwt") {
        Some(false) // token-like: keep a prefix
    } else {
        None
    }
}

/// Structural masking of a JSON document (keys ending in password/secret/token/jwt).
pub fn mask_json(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let masked = match (is_secret_key(k), v) {
                        (Some(true), Value::String(_)) => Value::String(MASK.into()),
                        (Some(false), Value::String(s)) => Value::String(mask_token(s)),
                        _ => mask_json(v),
                    };
                    (k.clone(), masked)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(mask_json).collect()),
        other => other.clone(),
    }
}

/// Masks a header value when the header carries credentials.
pub fn mask_header(name: &str, value: &str) -> String {
    let n = name.to_ascii_lowercase();
    if n == "authorization" || n == "proxy-authorization" {
        match value.split_once(' ') {
            Some((scheme, cred)) => format!("{scheme} {}", mask_token(cred)),
            None => MASK.to_string(),
        }
    } else if n == "cookie" || n == "set-cookie" {
        mask_token(value)
    } else {
        value.to_string()
    }
}

/// A JSON document masked by key and then as text; text that is not JSON is masked as text,
/// so a broken document never slips through unmasked.
pub fn mask_json_text(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(v) => mask_text(&mask_json(&v).to_string()),
        Err(_) => mask_text(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l76_file_log_examples() {
        assert_eq!(
            mask_text(r#"{"serverpassword":"Sup3r"}"#),
            r#"{"serverpassword":"*****"}"#
        );
        assert_eq!(
            mask_text("Authorization: Bearer aaa.bbb.ccc"),
            "Authorization: Bearer aaa.bbb.*****"
        );
        assert_eq!(
            mask_text("x token=abcdefghij&y=1"),
            "x token=abcde*****&y=1"
        );
    }

    #[test]
    fn one_time_login_tokens() {
        assert_eq!(
            mask_text("GET https://dc/api/2/idp/external-login#ott=T1RUAQ%2B%3D&targetURI=x"),
            "GET https://dc/api/2/idp/external-login#ott=*****&targetURI=x"
        );
        assert_eq!(mask_text(r#"{"ott": "T1RUAQ=="}"#), r#"{"ott": "*****"}"#);
        assert_eq!(mask_text("a%26ott%3DT1RU%26b"), "a%26ott%3D*****%26b");
        assert_eq!(
            mask_json(&serde_json::json!({"ott": "T1RUAQ=="})),
            serde_json::json!({"ott": "*****"})
        );
    }

    #[test]
    fn form_urlencoded_and_print_r() {
        assert_eq!(
            mask_text("grant_type=password&username=u&password=S3cret!&x=1"),
            "grant_type=password&username=u&password=*****&x=1"
        );
        assert_eq!(
            mask_text("a=1%26password%3Dabc%26b=2"),
            "a=1%26password%3D*****%26b=2"
        );
        assert_eq!(
            mask_text("[password] => hunter2\n[user]"),
            "[password] => *****\n[user]"
        );
    }

    #[test]
    fn json_variants() {
        assert_eq!(
            mask_text(r#"{"client_secret": "abc\"def", "Password2":"x"}"#),
            r#"{"client_secret": "*****", "Password2":"*****"}"#
        );
        assert_eq!(
            mask_text(r#"{"body":"{\"password\":\"pw\"}"}"#),
            r#"{"body":"{\"password\":\"*****\"}"}"#
        );
        assert_eq!(
            mask_text(r#"{"access_token":"aaa.bbb.ccc","id_token":"zzzzzzzz"}"#),
            r#"{"access_token":"aaa.bbb.*****","id_token":"zzzzz*****"}"#
        );
    }

    #[test]
    fn headers_and_cookies() {
        assert_eq!(
            mask_text("Authorization: Basic dXNlcjpwYXNz\nCookie: sid=abcdef"),
            "Authorization: Basic dXNlc*****\nCookie: sid=a*****"
        );
        assert_eq!(
            mask_header("Authorization", "Bearer a.b.c"),
            "Bearer a.b.*****"
        );
        assert_eq!(
            mask_header("Accept", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn structural_json() {
        let v = serde_json::json!({"client_id":"id","client_secret":"s","nested":[{"password":"p"}],"access_token":"abcdefgh"});
        assert_eq!(
            mask_json(&v),
            serde_json::json!({"client_id":"id","client_secret":"*****","nested":[{"password":"*****"}],"access_token":"abcde*****"})
        );
    }

    #[test]
    fn unicode_text_is_preserved() {
        assert_eq!(mask_text("Grüße password=päss x"), "Grüße password=***** x");
    }

    #[test]
    fn masking_is_idempotent() {
        let once = mask_text("password=abc token=abcdefghij");
        assert_eq!(mask_text(&once), once);
    }
}

/// Masks the bindings of a SQL statement that go to password-like columns (`password`,
/// `password2`, `…secret`), for the "Database query" module log. Columns are matched to the
/// `?` placeholders of `col = ?` comparisons/assignments and of `INSERT (cols) VALUES (?, …)`.
pub fn mask_query_bindings(sql: &str, bindings: &[String]) -> Vec<String> {
    let columns = placeholder_columns(sql);
    bindings
        .iter()
        .enumerate()
        .map(|(i, b)| match columns.get(i).and_then(|c| c.as_deref()) {
            Some(col) if is_secret_key(col) == Some(true) => MASK.to_string(),
            _ => mask_text(b),
        })
        .collect()
}

/// For each `?` in `sql`, the column it is bound to when recognisable.
fn placeholder_columns(sql: &str) -> Vec<Option<String>> {
    let lower = sql.to_ascii_lowercase();
    let mut insert_cols: Vec<String> = Vec::new();
    if let (Some(start), Some(values)) = (lower.find('('), lower.find(" values")) {
        if lower.trim_start().starts_with("insert") && start < values {
            if let Some(cols) = sql.get(start + 1..values) {
                insert_cols = cols
                    .trim_end()
                    .trim_end_matches(')')
                    .split(',')
                    .map(|c| {
                        c.trim()
                            .trim_matches(|ch| ch == '`' || ch == '"')
                            .to_string()
                    })
                    .collect();
            }
        }
    }
    let mut out = Vec::new();
    let mut insert_index = 0usize;
    for (i, ch) in sql.char_indices() {
        if ch != '?' {
            continue;
        }
        // Walk back over " = " / " like " to the identifier.
        let before = sql.get(..i).unwrap_or("").trim_end();
        let before = before
            .strip_suffix('=')
            .or_else(|| before.strip_suffix("like"))
            .or_else(|| before.strip_suffix("LIKE"))
            .map(str::trim_end);
        let col = before.and_then(|b| {
            let ident: String = b
                .chars()
                .rev()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || *c == '_' || *c == '`' || *c == '"' || *c == '.'
                })
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let name = ident
                .rsplit('.')
                .next()
                .unwrap_or("")
                .trim_matches(|c| c == '`' || c == '"');
            (!name.is_empty()).then(|| name.to_string())
        });
        let col = col.or_else(|| {
            let c = insert_cols.get(insert_index).cloned();
            insert_index += 1;
            c
        });
        out.push(col);
    }
    out
}

#[cfg(test)]
mod query_tests {
    use super::*;

    #[test]
    fn update_and_where_bindings() {
        let sql = "update `tblservers` set `username` = ?, `password` = ?, `accesshash` = ? where `id` = ?";
        let b: Vec<String> = ["client", "secret-value", "client_credentials", "1"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            mask_query_bindings(sql, &b),
            vec!["client", "*****", "client_credentials", "1"]
        );
        let sql = "select * from `tblhosting` where password2 = ? and `id` = ?";
        assert_eq!(
            mask_query_bindings(sql, &["pw".into(), "2".into()]),
            vec!["*****", "2"]
        );
    }

    #[test]
    fn insert_bindings() {
        let sql = "insert into `tblservers` (`name`, `password`, `client_secret`) values (?, ?, ?)";
        let b: Vec<String> = ["n", "p", "s"].map(String::from).to_vec();
        assert_eq!(mask_query_bindings(sql, &b), vec!["n", "*****", "*****"]);
    }
}
