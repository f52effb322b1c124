//! `AdminServicesTabFields` (docs/behaviour.md §E.1: the admin sees the usage the client sees):
//! the service's Cloud ids and login plus a live usage table, as WHMCS's label → HTML
//! pairs. Platform failures are shown in the tab instead of breaking the admin page.

use super::{format, service_user, usages, Context, Found};
use crate::infra::i18n::Translator;
use crate::platform::catalog::catalog;
use crate::platform::connection::Connection;
use crate::platform::http::Exchange;
use serde_json::Value;

/// HTML escaping is the one of `crate::infra::markup` (same rules everywhere markup is built).
pub use crate::infra::markup::escape;

fn code(s: &str, t: &Translator) -> String {
    if s.trim().is_empty() {
        format!("<em>{}</em>", escape(&t.translate("not set")))
    } else {
        format!("<code>{}</code>", escape(s))
    }
}

fn error_box(msg: &str, t: &Translator) -> String {
    format!(
        "<div class=\"alert alert-warning acroniscloud-usage-error\">{}</div>",
        escape(&t.translate_message(msg))
    )
}

/// The usage table of the groups `usages::group` returns.
pub fn usage_table(groups: &Value, t: &Translator) -> String {
    let list = groups.as_array().map(Vec::as_slice).unwrap_or_default();
    if list.is_empty() {
        return format!(
            "<em>{}</em>",
            escape(&t.translate("No usage reported yet."))
        );
    }
    let cat = catalog().ok();
    let mut html = format!(
        "<table class=\"table table-condensed acroniscloud-usage\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(&t.translate("Offering item")),
        escape(&t.translate("Usage")),
        escape(&t.translate("Quota"))
    );
    for g in list {
        let app = g["application_type"].as_str().unwrap_or_default();
        let title = cat
            .and_then(|c| c.application(app))
            .map_or(app.to_string(), |a| t.translate(&a.title));
        html.push_str(&format!(
            "<tr class=\"acroniscloud-usage-app\"><th colspan=\"3\">{}</th></tr>",
            escape(&title)
        ));
        for item in g["offering_items"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let name = item["name"].as_str().unwrap_or_default();
            let label = cat
                .and_then(|c| c.offering_item(name))
                .map_or(name.to_string(), |o| t.translate(&o.friendly_name));
            let unit = item["measurement_unit"].as_str().unwrap_or_default();
            let quota = if item["quota_value"].is_null() {
                t.translate("Unlimited")
            } else {
                format::amount(&item["quota_value"], unit)
            };
            html.push_str(&format!(
                "<tr data-item=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(&label),
                escape(&format::amount(&item["usage_value"], unit)),
                escape(&quota)
            ));
        }
    }
    html.push_str("</tbody></table>");
    html
}

/// Label → HTML rows of the admin service tab, in the admin's language.
pub fn fields(ctx: &Context, exchanges: &mut Vec<Exchange>) -> Vec<(String, String)> {
    let t = Translator::load(
        &ctx.locale,
        crate::infra::i18n::Domain::Messages,
        ctx.l10n_dir.as_deref(),
    );
    let s = &ctx.service;
    let mut login = s.cloud_login.clone();
    let usage_html = match ctx.server.as_ref().map(|r| Connection::interactive(r, ctx.config.clone())) {
        None => error_box(
            "The service has no Acronis Cyber Cloud server assigned. Please contact the administrator.",
            &t,
        ),
        Some(Err(e)) => error_box(&e.to_string(), &t),
        Some(Ok(mut conn)) => {
            if !s.user_id.trim().is_empty() {
                if let Ok(u) = service_user(&mut conn, s) {
                    login = u.login;
                }
            }
            let html = if s.tenant_id.trim().is_empty() {
                error_box(
                    "Tenant Id is missing from the product's custom fields. Please, activate the purchase.",
                    &t,
                )
            } else {
                match usages(&mut conn, &s.tenant_id) {
                    Ok(groups) => usage_table(&groups, &t),
                    Err(Found::Missing(_, m)) => error_box(&m, &t),
                    Err(Found::Failed(e)) => error_box(&e.to_string(), &t),
                }
            };
            exchanges.append(&mut conn.take_exchanges());
            html
        }
    };
    vec![
        (t.translate("Cloud tenant ID"), code(&s.tenant_id, &t)),
        (t.translate("Cloud user ID"), code(&s.user_id, &t)),
        (t.translate("Cloud login"), code(&login, &t)),
        (
            t.translate("Current usage"),
            format!("<div class=\"acroniscloud-admin-usage\">{usage_html}</div>"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_escapes_and_formats() {
        let groups = json!([{"application_type": "backup", "offering_items": [
            {"name": "pw_storage", "measurement_unit": "bytes", "usage_value": 5_368_709_120_i64, "quota_value": null},
            {"name": "<x>", "measurement_unit": "quantity", "usage_value": 3, "quota_value": 10}]}]);
        let html = usage_table(&groups, &Translator::english());
        assert!(html.contains("<td>5 GB</td><td>Unlimited</td>"), "{html}");
        assert!(html.contains("data-item=\"&lt;x&gt;\""));
        assert!(!html.contains("<x>"));
        assert!(usage_table(&json!([]), &Translator::english()).contains("No usage reported yet."));
    }

    #[test]
    fn without_server_the_tab_still_shows_the_ids() {
        let ctx = Context {
            service: super::super::Service {
                tenant_id: "t-1".into(),
                ..Default::default()
            },
            ..Context::default()
        };
        let rows = fields(&ctx, &mut Vec::new());
        assert_eq!(
            rows[0],
            (
                "Cloud tenant ID".to_string(),
                "<code>t-1</code>".to_string()
            )
        );
        assert!(rows[3].1.contains("no Acronis Cyber Cloud server"));
    }
}
