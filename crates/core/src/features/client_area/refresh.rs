//! "Refresh now" of the client area's live usage: at most one platform usages call per service
//! per [`INTERVAL`] seconds, whoever clicks and on whichever web node.
//!
//! The limit is a row of `acroniscloud_leases` named `client_refresh:<service id>` whose expiry
//! is the earliest moment of the next refresh. Taking it is the leases' conditional update, so
//! two simultaneous clicks (or two PHP-FPM nodes) let exactly one through, and no new table or
//! schema version is needed. Each refresh takes it under a fresh owner name, so a holder can
//! never extend its own window; the row is never released, it simply expires.

use crate::infra::error::Result;
use crate::infra::storage::{lease, Db};

/// Seconds between two refreshes of one service.
pub const INTERVAL: i64 = 60;

/// Outcome of asking for a refresh at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; the next refresh is allowed from this Unix time.
    Allowed { next_at: i64 },
    /// Refused; a refresh is allowed again from this Unix time.
    Refused { next_at: i64 },
}

fn lease_name(service_id: i64) -> String {
    format!("client_refresh:{service_id}")
}

/// Takes the service's refresh slot at `now` (Unix seconds) when it is free.
pub fn take(db: &dyn Db, service_id: i64, now: i64) -> Result<Decision> {
    let name = lease_name(service_id);
    let owner = format!("refresh-{now}-{}", unique());
    if lease::acquire(db, &name, &owner, now, INTERVAL)? {
        return Ok(Decision::Allowed {
            next_at: now + INTERVAL,
        });
    }
    let next_at = lease::holder(db, &name)?.map_or(now + INTERVAL, |(_, until)| until);
    Ok(Decision::Refused { next_at })
}

/// A value that differs between requests (process id and a nanosecond clock): only used to
/// keep two refreshes from sharing an owner name.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a Unix time, for the client's message.
pub fn utc_text(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::{schema, sqlite::SqliteDb};

    #[test]
    fn one_refresh_per_service_per_minute() {
        let db = SqliteDb::memory().unwrap();
        schema::ensure(&db).unwrap();
        assert_eq!(
            take(&db, 7, 1000).unwrap(),
            Decision::Allowed { next_at: 1060 }
        );
        assert_eq!(
            take(&db, 7, 1001).unwrap(),
            Decision::Refused { next_at: 1060 }
        );
        assert_eq!(
            take(&db, 7, 1059).unwrap(),
            Decision::Refused { next_at: 1060 }
        );
        assert_eq!(
            take(&db, 8, 1001).unwrap(),
            Decision::Allowed { next_at: 1061 },
            "per service"
        );
        assert_eq!(
            take(&db, 7, 1060).unwrap(),
            Decision::Allowed { next_at: 1120 }
        );
        assert_eq!(utc_text(1060), "1970-01-01 00:17:40");
    }
}
