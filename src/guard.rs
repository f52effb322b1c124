//! Every PHP-visible method runs inside `guard`: core errors become `AcronisCloud\…`
//! exceptions and a Rust panic becomes an `AcronisCloud\Exception` instead of a PHP `\Error`
//! (which `catch (\Exception)` in WHMCS code would miss) or a dead worker.

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

pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(raise(&e)),
        Err(payload) => Err(raise(&Error::internal(format!(
            "Internal error in the acroniscloud extension ({}); the operation was not completed. Please report this message.",
            acroniscloud_core::masking::mask_text(&panic_text(payload.as_ref()))
        )))),
    }
}
