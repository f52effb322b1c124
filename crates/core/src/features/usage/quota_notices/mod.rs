//! Quota notices: when a service's stored usage of a billed metric crosses a configured share
//! of its quota (80 % and 100 % by default), the client gets one e-mail per threshold and
//! billing period. Providers ask for it so clients upgrade before backups stop, instead of
//! after. The core decides which notices are due and records them in the audit trail; the
//! PHP glue only sends the WHMCS e-mail (see `docs/quota-notices.md`).
//!
//! [`rule`] is the pure decision, [`run`] reads the usage store, the platform's quotas and
//! the trail for each service of the daily cron, [`email`] words the WHMCS e-mail template.

pub mod email;
pub mod rule;
pub mod run;

pub use rule::{crossed, due, period, Due, Sent};
pub use run::{run, Notice, NoticeService, Outcome, Run};

/// The section of `config.yaml`; it is configuration, so it lives with the other sections.
pub use crate::infra::config_yaml::{QuotaNoticesConfig, MAX_THRESHOLD};

#[cfg(test)]
mod tests {
    use crate::infra::config_yaml::Config;

    #[test]
    fn off_by_default_with_80_and_100() {
        let cfg = Config::parse("").unwrap();
        assert!(!cfg.quota_notices.enabled);
        assert_eq!(cfg.quota_notices.thresholds, vec![80, 100]);
    }

    #[test]
    fn thresholds_are_sorted_and_deduplicated() {
        let cfg =
            Config::parse("quota_notices:\n  enabled: true\n  thresholds: [100, 50, 100, 90]\n")
                .unwrap();
        assert!(cfg.quota_notices.enabled);
        assert_eq!(cfg.quota_notices.thresholds, vec![50, 90, 100]);
    }

    #[test]
    fn bad_thresholds_are_config_errors() {
        for (yaml, needle) in [
            (
                "quota_notices:\n  thresholds: [0, 80]\n",
                "0 is not a whole percent",
            ),
            (
                "quota_notices:\n  thresholds: [1001]\n",
                "1001 is not a whole percent",
            ),
            (
                "quota_notices:\n  thresholds: [-5]\n",
                "-5 is not a whole percent",
            ),
            (
                "quota_notices:\n  thresholds: []\n",
                "at least one threshold",
            ),
            ("quota_notices:\n  thresholds: [eighty]\n", "thresholds"),
            ("quota_notices:\n  thresholds: [80.5]\n", "thresholds"),
            ("quota_notices:\n  enabled: maybe\n", "enabled"),
            ("quota_notices:\n  treshold: [80]\n", "treshold"),
        ] {
            let err = Config::parse(yaml).unwrap_err();
            assert!(matches!(err, crate::Error::Config(_)), "{yaml}: {err}");
            assert!(err.to_string().contains(needle), "{yaml}: {err}");
        }
    }
}
