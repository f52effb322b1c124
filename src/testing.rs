//! `AcronisCloud\Testing`: hooks the test suite uses to prove failure handling through the real
//! PHP surface. Compiled only with the `test-hooks` Cargo feature (off by default, so never in a
//! release build), and even then inert unless the environment variable
//! `ACRONISCLOUD_TEST_HOOKS=1` is set.

use crate::guard::guard;
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;

#[php_class]
#[php(name = "AcronisCloud\\Testing")]
pub struct Testing;

fn enabled() -> Result<(), Error> {
    if std::env::var("ACRONISCLOUD_TEST_HOOKS").as_deref() == Ok("1") {
        Ok(())
    } else {
        Err(Error::validation(
            "Test hooks are disabled (set ACRONISCLOUD_TEST_HOOKS=1 in a test environment).",
        ))
    }
}

#[php_impl]
impl Testing {
    /// Panics inside the extension; the caller must receive an `AcronisCloud\Exception`.
    pub fn panic(message: String) -> PhpResult<()> {
        guard(|| {
            enabled()?;
            #[allow(clippy::panic)]
            {
                panic!("{message}")
            }
        })
    }
}
