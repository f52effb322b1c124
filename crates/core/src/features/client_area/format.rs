//! Usage amounts as people read them: storage in MB/GB/TB (binary multiples, as the Cloud
//! console shows them), counts as integers.

use serde_json::Value;

const STORAGE: &[(&str, f64)] = &[
    ("bytes", 1.0),
    ("kilobytes", 1024.0),
    ("megabytes", 1_048_576.0),
    ("gigabytes", 1_073_741_824.0),
    ("terabytes", 1_099_511_627_776.0),
];

/// `value` in `unit` as text with its unit; storage picks MB, GB or TB.
pub fn amount(value: &Value, unit: &str) -> String {
    let n = value.as_f64().unwrap_or(0.0);
    if let Some((_, factor)) = STORAGE.iter().find(|(u, _)| *u == unit) {
        let bytes = n * factor;
        let (label, div) = if bytes >= 1_099_511_627_776.0 {
            ("TB", 1_099_511_627_776.0)
        } else if bytes >= 1_073_741_824.0 {
            ("GB", 1_073_741_824.0)
        } else {
            ("MB", 1_048_576.0)
        };
        return format!("{} {label}", number(bytes / div));
    }
    match unit {
        "quantity" | "" => number(n),
        other => format!("{} {other}", number(n)),
    }
}

/// Up to two decimals, trailing zeros dropped.
pub fn number(n: f64) -> String {
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn storage_and_counts() {
        assert_eq!(amount(&json!(5_368_709_120_i64), "bytes"), "5 GB");
        assert_eq!(amount(&json!(107_374_182_400_i64), "bytes"), "100 GB");
        assert_eq!(amount(&json!(1_649_267_441_664_i64), "bytes"), "1.5 TB");
        assert_eq!(amount(&json!(0), "bytes"), "0 MB");
        assert_eq!(amount(&json!(3), "quantity"), "3");
        assert_eq!(amount(&json!(2), "gigabytes"), "2 GB");
        assert_eq!(amount(&json!(90), "seconds"), "90 seconds");
    }
}
