//! The one place where core errors and Rust panics meet PHP (policy: `docs/architecture.md`,
//! "Errors and panics"). Every PHP-visible method runs its body inside [`guard`] (the method
//! throws) or [`contain`] (the method answers WHMCS with a status value and never throws):
//! core errors become `AcronisCloud\…` exceptions or the caller's error value, and a Rust panic
//! becomes an internal error instead of a PHP `\Error` (which `catch (\Exception)` in WHMCS code
//! would miss) or a dead worker.

use crate::exceptions::raise;
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs `f`, turning a panic into an internal [`Error`] (its text masked: a panic message may
/// quote a request). For the WHMCS callbacks that report failures as values, never throwing.
pub fn contain<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::internal(format!(
            "Internal error in the acroniscloud extension ({}); the operation was not completed. Please report this message.",
            acroniscloud_core::infra::masking::mask_text(&panic_text(payload.as_ref()))
        )))
    })
}

/// Runs `f` for a method that throws: its error, or a panic, becomes the matching
/// `AcronisCloud\…` exception.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> PhpResult<T> {
    contain(f).map_err(|e| raise(&e))
}
