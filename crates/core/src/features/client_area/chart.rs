//! The usage-history block of the client area as server-rendered HTML: per metric an inline
//! SVG line chart (the quota as a dashed line, the billing unit on the axis) and the same
//! numbers as a `<table>` inside a `<details>` element. Pure functions of the series, so the
//! page shows the chart without any script, the chart is identical whether the page or the
//! JSON action (`usage_history` with `html=1`) drew it, and nothing needs a charting library.
//!
//! Accessibility: the SVG is `role="img"` with a title and a one-line summary; the table is
//! the full data for screen readers and keyboard users (`<summary>` is focusable and toggles
//! with Enter or Space in every browser). Every text and attribute goes through
//! [`escape`], including metric names and translations.

use super::format::number;
use super::history::{MetricSeries, Quota};
use crate::infra::i18n::substitute;
use crate::infra::markup::escape;

/// Drawing area of the SVG (its `viewBox`; the CSS scales it to the page's width).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;

/// Translation of a UI msgid (the page's string table); English when missing.
pub type Tr<'a> = &'a dyn Fn(&str) -> String;

/// What the block needs besides the series.
pub struct BlockInput<'a> {
    /// Window in days (the range switch marks it current).
    pub days: i64,
    /// Windows offered by the switch.
    pub choices: &'a [i64],
    /// URL of the Management page; the switch links add `&history_days=<n>`.
    pub page_url: &'a str,
    /// True when the platform could not be asked for quotas (the block says so).
    pub quotas_unavailable: bool,
}

/// Short label of a billing unit, translated.
pub fn unit_label(unit: &str, tr: Tr) -> String {
    match unit {
        "gigabytes" => tr("GB"),
        "hours" => tr("hours"),
        _ => tr("accounts"),
    }
}

/// The whole block: title, range switch, one figure per metric (or a note without metrics).
pub fn block(
    list: &[MetricSeries],
    quotas: &[(String, Quota)],
    input: &BlockInput,
    tr: Tr,
) -> String {
    let mut out = format!(
        "<section class=\"acc-block acc-history\" id=\"acc-history\" aria-labelledby=\"acc-history-title\" data-days=\"{}\">\
         <h2 class=\"acc-block-title\" id=\"acc-history-title\">{}</h2>",
        input.days,
        escape(&tr("Usage history"))
    );
    out.push_str(&range_switch(input, tr));
    if input.quotas_unavailable {
        out.push_str(&format!(
            "<p class=\"acc-muted acc-history-note\">{}</p>",
            escape(&tr(
                "Quotas could not be loaded; the charts show usage only."
            ))
        ));
    }
    if list.is_empty() {
        out.push_str(&format!(
            "<p class=\"acc-muted\">{}</p>",
            escape(&tr("No billed metrics are enabled for this product."))
        ));
    }
    out.push_str("<div class=\"acc-history-charts\">");
    for s in list {
        let quota = quotas.iter().find(|(n, _)| *n == s.name).map(|(_, q)| *q);
        out.push_str(&figure(s, quota, tr));
    }
    out.push_str("</div></section>");
    out
}

fn range_switch(input: &BlockInput, tr: Tr) -> String {
    let mut out = format!(
        "<nav class=\"acc-history-range\" aria-label=\"{}\">",
        escape(&tr("Period"))
    );
    for n in input.choices {
        let current = if *n == input.days {
            " aria-current=\"true\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<a class=\"acc-btn acc-history-days\" href=\"{}&amp;history_days={n}\" data-days=\"{n}\"{current}>{}</a>",
            escape(input.page_url),
            escape(&substitute(&tr("Last {0} days"), &[&n.to_string()]))
        ));
    }
    out.push_str("</nav>");
    out
}

/// One metric: caption with the unit, the chart, the table view.
pub fn figure(s: &MetricSeries, quota: Option<Quota>, tr: Tr) -> String {
    let unit = unit_label(s.unit, tr);
    let caption = format!("{} ({unit})", tr(&s.display_name));
    format!(
        "<figure class=\"acc-chart\" data-metric=\"{}\"><figcaption class=\"acc-chart-title\">{}</figcaption>{}{}</figure>",
        escape(&s.name),
        escape(&caption),
        svg(s, quota, &caption, tr),
        table(s, quota, &unit, tr)
    )
}

