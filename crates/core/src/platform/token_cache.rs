//! Process-wide caches of access tokens and discovered data-centre URLs.
//!
//! A PHP worker serves many requests; re-authenticating on each one costs three round trips.
//! Keys are hashes of the base URL and the credentials (secret included, so a changed password
//! misses the cache) and never contain a secret.

use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone)]
struct Cached {
    value: String,
    valid_until: Instant,
}

type Cache = Mutex<HashMap<String, Cached>>;

static TOKENS: Lazy<Cache> = Lazy::new(|| Mutex::new(HashMap::new()));
static DATA_CENTRES: Lazy<Cache> = Lazy::new(|| Mutex::new(HashMap::new()));

fn get(map: &Cache, key: &str) -> Option<String> {
    let mut m = map.lock().ok()?;
    match m.get(key) {
        Some(c) if c.valid_until > Instant::now() => Some(c.value.clone()),
        Some(_) => {
            m.remove(key);
            None
        }
        None => None,
    }
}

fn put(map: &Cache, key: &str, value: &str, ttl: Duration) {
    if ttl.is_zero() {
        return;
    }
    if let Ok(mut m) = map.lock() {
        m.insert(
            key.to_string(),
            Cached {
                value: value.to_string(),
                valid_until: Instant::now() + ttl,
            },
        );
    }
}

fn forget(map: &Cache, key: &str) {
    if let Ok(mut m) = map.lock() {
        m.remove(key);
    }
}

pub fn cached_token(key: &str) -> Option<String> {
    get(&TOKENS, key)
}

pub fn store_token(key: &str, token: &str, ttl: Duration) {
    put(&TOKENS, key, token, ttl)
}

pub fn forget_token(key: &str) {
    forget(&TOKENS, key)
}

pub fn cached_data_centre(key: &str) -> Option<String> {
    get(&DATA_CENTRES, key)
}

pub fn store_data_centre(key: &str, url: &str, ttl: Duration) {
    put(&DATA_CENTRES, key, url, ttl)
}

pub fn forget_data_centre(key: &str) {
    forget(&DATA_CENTRES, key)
}

/// Forgets everything (tests, and `AcronisServer::clearCaches()`).
pub fn clear_all() {
    for cache in [&TOKENS, &DATA_CENTRES] {
        if let Ok(mut m) = cache.lock() {
            m.clear();
        }
    }
}

pub fn cached_token_count() -> usize {
    TOKENS.lock().map(|m| m.len()).unwrap_or(0)
}

/// How long to keep a token: until shortly before `expires_on`, never longer than the
/// configured TTL. An `expires_on` already past (clock skew) is distrusted: the configured TTL
/// applies and the 401 path recovers if the token really is dead.
pub fn token_lifetime(expires_on: Option<i64>, now_unix: i64, configured: Duration) -> Duration {
    let Some(exp) = expires_on else {
        return configured;
    };
    let left = exp - now_unix;
    if left <= 0 {
        return configured;
    }
    let left = Duration::from_secs(u64::try_from(left).unwrap_or(0));
    // Refresh early: 10% of the lifetime, between 5 s and 5 min.
    let margin = (left / 10).clamp(Duration::from_secs(5), Duration::from_secs(300));
    left.saturating_sub(margin).min(configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_rules() {
        let ttl = Duration::from_secs(7200);
        assert_eq!(token_lifetime(None, 0, ttl), ttl);
        assert_eq!(
            token_lifetime(Some(1000 + 7200), 1000, ttl),
            Duration::from_secs(6900)
        );
        assert_eq!(
            token_lifetime(Some(1000 + 100), 1000, ttl),
            Duration::from_secs(90)
        );
        assert_eq!(
            token_lifetime(Some(500), 1000, ttl),
            ttl,
            "clock skew falls back"
        );
        assert_eq!(
            token_lifetime(Some(1000 + 7200), 1000, Duration::from_secs(60)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn cache_expiry_and_forget() {
        store_token("k1", "t", Duration::from_secs(60));
        assert_eq!(cached_token("k1").as_deref(), Some("t"));
        forget_token("k1");
        assert_eq!(cached_token("k1"), None);
        store_token("k2", "t", Duration::ZERO);
        assert_eq!(cached_token("k2"), None);
    }
}
