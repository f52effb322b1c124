//! The `key=value;key=value` encoding the module stores in a tenant's `customer_id` and the
//! root tenant's `internal_tag` (docs/platform-calls.md). Foreign pairs must survive a merge,
//! so the codec keeps order and unknown keys.

/// Ordered pairs; `None` is a key written without `=`.
pub type Pairs = Vec<(String, Option<String>)>;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, ';' | '=' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Parses a tag string; a backslash escapes the next character.
pub fn parse(s: &str) -> Pairs {
    let mut pairs = Pairs::new();
    let mut key = String::new();
    let mut value: Option<String> = None;
    let mut chars = s.chars();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match c {
            ';' => {
                if !key.is_empty() || value.is_some() {
                    pairs.push((std::mem::take(&mut key), value.take()));
                }
            }
            '=' if value.is_none() => value = Some(String::new()),
            _ => {
                let ch = if c == '\\' { chars.next() } else { Some(c) };
                if let Some(ch) = ch {
                    match value.as_mut() {
                        Some(v) => v.push(ch),
                        None => key.push(ch),
                    }
                }
            }
        }
    }
    if any && (!key.is_empty() || value.is_some()) {
        pairs.push((key, value));
    }
    pairs
}

pub fn format(pairs: &Pairs) -> String {
    pairs
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{}={}", escape(k), escape(v)),
            None => escape(k),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Sets (or overwrites) keys, keeping every other pair and the original order.
pub fn merge(existing: &str, updates: &[(&str, Option<&str>)]) -> String {
    let mut pairs = parse(existing);
    for (k, v) in updates {
        let v = v.map(str::to_string);
        match pairs.iter_mut().find(|(pk, _)| pk == k) {
            Some(slot) => slot.1 = v,
            None => pairs.push(((*k).to_string(), v)),
        }
    }
    format(&pairs)
}

/// Removes keys, keeping every other pair.
pub fn remove(existing: &str, keys: &[&str]) -> String {
    let pairs: Pairs = parse(existing)
        .into_iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .collect();
    format(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_escapes() {
        let pairs: Pairs = vec![
            ("a;b".into(), Some("x=y".into())),
            ("flag".into(), None),
            ("c".into(), Some("back\\slash".into())),
        ];
        let s = format(&pairs);
        assert_eq!(s, "a\\;b=x\\=y;flag;c=back\\\\slash");
        assert_eq!(parse(&s), pairs);
    }

    #[test]
    fn merge_keeps_foreign_pairs_and_overwrites_ours() {
        let out = merge(
            "foo=bar;whmcs-server-id=1",
            &[
                ("whmcs-server-id", Some("7")),
                ("whmcs-version", Some("8.10.1")),
            ],
        );
        assert_eq!(out, "foo=bar;whmcs-server-id=7;whmcs-version=8.10.1");
    }

    #[test]
    fn remove_only_named_keys() {
        assert_eq!(
            remove("foo=bar;whmcs-server-id=1;x", &["whmcs-server-id"]),
            "foo=bar;x"
        );
        assert_eq!(remove("", &["a"]), "");
    }

    #[test]
    fn empty_value_differs_from_no_value() {
        assert_eq!(
            parse("a=;b"),
            vec![("a".into(), Some(String::new())), ("b".into(), None)]
        );
    }
}
