//! `AcronisCloud\Provisioning`: the lifecycle callbacks of the server module (CreateAccount,
//! ChangePackage, Suspend, Unsuspend, Terminate) and the contact hook. The PHP glue passes the
//! service as WHMCS describes it and a few callbacks for WHMCS-side effects (custom fields,
//! the service's server); everything else is `acroniscloud_core::features::provisioning`.
//!
//! `run` never throws: WHMCS wants a result string, and an uncaught exception in a module
//! callback would show the admin a PHP error page instead of an actionable message.

use crate::convert::{scalar, server_record, to_zval, zval_to_json, Options};
use crate::guard::contain;
use crate::module_log::ModuleLog;
use acroniscloud_core::features::audit::Actor;
use acroniscloud_core::features::migration::legacy_switch::SwitchHost;
use acroniscloud_core::features::provisioning::{self, change_rollback, Host};
use acroniscloud_core::infra::i18n::Translator;
use acroniscloud_core::platform::http::Exchange;
use acroniscloud_core::platform::server_settings::ServerRecord;
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
pub(crate) struct PhpHost<'a> {
    pub(crate) callbacks: &'a ZendHashTable,
    pub(crate) log: ModuleLog,
    pub(crate) warnings: Vec<String>,
    /// Addon setting `move_user_email` (see `provisioning::owner_move`).
    pub(crate) move_user_email: bool,
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

impl change_rollback::RollbackHost for PhpHost<'_> {
    fn move_to_product(&mut self, service_id: i64, pid: i64) -> Result<()> {
        self.call("update_product", vec![&service_id, &pid])
            .map(|_| ())
    }

    fn save_fields(
        &mut self,
        service_id: i64,
        pid: i64,
        fields: &[(String, String)],
    ) -> Result<()> {
        let map: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let encoded = Value::Object(map).to_string();
        self.call("save_fields", vec![&service_id, &pid, &encoded.as_str()])
            .map(|_| ())
    }
}

impl SwitchHost for PhpHost<'_> {
    fn product_of(&mut self, service_id: i64) -> Result<i64> {
        let answer = self.call("product_of", vec![&service_id])?;
        answer
            .long()
            .or_else(|| scalar(&answer).and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| Error::internal(format!("WHMCS: no product for service {service_id}")))
    }

    fn module_fields(&mut self, service_id: i64, pid: i64) -> Result<Map<String, Value>> {
        match zval_to_json(&self.call("module_fields", vec![&service_id, &pid])?) {
            Value::Object(m) => Ok(m),
            _ => Ok(Map::new()),
        }
    }

    fn prepare_product(&mut self, pid: i64) -> Result<()> {
        self.call("prepare_product", vec![&pid]).map(|_| ())
    }

    fn change_package(&mut self, service_id: i64) -> Result<()> {
        self.call("change_package", vec![&service_id]).map(|_| ())
    }

    fn activity(&mut self, text: &str) {
        // The activity log is a courtesy: its failure must not turn a switch into an error.
        let _ = self.call("activity", vec![&text]);
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

    fn move_updates_user_email(&self) -> bool {
        self.move_user_email
    }

    fn services_with_tenant(&mut self, tenant_id: &str) -> Result<Vec<i64>> {
        let answer = self.call("services_with_tenant", vec![&tenant_id])?;
        Ok(match zval_to_json(&answer) {
            Value::Array(ids) => ids.iter().filter_map(Value::as_i64).collect(),
            _ => Vec::new(),
        })
    }
}

/// Who acts: the WHMCS callback or hook (`acroniscloud_CreateAccount` → `CreateAccount`) and
/// the admin signed in, if any.
fn actor(opts: &Options<'_>) -> Actor {
    let function = opts.str("function");
    let action = function
        .strip_prefix("acroniscloud_")
        .unwrap_or(&function)
        .to_string();
    Actor::new(action, opts.str("admin_id").trim().parse().unwrap_or(0))
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
        log: ModuleLog::from_options(opts, ""),
        warnings: Vec::new(),
        move_user_email: opts.bool("move_user_email"),
    };
    let result = provisioning::run_action(action, &input, &config, &db, &mut host, actor(opts))?;
    Ok((result, host.warnings))
}

#[php_impl]
impl Provisioning {
    /// Runs `$action` (`create`, `change`, `suspend`, `unsuspend`, `terminate`,
    /// `sync_contact`, `move`) for `$service` (see `ServiceInput`). `$callbacks`: `server(int $id):
    /// ?array` (tblservers row, password decrypted), `assign_server(int $id)`,
    /// `save_fields(string $json)` (field → value|null). Returns `['result' => 'success' or the
    /// message WHMCS shows, 'warnings' => string[], 'banner' => bool]` (`banner`: leave the error
    /// for the person who triggered it, from options `admin_area` and `request_uri`); never throws.
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
        let banner = provisioning::error_banner_wanted(
            &action,
            result.is_err(),
            opts.bool("admin_area"),
            &opts.str("request_uri"),
        );
        to_zval(&json!({
            "result": if text == "success" { text } else { translator.translate_message(&text) },
            "warnings": warnings,
            "banner": banner,
        }))
    }

    /// AfterModuleChangePackageFailed: puts the service back on its original product with
    /// its Cloud ids and reopens the upgrade (`change_rollback`). `$callbacks`:
    /// `update_product(int $serviceId, int $pid)`, `save_fields(int $serviceId, int $pid,
    /// string $json)`. Returns the original product id, or null when there was nothing to undo.
    pub fn restore_after_failed_change(
        service_id: i64,
        custom_fields: &Zval,
        callbacks: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Option<i64>> {
        let opts = Options::new(options);
        crate::guard::guard(|| {
            let db = opts.db()?;
            let fields = match zval_to_json(custom_fields) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            let mut host = PhpHost {
                callbacks,
                log: ModuleLog {
                    enabled: false,
                    module: "servers".into(),
                    function: opts.str("function"),
                },
                warnings: Vec::new(),
                move_user_email: false,
            };
            let out = change_rollback::restore(&db, &mut host, service_id, &fields)?;
            Ok(out.map(|r| r.original_pid))
        })
    }
}