/// Largest value of the chart's scale: a round number above the data and the quota.
fn scale_max(s: &MetricSeries, quota: Option<Quota>) -> f64 {
    let data = s
        .points
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let q = match quota {
        Some(Quota::Limited(q)) => q,
        _ => 0.0,
    };
    nice_ceiling(data.max(q) * 1.05)
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `v` (1 for nothing to show).
pub fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

fn x_of(i: usize, n: usize) -> f64 {
    let span = WIDTH - LEFT - RIGHT;
    if n <= 1 {
        return LEFT + span / 2.0;
    }
    LEFT + span * (i as f64) / ((n - 1) as f64)
}

fn y_of(v: f64, max: f64) -> f64 {
    let span = HEIGHT - TOP - BOTTOM;
    TOP + span * (1.0 - (v / max).clamp(0.0, 1.0))
}

/// `d` of the usage line: a new `M` after every gap, so a missing day is a break.
fn line_path(s: &MetricSeries, max: f64) -> (String, Vec<(f64, f64)>) {
    let n = s.points.len();
    let mut d = String::new();
    let mut lone = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, d: &mut String, lone: &mut Vec<(f64, f64)>| {
        match run.as_slice() {
            [] => {}
            [only] => lone.push(*only),
            _ => {
                for (k, (x, y)) in run.iter().enumerate() {
                    let op = if k == 0 { 'M' } else { 'L' };
                    d.push_str(&format!("{op}{x:.1} {y:.1} "));
                }
            }
        }
        run.clear();
    };
    for (i, (_, v)) in s.points.iter().enumerate() {
        match v {
            Some(v) => run.push((x_of(i, n), y_of(*v, max))),
            None => flush(&mut run, &mut d, &mut lone),
        }
    }
    flush(&mut run, &mut d, &mut lone);
    (d.trim_end().to_string(), lone)
}

/// The chart. Axis labels: 0, half and the top of the scale; first, middle and last day.
pub fn svg(s: &MetricSeries, quota: Option<Quota>, caption: &str, tr: Tr) -> String {
    let max = scale_max(s, quota);
    let id = format!("acc-chart-{}", escape(&s.name));
    let mut out = format!(
        "<svg class=\"acc-chart-svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(caption),
        escape(&summary(s, quota, tr))
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = y_of(max * frac, max);
        out.push_str(&format!(
            "<line class=\"acc-chart-grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"acc-chart-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&number(max * frac))
        ));
    }
    let n = s.points.len();
    for i in axis_days(n) {
        if let Some((date, _)) = s.points.get(i) {
            out.push_str(&format!(
                "<text class=\"acc-chart-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x_of(i, n).clamp(LEFT + 30.0, WIDTH - RIGHT - 30.0),
                HEIGHT - 8.0,
                escape(date)
            ));
        }
    }
    if let Some(Quota::Limited(q)) = quota {
        let y = y_of(q, max);
        out.push_str(&format!(
            "<line class=\"acc-chart-quota\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke-dasharray=\"6 4\"/>\
             <text class=\"acc-chart-quota-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            WIDTH - RIGHT,
            (y - 4.0).max(10.0),
            escape(&substitute(&tr("Quota: {0}"), &[&number(q)]))
        ));
    }
    let (d, lone) = line_path(s, max);
    if !d.is_empty() {
        out.push_str(&format!(
            "<path class=\"acc-chart-line\" d=\"{d}\" fill=\"none\"/>"
        ));
    }
    for (x, y) in lone {
        out.push_str(&format!(
            "<circle class=\"acc-chart-point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>"
        ));
    }
    out.push_str("</svg>");
    out
}

fn axis_days(n: usize) -> Vec<usize> {
    match n {
        0 => vec![],
        1 => vec![0],
        2 => vec![0, 1],
        _ => vec![0, (n - 1) / 2, n - 1],
    }
}

/// The SVG's description: latest value, highest value, quota.
fn summary(s: &MetricSeries, quota: Option<Quota>, tr: Tr) -> String {
    let unit = unit_label(s.unit, tr);
    let latest = s.points.iter().rev().find_map(|(d, v)| v.map(|v| (d, v)));
    let mut parts = Vec::new();
    match latest {
        Some((date, v)) => {
            let high = s
                .points
                .iter()
                .filter_map(|(_, v)| *v)
                .fold(0.0_f64, f64::max);
            parts.push(substitute(
                &tr("Latest: {0} {1} on {2}."),
                &[&number(v), &unit, date],
            ));
            parts.push(substitute(
                &tr("Highest: {0} {1}."),
                &[&number(high), &unit],
            ));
        }
        None => parts.push(tr("No usage has been collected in this period.")),
    }
    parts.push(quota_text(quota, &unit, tr));
    parts.join(" ")
}

fn quota_text(quota: Option<Quota>, unit: &str, tr: Tr) -> String {
    match quota {
        Some(Quota::Limited(q)) => substitute(&tr("Quota: {0} {1}."), &[&number(q), unit]),
        Some(Quota::Unlimited) => tr("No quota."),
        None => tr("Quota unknown."),
    }
}

