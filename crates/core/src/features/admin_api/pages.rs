//! The addon's server-rendered admin pages: the tab bar every page shares, the "Usage
//! billing" status page, the "Reconciliation" page, and the banner the main (templates) page
//! shows when a server's usage report is stale or failed. Plain HTML with WHMCS's Bootstrap
//! classes: links, a GET form and tables with captions and header cells, so everything works
//! from the keyboard and with a screen reader, without JavaScript or any outside resource.

use super::dispatch::Context;
use super::envelope::ApiRequest;
use super::guard::check;
use super::pipeline_actions::{findings_of, status_of, ui_translator};
use crate::features::reconciliation::{number, Filter, Finding, KINDS};
use crate::features::usage::pipeline_status::{
    duration_text, time_text, DayStatus, PipelineStatus,
};
use crate::infra::i18n::Translator;
use crate::infra::markup::{escape, url_component};
use crate::infra::storage::Db;
use crate::platform::http::Exchange;

/// The pages this module renders (`page` query parameter).
pub const PAGES: &[&str] = &["usage_billing", "reconciliation"];

/// True when `page` is one of [`PAGES`].
pub fn is_page(page: &str) -> bool {
    PAGES.contains(&page)
}

/// The HTML of `page` (`""` = the main page's tab bar and banner, above the template app).
pub fn render(
    page: &str,
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
) -> (String, Vec<Exchange>) {
    let t = ui_translator(ctx);
    if let Err(refused) = check(&ctx.caller, "GET") {
        let message = serde_json::from_str::<serde_json::Value>(&refused.body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        return (crate::infra::markup::error_alert(&message), Vec::new());
    }
    let mut exchanges = Vec::new();
    let body = match page {
        "usage_billing" => usage_billing(req, ctx, db, &t),
        "reconciliation" => reconciliation(req, ctx, db, &t, &mut exchanges),
        _ => banner(ctx, db, &t),
    };
    // The main page's template app links the stylesheet itself; a second link would load it twice.
    let stylesheet = if page.is_empty() {
        String::new()
    } else {
        format!(
            "<link rel=\"stylesheet\" href=\"{}admin.css?v={}\">",
            escape(&ctx.assets),
            url_component(crate::VERSION)
        )
    };
    let html = format!(
        "{stylesheet}<div class=\"acroniscloud-pages\">{}{body}</div>",
        tabs(page, ctx, &t)
    );
    (html, exchanges)
}

fn link(ctx: &Context, page: &str) -> String {
    let base = if ctx.module_link.is_empty() {
        "addonmodules.php?module=acroniscloud"
    } else {
        ctx.module_link.as_str()
    };
    if page.is_empty() {
        base.to_string()
    } else {
        format!("{base}&page={page}")
    }
}

fn tabs(current: &str, ctx: &Context, t: &Translator) -> String {
    let items: String = [
        ("", "Templates"),
        ("usage_billing", "Usage billing"),
        ("reconciliation", "Reconciliation"),
    ]
    .iter()
    .map(|(page, label)| {
        let on = *page == current || (page.is_empty() && !is_page(current));
        format!(
            "<li role=\"presentation\"{}><a href=\"{}\"{}>{}</a></li>",
            if on { " class=\"active\"" } else { "" },
            escape(&link(ctx, page)),
            if on { " aria-current=\"page\"" } else { "" },
            escape(&t.translate(label))
        )
    })
    .collect();
    format!(
        "<nav aria-label=\"{}\"><ul class=\"nav nav-tabs acroniscloud-tabs\">{items}</ul></nav>",
        escape(&t.translate("Acronis Cyber Cloud pages"))
    )
}

fn alert_box(kind: &str, text: &str) -> String {
    format!("<div class=\"alert alert-{kind}\" role=\"status\">{text}</div>")
}

/// The banner of the main page: one line per server whose latest report is stale or failed.
fn banner(ctx: &Context, db: Option<&dyn Db>, t: &Translator) -> String {
    let Ok(status) = status_of(&serde_json::Map::new(), ctx, db) else {
        return String::new();
    };
    banner_of(&status, ctx, t)
}

fn banner_of(status: &PipelineStatus, ctx: &Context, t: &Translator) -> String {
    let alerts = status.alerts();
    if alerts.is_empty() {
        return String::new();
    }
    let items: String = alerts
        .iter()
        .map(|(s, a)| {
            format!(
                "<li>{}: {}</li>",
                escape(&s.server_name),
                escape(&a.message)
            )
        })
        .collect();
    format!(
        "<div class=\"alert alert-warning acroniscloud-usage-banner\" role=\"alert\"><strong>{}</strong><ul>{items}</ul><a href=\"{}\">{}</a></div>",
        escape(&t.translate("Usage billing needs attention.")),
        escape(&link(ctx, "usage_billing")),
        escape(&t.translate("Open the usage billing status"))
    )
}

fn usage_billing(req: &ApiRequest, ctx: &Context, db: Option<&dyn Db>, t: &Translator) -> String {
    let status = match status_of(&req.query, ctx, db) {
        Ok(s) => s,
        Err(e) => return crate::infra::markup::error_alert(&error_text(&e.body)),
    };
    let mut out = format!(
        "<h2>{}</h2><p>{}</p>",
        escape(&t.translate("Usage billing")),
        escape(&t.tr("Report day of the cron: {0} (UTC).", &[&status.today]))
    );
    out.push_str(&banner_of(&status, ctx, t));
    if status.servers.is_empty() {
        out.push_str(&alert_box(
            "info",
            &escape(&t.translate("No Acronis Cyber Cloud server is set up.")),
        ));
    }
    for s in &status.servers {
        out.push_str(&format!(
            "<section class=\"acroniscloud-server\" data-server-id=\"{}\"><h3>{}</h3>",
            s.server_id,
            escape(&format!("#{} {}", s.server_id, s.server_name))
        ));
        if s.disabled {
            out.push_str(&format!(
                "<p>{}</p>",
                escape(
                    &t.translate("The server is disabled in WHMCS; its reports are not processed.")
                )
            ));
        }
        if s.days.is_empty() {
            out.push_str(&format!(
                "<p>{}</p>",
                escape(&t.translate("No usage report yet; the next cron run orders one."))
            ));
        } else {
            out.push_str(&days_table(&s.days, &s.server_name, t));
        }
        out.push_str("</section>");
    }
    out
}

/// One report day: its counts and durations, what comes next and when, and the last error
/// with the hint that says how to fix it.
fn day_row(d: &DayStatus, t: &Translator) -> String {
    let dash =
        |v: Option<i64>| v.map_or_else(|| "&#8211;".to_string(), |s| escape(&duration_text(s)));
    let when = match (d.next_step.as_str(), d.next_run_at) {
        ("none", _) => "&#8211;".to_string(),
        (_, Some(at)) => escape(&time_text(at)),
        _ => escape(&t.translate("Next cron run")),
    };
    let mut problem = String::new();
    if let Some(e) = &d.error {
        problem.push_str(&format!("<div class=\"text-danger\">{}</div>", escape(e)));
    }
    if let Some(h) = &d.hint {
        problem.push_str(&format!(
            "<div class=\"acroniscloud-hint\" data-hint=\"{}\">{}</div>",
            escape(d.hint_code.as_deref().unwrap_or("")),
            escape(h)
        ));
    }
    format!(
        "<tr data-status=\"{}\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{when}</td><td>{problem}</td></tr>",
        d.status,
        escape(&d.date),
        escape(&d.status_text),
        dash(d.age_seconds),
        d.rows,
        d.tenants,
        d.bad_rows,
        dash(d.durations.order_to_ready),
        dash(d.durations.download),
        dash(d.durations.aggregate),
        escape(&d.next_step_text),
    )
}

fn days_table(days: &[DayStatus], server: &str, t: &Translator) -> String {
    let heads = [
        "Date",
        "Status",
        "Age",
        "Rows",
        "Tenants billed",
        "Bad rows",
        "Order to ready",
        "Download",
        "Aggregate",
        "Next step",
        "When",
        "Last error and how to fix it",
    ];
    let rows: String = days.iter().map(|d| day_row(d, t)).collect();
    data_table(
        "acroniscloud-status",
        &t.tr("Usage reports of {0}, newest first", &[server]),
        &heads,
        &rows,
        t,
    )
}

/// A responsive, condensed table with a caption and translated column heads.
fn data_table(class: &str, caption: &str, heads: &[&str], rows: &str, t: &Translator) -> String {
    let th: String = heads
        .iter()
        .map(|h| format!("<th scope=\"col\">{}</th>", escape(&t.translate(h))))
        .collect();
    format!(
        "<div class=\"table-responsive\"><table class=\"table table-condensed {class}\"><caption>{}</caption><thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table></div>",
        escape(caption)
    )
}

fn error_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.to_string())
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "orphan_tenant" => "Tenant without a service",
        "tenant_missing" => "Tenant missing",
        "tenant_disabled" => "Tenant disabled",
        "over_quota" => "Over quota",
        "billing_mismatch" => "Billing mismatch",
        _ => "Server or service not checked",
    }
}

