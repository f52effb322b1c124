//! Usage billing (docs/behaviour.md §F): the report pipeline of the cron (order, poll,
//! download, aggregate, under a lease), the usage store, the streaming report reader, the
//! per-tenant metric computation, what WHMCS's MetricProvider gets, and the offline summary.

pub mod answers;
pub mod csv_reader;
pub mod housekeeping;
pub mod metrics;
pub mod pipeline;
pub mod pipeline_status;
pub mod provider;
pub mod quota_notices;
pub mod status;
pub mod store;
pub mod summarize;

pub use csv_reader::{read_report, read_stream, BadRow, Counters, ReadStats, Row};
pub use metrics::{compute_metrics, Aggregator, UsageMetrics};
pub use pipeline::{process_all, RunContext, ServerOutcome, UsagePaths, UsageServer};
pub use status::ReportStatus;
pub use summarize::{summarize_report, Summary};

#[cfg(test)]
mod tests;
