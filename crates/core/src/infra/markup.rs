//! The few HTML fragments the module hands to WHMCS outside its Smarty templates: the admin
//! page's mount point, the provisioning-error banner, the admin service tab's usage table and
//! error box. Built here (not in the PHP glue) so every piece of markup escapes the same way
//! and is tested with the rest of the core.

use serde_json::Value;

/// Text for an HTML element or a quoted attribute (`&`, `<`, `>`, `"` and `'` escaped, as
/// PHP's `htmlspecialchars` with `ENT_QUOTES` does).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            _ => out.push(c),
        }
    }
    out
}

/// A URL component with every byte outside the RFC 3986 unreserved set percent-encoded (as
/// PHP's `rawurlencode`), for the asset version query parameter.
pub fn url_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A red error box (Bootstrap) with `message` as text.
pub fn error_alert(message: &str) -> String {
    format!(
        "<div class=\"alert alert-danger\">{}</div>",
        escape(message)
    )
}

/// The admin tab's usage table of one service; `usage` is `UsageMetrics::serviceUsage`'s
/// answer (`date` null when nothing has been collected yet, `rows` with `name`,
/// `display_name` and `text`).
pub fn usage_table(usage: &Value) -> String {
    let Some(date) = usage.get("date").and_then(Value::as_str) else {
        return format!(
            "<div class=\"acroniscloud-billing-usage\"><p>{}</p></div>",
            escape("No usage has been collected yet.")
        );
    };
    let text = |row: &Value, key: &str| escape(row.get(key).and_then(Value::as_str).unwrap_or(""));
    let rows: String = usage
        .get("rows")
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    format!(
                        "<tr data-metric=\"{}\"><td>{}</td><td>{}</td></tr>",
                        text(row, "name"),
                        text(row, "display_name"),
                        text(row, "text")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "<div class=\"acroniscloud-billing-usage\"><table class=\"table table-condensed\">\
         <caption>{}</caption><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{rows}\
         </tbody></table></div>",
        escape(&format!("Billing usage ({date})")),
        escape("Metric"),
        escape("Usage"),
    )
}

/// The provisioning-error banner (docs/behaviour.md §A.14): admins see the error itself,
/// clients only that they should contact support (the message may name internals).
pub fn provisioning_banner(admin: bool, title: &str, message: &str) -> String {
    if admin {
        format!(
            "<div class=\"errorbox acroniscloud-banner\"><strong><span class=\"title\">{}</span></strong><br>{}</div>",
            escape(title),
            escape(message)
        )
    } else {
        format!(
            "<div class=\"alert alert-danger acroniscloud-banner\" role=\"alert\"><strong>{}</strong><br>{}</div>",
            escape(title),
            escape("Please contact the support team.")
        )
    }
}

/// The addon's admin page: a mount point for the template wizard (`admin.js`), its
/// stylesheet, the `<noscript>` text and the boot data. `boot_json` must already be safe
/// inside a `<script>` element (JSON with `<`, `>`, `&` and quotes hex-escaped).
pub fn admin_page(assets: &str, version: &str, noscript: &str, boot_json: &str) -> String {
    let v = url_component(version);
    format!(
        "<link rel=\"stylesheet\" href=\"{assets}admin.css?v={v}\">\
         <div id=\"acroniscloud-admin\"><noscript>{}</noscript></div>\
         <script>window.acronis = Object.assign(window.acronis || {{}}, {boot_json});</script>\
         <script src=\"{assets}admin.js?v={v}\" defer></script>",
        escape(noscript)
    )
}

