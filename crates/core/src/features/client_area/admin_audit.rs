//! The audit trail and the adopt form on the admin service tab (issue 13), server-rendered:
//! the trail is a plain table with Newer/Older links (works without JavaScript, keyboard
//! and screen readers included); the adopt form is a labelled form that the addon's
//! `service-tab.js` sends to the admin JSON actions `adopt_search` and `adopt_tenant`.

use super::admin_tab::escape;
use crate::features::audit::store::Page;
use crate::features::audit::SqlAudit;
use crate::infra::error::Error;
use crate::infra::i18n::Translator;
use crate::infra::storage::Db;
use serde_json::Value;

/// What the tab's rows link to, as the PHP glue knows it.
pub struct TabLinks {
    /// The tab's own URL (the trail's Newer/Older links add `audit_page`).
    pub tab: String,
    /// The addon's URL, where the adopt form sends its JSON actions.
    pub addon: String,
    pub csrf_token: String,
    /// The addon's assets URL (ends with `/`).
    pub assets: String,
}

/// The audit rows of the admin service tab: the trail's `page` and, for a service without a
/// tenant, the adopt form. A database problem shows in the row instead of hiding the tab.
pub fn tab_rows(
    db: Result<&dyn Db, Error>,
    service_id: i64,
    tenant_id: &str,
    page: i64,
    links: &TabLinks,
    t: &Translator,
) -> Vec<(String, String)> {
    let trail = db.and_then(|db| SqlAudit::open(db)?.page(service_id, page));
    let html = match trail {
        Ok(p) => audit_html(&p, t, &links.tab),
        Err(e) => format!(
            "<div class=\"alert alert-warning\">{}</div>",
            escape(&t.translate_message(&e.to_string()))
        ),
    };
    let mut rows = vec![(t.translate("Audit trail"), html)];
    if tenant_id.trim().is_empty() && service_id > 0 {
        let script = format!("{}service-tab.js", links.assets);
        let form = adopt_form_html(service_id, &links.addon, &links.csrf_token, &script, t);
        rows.push((t.translate("Adopt an existing tenant"), form));
    }
    rows
}

/// `before → after` of one entry as a definition list (keys sorted by the JSON map).
fn changes(before: &Value, after: &Value) -> String {
    let Some(after_map) = after.as_object() else {
        return String::new();
    };
    if after_map.is_empty() {
        return "—".into();
    }
    let show = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::String(s) if s.is_empty() => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut html = String::from("<dl class=\"acroniscloud-audit-changes\">");
    for (key, new) in after_map {
        let old = before.get(key).unwrap_or(&Value::Null);
        html.push_str(&format!(
            "<dt>{}</dt><dd>{} → {}</dd>",
            escape(key),
            escape(&show(old)),
            escape(&show(new))
        ));
    }
    html.push_str("</dl>");
    html
}

fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The trail's page as a table; `link` is the tab's URL to which `&acroniscloud_audit_page=N`
/// is appended for the Newer/Older links.
pub fn audit_html(page: &Page, t: &Translator, link: &str) -> String {
    if page.entries.is_empty() {
        return format!(
            "<em>{}</em>",
            escape(&t.translate("No changes recorded yet."))
        );
    }
    let mut html = format!(
        "<table class=\"table table-condensed acroniscloud-audit\"><caption>{}</caption><thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        escape(&t.tr("Page {0} of {1}", &[&page.page.to_string(), &page.pages.to_string()])),
        escape(&t.translate("When (UTC)")),
        escape(&t.translate("Change")),
        escape(&t.translate("By")),
        escape(&t.translate("Before → after")),
        escape(&t.translate("Result")),
    );
    for e in &page.entries {
        let by = if e.admin_id > 0 {
            format!(
                "{} ({})",
                e.actor,
                t.tr("admin {0}", &[&e.admin_id.to_string()])
            )
        } else {
            e.actor.clone()
        };
        html.push_str(&format!(
            "<tr data-action=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.action),
            escape(&when(e.at)),
            escape(&e.action),
            escape(&by),
            changes(&e.before, &e.after),
            escape(&result_text(&e.result, t)),
        ));
    }
    html.push_str("</tbody></table>");
    let nav = |n: i64, label: &str, rel: &str| {
        format!(
            "<a class=\"btn btn-default btn-sm\" rel=\"{rel}\" href=\"{}&amp;acroniscloud_audit_page={n}\">{}</a> ",
            escape(link),
            escape(&t.translate(label))
        )
    };
    if page.pages > 1 {
        html.push_str("<nav class=\"acroniscloud-audit-pages\">");
        if page.page > 1 {
            html.push_str(&nav(page.page - 1, "Newer", "prev"));
        }
        if page.page < page.pages {
            html.push_str(&nav(page.page + 1, "Older", "next"));
        }
        html.push_str("</nav>");
    }
    html
}