/// The table view: one row per day, "no data" for gaps.
pub fn table(s: &MetricSeries, quota: Option<Quota>, unit: &str, tr: Tr) -> String {
    let mut out = format!(
        "<details class=\"acc-chart-table\"><summary>{}</summary><table class=\"acc-history-table\">\
         <caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        escape(&tr("Table view")),
        escape(&format!("{} — {}", tr(&s.display_name), quota_text(quota, unit, tr))),
        escape(&tr("Date")),
        escape(&substitute(&tr("Usage ({0})"), &[unit]))
    );
    for (date, v) in s.points.iter().rev() {
        let text = v.map_or_else(|| tr("No data"), number);
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(date),
            escape(&text)
        ));
    }
    out.push_str("</tbody></table></details>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english(s: &str) -> String {
        s.to_string()
    }

    fn series(name: &str, unit: &'static str, points: &[(&str, Option<f64>)]) -> MetricSeries {
        MetricSeries {
            name: name.into(),
            display_name: "Cyber Protect Cloud - Acronis hosted storage".into(),
            unit,
            points: points.iter().map(|(d, v)| ((*d).to_string(), *v)).collect(),
        }
    }

    #[test]
    fn nice_scale() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(105.0), 200.0);
        assert_eq!(nice_ceiling(22.0), 25.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
    }

    #[test]
    fn a_gap_breaks_the_line_and_a_lone_day_is_a_dot() {
        let s = series(
            "pw_storage_acronis",
            "gigabytes",
            &[
                ("2024-05-27", Some(1.0)),
                ("2024-05-28", Some(2.0)),
                ("2024-05-29", None),
                ("2024-05-30", Some(2.0)),
                ("2024-05-31", None),
            ],
        );
        let (d, lone) = line_path(&s, 4.0);
        assert_eq!(d.matches('M').count(), 1, "{d}");
        assert_eq!(d.matches('L').count(), 1, "{d}");
        assert_eq!(lone.len(), 1);
        let svg = svg(&s, None, "x", &english);
        assert!(svg.contains("<circle class=\"acc-chart-point\""));
        let all_gaps = series("pw_workstations", "accounts", &[("2024-05-31", None)]);
        let svg = super::svg(&all_gaps, None, "x", &english);
        assert!(!svg.contains("<path"));
        assert!(svg.contains("No usage has been collected in this period."));
    }

    #[test]
    fn quota_line_unit_and_scale_cover_the_quota() {
        let s = series(
            "pw_storage_acronis",
            "gigabytes",
            &[("2024-05-30", Some(5.0)), ("2024-05-31", Some(6.5))],
        );
        let html = figure(&s, Some(Quota::Limited(100.0)), &english);
        assert!(html.contains("<figcaption class=\"acc-chart-title\">Cyber Protect Cloud - Acronis hosted storage (GB)</figcaption>"));
        assert!(html.contains("class=\"acc-chart-quota\""));
        assert!(html.contains(">Quota: 100</text>"));
        // Scale 200 (100 × 1.05 rounded up): the quota line sits at mid-height.
        assert!(html.contains(">200</text>"), "{html}");
        let mid = y_of(100.0, 200.0);
        assert!(html.contains(&format!(
            "class=\"acc-chart-quota\" x1=\"{LEFT}\" y1=\"{mid:.1}\""
        )));
        assert!(html.contains("Latest: 6.5 GB on 2024-05-31. Highest: 6.5 GB. Quota: 100 GB."));
        assert!(html.contains("<th scope=\"col\">Usage (GB)</th>"));
        let unlimited = figure(&s, Some(Quota::Unlimited), &english);
        assert!(!unlimited.contains("acc-chart-quota"));
        assert!(unlimited.contains("No quota."));
        let hours = series("pw_compute_points", "hours", &[("2024-05-31", Some(2.5))]);
        assert!(figure(&hours, None, &english).contains("(hours)"));
    }

    #[test]
    fn table_lists_days_newest_first_with_gaps() {
        let s = series(
            "pw_workstations",
            "accounts",
            &[("2024-05-30", None), ("2024-05-31", Some(4.0))],
        );
        let t = table(&s, None, "accounts", &english);
        let newest = t.find("2024-05-31").unwrap();
        let older = t.find("2024-05-30").unwrap();
        assert!(newest < older);
        assert!(t.contains("<tr><th scope=\"row\">2024-05-30</th><td>No data</td></tr>"));
        assert!(
            t.starts_with("<details class=\"acc-chart-table\"><summary>Table view</summary><table")
        );
    }

    #[test]
    fn every_text_is_escaped() {
        let mut s = series("x\"><script>", "accounts", &[("<b>", Some(1.0))]);
        s.display_name = "A & <B>".into();
        let evil = |m: &str| format!("{m}<img src=x onerror=alert(1)>");
        let html = figure(&s, Some(Quota::Limited(2.0)), &evil);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("data-metric=\"x&quot;&gt;&lt;script&gt;\""));
        assert!(html.contains("A &amp; &lt;B&gt;"));
        let block = block(
            &[s],
            &[],
            &BlockInput {
                days: 30,
                choices: &[30, 90],
                page_url: "c.php?id=1&\"x",
                quotas_unavailable: true,
            },
            &english,
        );
        assert!(block.contains("href=\"c.php?id=1&amp;&quot;x&amp;history_days=90\""));
        assert!(block.contains("data-days=\"30\" aria-current=\"true\">Last 30 days</a>"));
        assert!(block.contains("Quotas could not be loaded"));
    }
}