/// The client page's "Billing usage" block (template variables, texts through `tr`): None
/// when the product bills no metric (`usage` None and not `failed`); a message instead of
/// rows when nothing has been collected yet or the usage could not be read (`failed`), so a
/// failure never breaks the page.
pub fn billing_usage_block(
    usage: Option<&Value>,
    failed: bool,
    tr: &dyn Fn(&str) -> String,
) -> Option<Value> {
    if usage.is_none() && !failed {
        return None;
    }
    let usage = usage.filter(|_| !failed);
    let date = usage.and_then(|u| u.get("date")).and_then(Value::as_str);
    let title = match date {
        Some(date) => format!("{} ({date})", tr("Billing usage")),
        None => tr("Billing usage"),
    };
    let rows = date
        .and(usage)
        .and_then(|u| u.get("rows"))
        .cloned()
        .unwrap_or_else(|| Value::Array(Vec::new()));
    let message = if failed {
        "Cannot load usage."
    } else {
        "No usage has been collected yet."
    };
    Some(serde_json::json!({
        "title": title,
        "metric": tr("Metric"),
        "usage": tr("Usage"),
        "rows": rows,
        "message": tr(message),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escape_covers_quotes_and_tags() {
        assert_eq!(
            escape("<a href=\"x\">O'Brien & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#039;Brien &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn url_component_encodes_like_rawurlencode() {
        assert_eq!(url_component("2.4.0-rc1~x"), "2.4.0-rc1~x");
        assert_eq!(url_component("1 0/é"), "1%200%2F%C3%A9");
    }

    #[test]
    fn usage_table_without_date_says_nothing_collected() {
        let html = usage_table(&json!({"date": null, "rows": []}));
        assert_eq!(
            html,
            "<div class=\"acroniscloud-billing-usage\"><p>No usage has been collected yet.</p></div>"
        );
    }

    #[test]
    fn usage_table_escapes_every_cell() {
        let html = usage_table(&json!({"date": "2026-12-07", "rows": [
            {"name": "storage", "display_name": "<b>Storage</b>", "text": "1 & 2 GB"}
        ]}));
        assert!(html.contains("<caption>Billing usage (2026-12-07)</caption>"));
        assert!(html.contains(
            "<tr data-metric=\"storage\"><td>&lt;b&gt;Storage&lt;/b&gt;</td><td>1 &amp; 2 GB</td></tr>"
        ));
        assert!(html.ends_with("</tbody></table></div>"));
    }

    #[test]
    fn client_banner_hides_the_error_text() {
        let html = provisioning_banner(false, "Failed", "secret detail <x>");
        assert!(!html.contains("secret detail"));
        assert!(html.contains("Please contact the support team."));
        let admin = provisioning_banner(true, "Failed", "detail <x>");
        assert!(admin.contains("detail &lt;x&gt;"));
    }

    #[test]
    fn admin_page_escapes_noscript_and_encodes_version() {
        let html = admin_page("a/", "1.0 b", "<JS>", "{}");
        assert!(html.contains("href=\"a/admin.css?v=1.0%20b\""));
        assert!(html.contains("<noscript>&lt;JS&gt;</noscript>"));
        assert!(html.contains("Object.assign(window.acronis || {}, {});"));
    }

    #[test]
    fn error_alert_escapes_the_message() {
        assert_eq!(
            error_alert("a<b"),
            "<div class=\"alert alert-danger\">a&lt;b</div>"
        );
    }

    fn upper(s: &str) -> String {
        s.to_uppercase()
    }

    #[test]
    fn billing_block_absent_without_enabled_metrics() {
        assert_eq!(billing_usage_block(None, false, &upper), None);
    }

    #[test]
    fn billing_block_failure_shows_a_message() {
        let block = billing_usage_block(None, true, &upper).unwrap_or_default();
        assert_eq!(block["message"], "CANNOT LOAD USAGE.");
        assert_eq!(block["rows"], json!([]));
    }

    #[test]
    fn billing_block_rows_and_dated_title() {
        let empty = billing_usage_block(Some(&json!({"date": null, "rows": []})), false, &upper)
            .unwrap_or_default();
        assert_eq!(empty["title"], "BILLING USAGE");
        assert_eq!(empty["message"], "NO USAGE HAS BEEN COLLECTED YET.");
        let rows = json!([{"name": "storage", "text": "1 GB"}]);
        let full = billing_usage_block(
            Some(&json!({"date": "2026-12-07", "rows": rows})),
            false,
            &upper,
        )
        .unwrap_or_default();
        assert_eq!(full["title"], "BILLING USAGE (2026-12-07)");
        assert_eq!(full["rows"], rows);
        assert_eq!(full["metric"], "METRIC");
    }
}