/// An entry's result for the admin: the trail stores `success` or the error's English text.
fn result_text(result: &str, t: &Translator) -> String {
    if result == "success" {
        t.translate("Succeeded")
    } else {
        t.translate_message(result)
    }
}

/// The adopt form of a service without a tenant. `api` is the addon's URL (the JSON
/// actions), `token` the session's CSRF token, `script` the URL of `service-tab.js`.
pub fn adopt_form_html(
    service_id: i64,
    api: &str,
    token: &str,
    script: &str,
    t: &Translator,
) -> String {
    let id = |s: &str| format!("acroniscloud-adopt-{s}-{service_id}");
    format!(
        "<form class=\"acroniscloud-adopt\" data-service-id=\"{service_id}\" data-api=\"{api}\" data-token=\"{token}\" \
         data-none=\"{none}\" onsubmit=\"return false\">\
         <p>{intro}</p>\
         <label for=\"{q}\">{search_label}</label> \
         <input type=\"search\" id=\"{q}\" name=\"q\" class=\"form-control input-inline input-300\"> \
         <button type=\"button\" class=\"btn btn-default\" data-adopt=\"search\">{search}</button>\
         <div><label for=\"{tenant}\">{tenant_label}</label> \
         <select id=\"{tenant}\" name=\"tenant_id\" class=\"form-control select-inline\"></select></div>\
         <div><label for=\"{user}\">{user_label}</label> \
         <input type=\"text\" id=\"{user}\" name=\"user_id\" class=\"form-control input-inline input-300\"></div>\
         <div><label><input type=\"checkbox\" name=\"dry_run\" value=\"1\" checked> {dry}</label></div>\
         <button type=\"button\" class=\"btn btn-primary\" data-adopt=\"adopt\">{adopt}</button>\
         <div class=\"acroniscloud-adopt-result\" role=\"status\" aria-live=\"polite\"></div>\
         </form><script src=\"{script}\" defer></script>",
        api = escape(api),
        token = escape(token),
        none = escape(&t.translate("No tenant found.")),
        intro = escape(&t.translate(
            "Link this service to a tenant that already exists under the server's root. Nothing is re-created; quotas are applied on the next package change or re-sync."
        )),
        q = id("q"),
        search_label = escape(&t.translate("Search tenants by name or ID")),
        search = escape(&t.translate("Search")),
        tenant = id("tenant"),
        tenant_label = escape(&t.translate("Tenant")),
        user = id("user"),
        user_label = escape(&t.translate("Administrator user ID (optional)")),
        dry = escape(&t.translate("Only check (dry run)")),
        adopt = escape(&t.translate("Adopt tenant")),
        script = escape(script),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::audit::store::Stored;
    use serde_json::json;

    fn page(n: usize, page: i64, pages: i64) -> Page {
        Page {
            service_id: 4,
            page,
            pages,
            total: n as i64,
            entries: (0..n)
                .map(|i| Stored {
                    id: i as i64,
                    service_id: 4,
                    at: 0,
                    actor: "<b>SuspendAccount</b>".into(),
                    admin_id: 2,
                    action: "suspend".into(),
                    before: json!({"state": "active"}),
                    after: json!({"state": "suspended"}),
                    result: "success".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_trail_is_escaped_and_paged() {
        let t = Translator::english();
        let html = audit_html(&page(2, 2, 3), &t, "clientsservices.php?id=4");
        assert!(
            html.contains("<dt>state</dt><dd>active → suspended</dd>"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;SuspendAccount&lt;/b&gt; (admin 2)"));
        assert!(html.contains("acroniscloud_audit_page=1\">Newer"));
        assert!(html.contains("acroniscloud_audit_page=3\">Older"));
        assert!(html.contains("1970-01-01 00:00:00"));
        assert!(audit_html(&page(0, 1, 1), &t, "x").contains("No changes recorded yet."));
        assert!(html.contains("<td>Succeeded</td>"), "{html}");
        let de = Translator::for_locale("de");
        assert!(audit_html(&page(1, 1, 1), &de, "x").contains("<td>Erfolgreich</td>"));
    }

    #[test]
    fn the_form_is_labelled_and_escaped() {
        let html = adopt_form_html(
            9,
            "addonmodules.php?module=acroniscloud",
            "t\"k",
            "s.js",
            &Translator::english(),
        );
        assert!(html.contains("for=\"acroniscloud-adopt-tenant-9\""));
        assert!(html.contains("data-token=\"t&quot;k\""));
        assert!(html.contains("checked"), "dry run is the default");
    }
}
