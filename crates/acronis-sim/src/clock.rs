//! Injectable clock: real time plus an offset that tests move via `/__sim/clock`.

use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real + self.offset_ms.load(Ordering::SeqCst)
    }
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
    pub fn advance_secs(&self, secs: i64) {
        self.offset_ms.fetch_add(secs * 1000, Ordering::SeqCst);
    }
    /// Moves "now" to the given Unix time.
    pub fn set(&self, unix_secs: i64) {
        let cur = self.now_ms();
        self.offset_ms
            .fetch_add(unix_secs * 1000 - cur, Ordering::SeqCst);
    }
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::SeqCst);
    }
    pub fn offset_secs(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst) / 1000
    }
}

/// ISO 8601 with explicit UTC offset, the form the platform uses in responses.
pub fn iso(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
        .unwrap_or_default()
}

pub fn date(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// First day of the month of `unix`, as `YYYY-MM-01T00:00:00`.
pub fn month_start(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-01T00:00:00").to_string())
        .unwrap_or_default()
}
