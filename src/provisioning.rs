//! `AcronisCloud\Provisioning`: the lifecycle callbacks of the server module (CreateAccount,
//! ChangePackage, Suspend, Unsuspend, Terminate) and the contact hook. The PHP glue passes the
//! service as WHMCS describes it and a few callbacks for WHMCS-side effects (custom fields,
//! the service's server); everything else is `acroniscloud_core::provisioning`.
//!
//! `run` never throws: WHMCS wants a result string, and an uncaught exception in a module
//! callback would show the admin a PHP error page instead of an actionable message.

use crate::convert::{scalar, server_record, to_zval, zval_to_json, Options};
use crate::guard::contain;
use crate::module_log::ModuleLog;
use acroniscloud_core::http::Exchange;
use acroniscloud_core::i18n::Translator;
use acroniscloud_core::provisioning::{self, Host};
use acroniscloud_core::server::ServerRecord;
use acroniscloud_core::{Error, Result};
use ext_php_rs::convert::IntoZvalDyn;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};
use serde_json::{json, Map, Value};

#[php_class]
#[php(name = "AcronisCloud\\Provisioning")]
pub struct Provisioning;

/// WHMCS side of provisioning, reached through the glue's callbacks. Each callback returns
/// its value, or `['error' => message]` (the glue catches its own exceptions).
struct PhpHost<'a> {
    callbacks: &'a ZendHashTable,
    log: ModuleLog,
    warnings: Vec<String>,
}

impl PhpHost<'_> {
    fn call(&self, name: &str, args: Vec<&dyn IntoZvalDyn>) -> Result<Zval> {
        let callback = self.callbacks.get(name).ok_or_else(|| {
            Error::internal(format!("The WHMCS glue passed no \"{name}\" callback."))
        })?;
        let callable = ZendCallable::new(callback)
            .map_err(|_| Error::internal(format!("The \"{name}\" callback is not callable.")))?;
        let answer = callable
            .try_call(args)
            .map_err(|_| Error::internal(format!("The WHMCS callback \"{name}\" failed.")))?;
        if let Some(err) = answer.array().and_then(|a| a.get("error")).and_then(scalar) {
            return Err(Error::internal(format!("WHMCS: {err}")));
        }
        Ok(answer)
    }
}

impl Host for PhpHost<'_> {
    fn server(&mut self, id: i64) -> Result<Option<ServerRecord>> {
        let row = self.call("server", vec![&id])?;
        match row.array() {
            Some(ht) => server_record(ht).map(Some),
            None => Ok(None),
        }
    }

    fn assign_server(&mut self, id: i64) -> Result<()> {
        self.call("assign_server", vec![&id]).map(|_| ())
    }

    fn save_fields(&mut self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        let map: Map<String, Value> = changes
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.map_or(Value::Null, |s| json!(s))))
            .collect();
        let encoded = Value::Object(map).to_string();
        self.call("save_fields", vec![&encoded.as_str()])
            .map(|_| ())
    }

    fn exchanges(&mut self, exchanges: Vec<Exchange>) {
        self.log.write(exchanges);
    }

    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }
}

/// One operation; `Ok(warnings)` or the error.
fn operate(
    action: &str,
    service: &Zval,
    callbacks: &ZendHashTable,
    opts: &Options<'_>,
) -> Result<(Result<()>, Vec<String>)> {
    let input: provisioning::ServiceInput = serde_json::from_value(zval_to_json(service))
        .map_err(|e| Error::validation(format!("Invalid service description from WHMCS: {e}")))?;
    let config = opts.config()?;
    let db = opts.db()?;
    let mut host = PhpHost {
        callbacks,
        log: ModuleLog {
            enabled: opts.bool("module_log"),
            module: opts.str("module"),
            function: opts.str("function"),
        },
        warnings: Vec::new(),
    };
    let result = provisioning::run_action(action, &input, &config, &db, &mut host)?;
    Ok((result, host.warnings))
}

#[php_impl]
impl Provisioning {
    /// Runs `$action` (`create`, `change`, `suspend`, `unsuspend`, `terminate`,
    /// `sync_contact`) for `$service` (see `ServiceInput`). `$callbacks`: `server(int $id):
    /// ?array` (tblservers row, password decrypted), `assign_server(int $id)`,
    /// `save_fields(string $json)` (field → value|null). Returns `['result' => 'success' or the
    /// message WHMCS shows, 'warnings' => string[]]`; never throws.
    pub fn run(
        action: String,
        service: &Zval,
        callbacks: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> Zval {
        let opts = Options::new(options);
        let translator = Translator::for_locale(&opts.str("locale"));
        let (result, warnings) = match contain(|| operate(&action, service, callbacks, &opts)) {
            Ok((result, warnings)) => (result, warnings),
            Err(e) => (Err(e), Vec::new()),
        };
        let text = provisioning::whmcs_result(&result);
        to_zval(&json!({
            "result": if text == "success" { text } else { translator.translate_message(&text) },
            "warnings": warnings,
        }))
    }
}