fn action_label(kind: &str) -> &'static str {
    match kind {
        "adopt" => "Adopt the tenant",
        "resync" => "Re-sync (Change Package)",
        _ => "Open the service",
    }
}

fn reconciliation(
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    t: &Translator,
    exchanges: &mut Vec<Exchange>,
) -> String {
    let mut out = format!("<h2>{}</h2>", escape(&t.translate("Reconciliation")));
    match findings_of(&req.query, ctx, db, exchanges) {
        Ok((filter, found)) => {
            out.push_str(&filter_form(&filter, ctx, t));
            out.push_str(&findings_table(&found, t));
        }
        Err(e) => {
            out.push_str(&filter_form(&Filter::default(), ctx, t));
            out.push_str(&crate::infra::markup::error_alert(&error_text(&e.body)));
        }
    }
    out
}

fn option(value: &str, label: &str, selected: bool) -> String {
    format!(
        "<option value=\"{}\"{}>{}</option>",
        escape(value),
        if selected { " selected" } else { "" },
        escape(label)
    )
}

fn filter_form(filter: &Filter, ctx: &Context, t: &Translator) -> String {
    let mut servers = option("", &t.translate("All servers"), filter.server_id.is_none());
    for s in &ctx.servers {
        servers.push_str(&option(
            &s.id.to_string(),
            &format!("#{} {}", s.id, s.name),
            filter.server_id == Some(s.id),
        ));
    }
    let mut kinds = option("", &t.translate("All findings"), filter.kind.is_none());
    for k in KINDS {
        kinds.push_str(&option(
            k,
            &t.translate(kind_label(k)),
            filter.kind.as_deref() == Some(k),
        ));
    }
    let mut csv = format!("{}&action=reconciliation&format=csv", link(ctx, ""));
    if let Some(id) = filter.server_id {
        csv.push_str(&format!("&server_id={id}"));
    }
    if let Some(k) = &filter.kind {
        csv.push_str(&format!("&kind={}", url_component(k)));
    }
    let hidden: String = query_pairs(&link(ctx, "reconciliation"))
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    format!(
        "<form method=\"get\" action=\"{}\" class=\"form-inline acroniscloud-filter\">{hidden}\
         <label for=\"acroniscloud-f-server\">{}</label> <select id=\"acroniscloud-f-server\" name=\"server_id\" class=\"form-control\">{servers}</select> \
         <label for=\"acroniscloud-f-kind\">{}</label> <select id=\"acroniscloud-f-kind\" name=\"kind\" class=\"form-control\">{kinds}</select> \
         <button type=\"submit\" class=\"btn btn-primary\">{}</button> \
         <a class=\"btn btn-default\" href=\"{}\">{}</a></form>",
        escape(link(ctx, "").split('?').next().unwrap_or("addonmodules.php")),
        escape(&t.translate("Server")),
        escape(&t.translate("Kind of finding")),
        escape(&t.translate("Filter")),
        escape(&csv),
        escape(&t.translate("Export CSV"))
    )
}

