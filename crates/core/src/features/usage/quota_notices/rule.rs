//! The pure decision: which threshold a usage crossed, which billing period a notice belongs
//! to, and which notices are due given the ones already sent. No I/O, so every case is a
//! unit test.

use chrono::{Months, NaiveDate};

/// A notice already sent (read back from the audit trail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub metric: String,
    pub threshold: i64,
    pub period: String,
}

/// A notice to send now.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub metric: String,
    pub threshold: i64,
    pub usage: f64,
    pub quota: f64,
}

/// The highest threshold (percent, `thresholds` sorted ascending) that `usage` reached of
/// `quota`. A quota that is not a positive finite number has no percent: no notice.
pub fn crossed(usage: f64, quota: f64, thresholds: &[i64]) -> Option<i64> {
    if !(quota.is_finite() && quota > 0.0 && usage.is_finite()) {
        return None;
    }
    // A relative tolerance keeps 80.0 of 100.0 at 80 % despite unit conversions.
    let percent = usage / quota * 100.0 * (1.0 + 1e-9);
    thresholds
        .iter()
        .rev()
        .find(|t| percent >= **t as f64)
        .copied()
}

/// Months of a WHMCS billing cycle; `None` for one-time, free and unknown cycles.
fn cycle_months(cycle: &str) -> Option<u32> {
    match cycle.trim().to_ascii_lowercase().as_str() {
        "monthly" => Some(1),
        "quarterly" => Some(3),
        "semi-annually" | "semiannually" => Some(6),
        "annually" => Some(12),
        "biennially" => Some(24),
        "triennially" => Some(36),
        _ => None,
    }
}

/// The billing period a notice counts against: the service's current period
/// (`<start>..<next due date>`) when WHMCS knows its cycle and next due date, else the
/// calendar month (`YYYY-MM`) of the usage day. A new period allows the notices again.
pub fn period(next_due: &str, cycle: &str, usage_date: &str) -> String {
    let due = NaiveDate::parse_from_str(next_due.trim().get(..10).unwrap_or(""), "%Y-%m-%d").ok();
    let start = due.zip(cycle_months(cycle)).and_then(|(due, months)| {
        due.checked_sub_months(Months::new(months))
            .map(|start| (start, due))
    });
    match start {
        Some((start, due)) => format!("{start}..{due}"),
        None => usage_date.chars().take(7).collect(),
    }
}

/// The notices due for one service: per metric with a finite quota and a value, the highest
/// threshold crossed, unless a notice of that threshold or a higher one was already sent in
/// `period` (usage that falls back from 100 % to 85 % does not warn about 80 % afterwards).
pub fn due(
    usage: &[(String, f64)],
    quotas: &[(String, f64)],
    thresholds: &[i64],
    period: &str,
    sent: &[Sent],
) -> Vec<Due> {
    let mut out = Vec::new();
    for (metric, quota) in quotas {
        let Some(value) = usage.iter().find(|(m, _)| m == metric).map(|(_, v)| *v) else {
            continue;
        };
        let Some(threshold) = crossed(value, *quota, thresholds) else {
            continue;
        };
        let known = sent
            .iter()
            .any(|s| &s.metric == metric && s.period == period && s.threshold >= threshold);
        if !known && !out.iter().any(|d: &Due| &d.metric == metric) {
            out.push(Due {
                metric: metric.clone(),
                threshold,
                usage: value,
                quota: *quota,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[i64] = &[80, 100];

    fn sent(metric: &str, threshold: i64, period: &str) -> Sent {
        Sent {
            metric: metric.into(),
            threshold,
            period: period.into(),
        }
    }

    #[test]
    fn highest_threshold_crossed() {
        assert_eq!(crossed(79.9, 100.0, T), None);
        assert_eq!(crossed(80.0, 100.0, T), Some(80));
        assert_eq!(crossed(99.99, 100.0, T), Some(80));
        assert_eq!(crossed(100.0, 100.0, T), Some(100));
        assert_eq!(crossed(250.0, 100.0, T), Some(100));
        assert_eq!(crossed(0.8 * 3.3, 3.3, T), Some(80));
    }

    #[test]
    fn no_finite_quota_no_notice() {
        assert_eq!(crossed(5.0, 0.0, T), None);
        assert_eq!(crossed(5.0, -1.0, T), None);
        assert_eq!(crossed(5.0, f64::INFINITY, T), None);
        assert_eq!(crossed(f64::NAN, 10.0, T), None);
    }

    #[test]
    fn period_from_cycle_and_next_due_date() {
        assert_eq!(
            period("2026-12-15", "Monthly", "2026-12-01"),
            "2026-11-15..2026-12-15"
        );
        assert_eq!(
            period("2027-03-31", "Quarterly", "2026-12-01"),
            "2026-12-31..2027-03-31"
        );
        assert_eq!(
            period("2027-01-01 00:00:00", "Annually", "2026-12-01"),
            "2026-01-01..2027-01-01"
        );
    }

    #[test]
    fn period_falls_back_to_calendar_month() {
        assert_eq!(period("0000-00-00", "Monthly", "2026-12-06"), "2026-12");
        assert_eq!(
            period("2026-12-15", "Free Account", "2026-12-06"),
            "2026-12"
        );
        assert_eq!(period("2026-12-15", "One Time", "2026-12-06"), "2026-12");
        assert_eq!(period("", "", "2026-11-30"), "2026-11");
    }

    #[test]
    fn one_notice_per_threshold_and_period() {
        let usage = vec![("storage".to_string(), 85.0)];
        let quotas = vec![("storage".to_string(), 100.0)];
        let first = due(&usage, &quotas, T, "p1", &[]);
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].threshold, first[0].usage), (80, 85.0));
        assert!(due(&usage, &quotas, T, "p1", &[sent("storage", 80, "p1")]).is_empty());
        let next_period = due(&usage, &quotas, T, "p2", &[sent("storage", 80, "p1")]);
        assert_eq!(next_period.len(), 1);
    }

    #[test]
    fn next_threshold_is_a_new_notice_and_a_jump_sends_only_the_highest() {
        let quotas = vec![("storage".to_string(), 100.0)];
        let over = vec![("storage".to_string(), 120.0)];
        let after_80 = due(&over, &quotas, T, "p", &[sent("storage", 80, "p")]);
        assert_eq!(after_80.len(), 1);
        assert_eq!(after_80[0].threshold, 100);
        let jump = due(&over, &quotas, T, "p", &[]);
        assert_eq!(jump.len(), 1);
        assert_eq!(jump[0].threshold, 100);
        let back = vec![("storage".to_string(), 85.0)];
        assert!(due(&back, &quotas, T, "p", &[sent("storage", 100, "p")]).is_empty());
    }

    #[test]
    fn metrics_are_independent_and_need_a_value_and_a_quota() {
        let usage = vec![
            ("storage".to_string(), 90.0),
            ("workstations".to_string(), 10.0),
            ("servers".to_string(), 5.0),
        ];
        let quotas = vec![
            ("storage".to_string(), 100.0),
            ("workstations".to_string(), 10.0),
            ("vms".to_string(), 1.0),
        ];
        let list = due(&usage, &quotas, T, "p", &[sent("storage", 80, "p")]);
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].metric.as_str(), list[0].threshold),
            ("workstations", 100)
        );
    }
}
