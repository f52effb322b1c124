//! Forwards the masked Cloud API exchanges of a call to WHMCS's `logModuleCall`, when the
//! caller said module logging is on (WHMCS "Module Debug Mode" plus the addon's
//! `logging_cloud_api` switch, read by the PHP glue).

use acroniscloud_core::infra::logging::request_uid;
use acroniscloud_core::platform::http::Exchange;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};

pub struct ModuleLog {
    pub enabled: bool,
    pub module: String,
    pub function: String,
}

impl ModuleLog {
    /// The log of a call on behalf of WHMCS module `module` (`addons`, `servers`, `hooks`),
    /// switched on and named by the caller's options (`module_log`, `function`).
    pub fn for_module(opts: &crate::convert::Options, module: &str) -> ModuleLog {
        ModuleLog {
            enabled: opts.bool("module_log"),
            module: module.to_string(),
            function: opts.str("function"),
        }
    }

    /// As [`ModuleLog::for_module`], the module named by the `module` option (`default`
    /// when the option is empty).
    pub fn from_options(opts: &crate::convert::Options, default: &str) -> ModuleLog {
        let named = opts.str("module");
        let module = if named.is_empty() { default } else { &named };
        ModuleLog::for_module(opts, module)
    }

    pub fn write(&self, exchanges: Vec<Exchange>) {
        if !self.enabled || exchanges.is_empty() {
            return;
        }
        let Ok(log) = ZendCallable::try_from_name("logModuleCall") else {
            return;
        };
        let module = if self.module.is_empty() {
            "servers"
        } else {
            &self.module
        };
        let action = format!(
            "Request ID: {} | Module: {module} | Function: {} | Type of call: Cloud API",
            request_uid(),
            self.function
        );
        for ex in exchanges {
            let request = ex.request_json().to_string();
            let response = ex.response_json().to_string();
            let mut replace = Zval::new();
            replace.set_hashtable(ZendHashTable::new());
            // Failures of the host's logger must not break the module call.
            let _ = log.try_call(vec![
                &"acroniscloud",
                &action.as_str(),
                &request.as_str(),
                &response.as_str(),
                &"",
                &replace,
            ]);
        }
    }
}