/// `a=b&c=d` of a link's query (the GET form repeats them as hidden fields).
fn query_pairs(href: &str) -> Vec<(String, String)> {
    href.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn findings_table(found: &[Finding], t: &Translator) -> String {
    if found.is_empty() {
        return alert_box("success", &escape(&t.translate("No differences found.")));
    }
    let heads = [
        "Kind of finding",
        "Server",
        "Tenant",
        "Service",
        "Details",
        "Fix",
    ];
    let rows: String = found.iter().map(|f| finding_row(f, t)).collect();
    data_table(
        "acroniscloud-findings",
        &t.tr("{0} findings", &[&found.len().to_string()]),
        &heads,
        &rows,
        t,
    )
}

fn finding_row(f: &Finding, t: &Translator) -> String {
    let tenant = match (&f.tenant_name, &f.tenant_id) {
        (Some(n), Some(id)) => format!("{}<br><code>{}</code>", escape(n), escape(id)),
        (None, Some(id)) => format!("<code>{}</code>", escape(id)),
        _ => "&#8211;".into(),
    };
    let service = f
        .service_id
        .map_or_else(|| "&#8211;".into(), |id| format!("#{id}"));
    let mut details = escape(&f.details);
    if let (Some(w), Some(p)) = (f.whmcs_value, f.platform_value) {
        details.push_str(&format!(
            " <span class=\"acroniscloud-values\">{}</span>",
            escape(&t.tr("(WHMCS: {0}, platform: {1})", &[&number(w), &number(p)]))
        ));
    }
    let fixes: String = f
        .actions
        .iter()
        .map(|a| {
            format!(
                "<a class=\"btn btn-default btn-xs\" data-fix=\"{}\" href=\"{}\">{}</a> ",
                escape(&a.kind),
                escape(&a.href),
                escape(&t.translate(action_label(&a.kind)))
            )
        })
        .collect();
    format!(
        "<tr data-kind=\"{}\"><th scope=\"row\">{}</th><td>{}</td><td>{tenant}</td><td>{service}</td><td>{details}</td><td>{fixes}</td></tr>",
        escape(&f.kind),
        escape(&t.translate(kind_label(&f.kind))),
        escape(&format!("#{} {}", f.server_id, f.server_name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::admin_api::guard::Caller;

    fn ctx() -> Context {
        Context {
            caller: Caller {
                admin_id: 1,
                role_id: 1,
                allowed_roles: vec![1],
                ..Caller::default()
            },
            module_link: "addonmodules.php?module=acroniscloud".into(),
            ..Context::default()
        }
    }

    #[test]
    fn tabs_mark_the_current_page_and_escape_links() {
        let html = tabs("reconciliation", &ctx(), &Translator::english());
        assert!(html.contains("<li role=\"presentation\" class=\"active\"><a href=\"addonmodules.php?module=acroniscloud&amp;page=reconciliation\" aria-current=\"page\">Reconciliation</a>"));
        let de = tabs(
            "usage_billing",
            &ctx(),
            &Translator::load("de", crate::infra::i18n::Domain::Ui, None),
        );
        assert!(de.contains("aria-current"));
    }

    #[test]
    fn refused_callers_get_the_guard_message_only() {
        let mut c = ctx();
        c.caller.role_id = 2;
        let (html, _) = render("usage_billing", &ApiRequest::default(), &c, None);
        assert!(html.contains("alert-danger"));
        assert!(!html.contains("<table"));
    }

    #[test]
    fn findings_render_their_fix_links_escaped() {
        let f = Finding {
            kind: "orphan_tenant".into(),
            server_id: 1,
            server_name: "EU".into(),
            tenant_id: Some("t-1".into()),
            tenant_name: Some("<b>Acme</b>".into()),
            actions: vec![crate::features::reconciliation::FixAction {
                kind: "adopt".into(),
                href: "clientsservices.php?adopt_tenant_id=t-1&adopt_server_id=1".into(),
            }],
            ..Finding::default()
        };
        let html = findings_table(&[f], &Translator::english());
        assert!(html.contains("&lt;b&gt;Acme&lt;/b&gt;"));
        assert!(html.contains("href=\"clientsservices.php?adopt_tenant_id=t-1&amp;adopt_server_id=1\">Adopt the tenant</a>"));
        assert!(findings_table(&[], &Translator::english()).contains("No differences found."));
    }

    #[test]
    fn the_filter_form_keeps_the_module_link_and_the_selection() {
        let filter = Filter {
            server_id: None,
            kind: Some("over_quota".into()),
        };
        let html = filter_form(&filter, &ctx(), &Translator::english());
        assert!(html.contains("action=\"addonmodules.php\""));
        assert!(html.contains("<input type=\"hidden\" name=\"module\" value=\"acroniscloud\"><input type=\"hidden\" name=\"page\" value=\"reconciliation\">"));
        assert!(html.contains("<option value=\"over_quota\" selected>Over quota</option>"));
        assert!(html.contains("&amp;action=reconciliation&amp;format=csv&amp;kind=over_quota"));
    }
}
