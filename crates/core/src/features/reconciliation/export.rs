//! The CSV export of the reconciliation findings: RFC 4180 quoting, and cells a spreadsheet
//! would run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'` — tenant names come
//! from the platform and must not execute anything on the admin's computer.

use super::{number, Finding};

const HEADER: &[&str] = &[
    "kind",
    "server_id",
    "server_name",
    "tenant_id",
    "tenant_name",
    "service_id",
    "user_id",
    "metric",
    "date",
    "whmcs_value",
    "platform_value",
    "details",
    "fix",
];

fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The findings as CSV (header line first, CRLF line ends).
pub fn csv(findings: &[Finding]) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for f in findings {
        let row = [
            f.kind.clone(),
            f.server_id.to_string(),
            f.server_name.clone(),
            opt(&f.tenant_id),
            opt(&f.tenant_name),
            opt(&f.service_id),
            opt(&f.user_id),
            opt(&f.metric),
            opt(&f.date),
            f.whmcs_value.map(number).unwrap_or_default(),
            f.platform_value.map(number).unwrap_or_default(),
            f.details.clone(),
            f.actions
                .iter()
                .map(|a| a.kind.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }

    #[test]
    fn one_line_per_finding_after_the_header() {
        let f = Finding {
            kind: "orphan_tenant".into(),
            server_id: 3,
            server_name: "EU".into(),
            tenant_id: Some("t".into()),
            whmcs_value: Some(1.5),
            ..Finding::default()
        };
        let text = csv(&[f]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(lines[1], "orphan_tenant,3,EU,t,,,,,,1.5,,,");
    }
}
