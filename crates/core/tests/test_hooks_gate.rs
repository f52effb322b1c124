//! Finding 6 of the security review: the date override used by the usage tests exists only in
//! builds with the `test-hooks` feature. `make test-rust` builds the core without it (as a
//! release build does), so this proves a release ignores `ACRONISCLOUD_TEST_TODAY` even with
//! `ACRONISCLOUD_TEST_HOOKS=1`; the PHPUnit usage suite proves the feature build honours it.
//! A separate test binary: the variables set here cannot leak into other tests.

#![allow(clippy::unwrap_used)]
use acroniscloud_core::features::usage::pipeline::today;

const FIXED: &str = "2001-02-03";

fn set_override() {
    std::env::set_var("ACRONISCLOUD_TEST_HOOKS", "1");
    std::env::set_var("ACRONISCLOUD_TEST_TODAY", FIXED);
}

#[cfg(not(feature = "test-hooks"))]
#[test]
fn release_build_ignores_the_date_override() {
    set_override();
    let real = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let day = today();
    // Around midnight the real day may change between the two reads.
    let after = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_ne!(day, FIXED);
    assert!(day == real || day == after, "{day}");
}

#[cfg(feature = "test-hooks")]
#[test]
fn test_hooks_build_honours_the_date_override() {
    set_override();
    assert_eq!(today(), FIXED);
}
