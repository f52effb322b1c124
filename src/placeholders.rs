//! `TemplateStore` and `UsageMetrics` exist from the start so the module files and stubs can
//! name them; their behaviour arrives with the templates and usage-billing work.

use crate::convert::{to_zval, Options};
use crate::guard::guard;
use acroniscloud_core::config::Config;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

#[php_class]
#[php(name = "AcronisCloud\\TemplateStore")]
pub struct TemplateStore {
    path: String,
}

#[php_impl]
impl TemplateStore {
    /// `$path`: the SQLite file that will hold the templates.
    pub fn __construct(path: Option<String>) -> PhpResult<Self> {
        guard(|| {
            Ok(TemplateStore {
                path: path.unwrap_or_default(),
            })
        })
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Product "Module Settings" fields (WHMCS `ConfigOptions`). Options: `config_file`,
    /// `admin_path`. Templates are listed once template storage exists.
    pub fn config_options(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        guard(|| {
            let opts = Options::new(options);
            let path = opts.str("config_file");
            let cfg = if path.trim().is_empty() {
                Config::default()
            } else {
                Config::load(std::path::Path::new(path.trim()))?
            };
            Ok(to_zval(
                &acroniscloud_core::product_settings::config_options(
                    &[],
                    &opts.str("admin_path"),
                    cfg.product.ask_user_credentials,
                ),
            ))
        })
    }

    /// Custom fields the product needs for activation method `$activationMethod`
    /// (`configoption2`): `['ensure' => [field rows], 'remove' => [keys]]`, field rows shaped
    /// like `tblcustomfields` columns.
    pub fn custom_field_plan(activation_method: Option<String>) -> PhpResult<Zval> {
        guard(|| {
            let plan = acroniscloud_core::product_settings::custom_field_plan(
                activation_method.as_deref().unwrap_or(""),
            )?;
            let on = |b: bool| if b { "on" } else { "" };
            let ensure: Vec<serde_json::Value> = plan
                .ensure
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "key": f.name,
                        "fieldname": f.fieldname_stored,
                        "fieldtype": f.kind,
                        "description": f.description,
                        "fieldoptions": "",
                        "regexpr": f.validation_regex,
                        "adminonly": on(f.admin_only),
                        "required": on(f.required),
                        "showorder": on(f.show_on_order),
                        "showinvoice": on(f.show_on_invoice),
                        "sortorder": f.sort_order,
                    })
                })
                .collect();
            Ok(to_zval(
                &serde_json::json!({"ensure": ensure, "remove": plan.remove}),
            ))
        })
    }

    /// True when a stored custom `fieldname` denotes the module field `$key`.
    pub fn field_matches(fieldname: String, key: String) -> bool {
        acroniscloud_core::product_settings::field_matches(&fieldname, &key)
    }

    /// The storage path given to the constructor.
    pub fn path(&self) -> String {
        self.path.clone()
    }
}

#[php_class]
#[php(name = "AcronisCloud\\UsageMetrics")]
pub struct UsageMetrics;

#[php_impl]
impl UsageMetrics {
    pub fn __construct() -> Self {
        UsageMetrics
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }
}
