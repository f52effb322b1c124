//! Usage billing data: the streaming report reader, the per-tenant metric computation and
//! the offline summary (module-behaviour.md §F.4).

pub mod csv_reader;
pub mod metrics;
pub mod summarize;

pub use csv_reader::{read_report, read_stream, BadRow, Counters, ReadStats, Row};
pub use metrics::{compute_metrics, Aggregator, UsageMetrics};
pub use summarize::{summarize_report, Summary};

#[cfg(test)]
mod tests;
