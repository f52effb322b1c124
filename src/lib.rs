//! The `acroniscloud` PHP extension: a thin binding over `acroniscloud_core`.
//!
//! Nothing here starts threads or network clients at load time: PHP-FPM forks workers after
//! module start-up, and anything created before the fork is unusable in the children.

#![cfg_attr(windows, feature(abi_vectorcall))]

mod acronis_server;
mod addon;
mod client_area;
mod convert;
mod exceptions;
mod guard;
mod markup;
mod module_log;
mod php_db;
mod provisioning;
mod quota_notices;
mod settings;
mod template_store;
#[cfg(feature = "test-hooks")]
mod testing;
mod usage_metrics;

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

extern "C" fn startup(_ty: i32, _module_number: i32) -> i32 {
    // The default hook prints the raw message and a backtrace to stderr (the web server log);
    // ours prints one masked line. The panic itself becomes an exception in `guard`.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "acroniscloud: internal panic at {at}: {}",
            acroniscloud_core::infra::masking::mask_text(&msg)
        );
    }));
    // A panic here would abort PHP: registration errors are reported as a failed start-up.
    match std::panic::catch_unwind(exceptions::register) {
        Ok(Ok(())) => 0,
        _ => -1,
    }
}

extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    let _ = std::panic::catch_unwind(acroniscloud_core::infra::logging::new_request_uid);
    0
}

/// `php --ri acroniscloud`.
pub extern "C" fn info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("acroniscloud support", "enabled");
    info_table_row!("version", acroniscloud_core::VERSION);
    info_table_row!(
        "build PHP API",
        ext_php_rs::ffi::ZEND_MODULE_API_NO.to_string()
    );
    info_table_row!(
        "TLS backend",
        "rustls (system trust store, SSL_CERT_FILE/SSL_CERT_DIR, cloud_api.ca_file)"
    );
    info_table_row!("user agent", acroniscloud_core::platform::http::USER_AGENT);
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .startup_function(startup)
        .request_startup_function(request_startup)
        .info_function(info)
        .class::<acronis_server::AcronisServer>()
        .class::<addon::Addon>()
        .class::<client_area::ClientArea>()
        .class::<provisioning::Provisioning>()
        .class::<template_store::TemplateStore>()
        .class::<usage_metrics::UsageMetrics>()
        .class::<quota_notices::QuotaNotices>()
        .class::<markup::Markup>()
        .class::<settings::Settings>()
        .class::<settings::Logger>();
    register_test_hooks(module)
}

/// `AcronisCloud\Testing` exists only in builds with the `test-hooks` feature (tests, demo,
/// benches): a release build offers no way to panic the extension on purpose.
#[cfg(feature = "test-hooks")]
fn register_test_hooks(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<testing::Testing>()
}

#[cfg(not(feature = "test-hooks"))]
fn register_test_hooks(module: ModuleBuilder) -> ModuleBuilder {
    module
}
