//! `AcronisCloud\TemplateStore`: the product-settings side of templates (the template selector
//! of Module Settings, the product custom fields). Template CRUD goes through the admin API
//! (`AcronisCloud\Addon`), which validates against the platform.

use crate::convert::{to_zval, Options};
use crate::guard::guard;
use acroniscloud_core::features::templates::{SqlTemplates, TemplateStorage};
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

#[php_class]
#[php(name = "AcronisCloud\\TemplateStore")]
pub struct TemplateStore;

#[php_impl]
impl TemplateStore {
    /// `[{id, name, description, server_id, tenant_kind, user_role}]` of the stored templates
    /// (options: `db`, the WHMCS database adapter).
    pub fn list(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        guard(|| {
            let db = Options::new(options).db()?;
            let store = SqlTemplates::open(&db)?;
            let list = TemplateStorage::list(&store).map_err(|e| Error::internal(e.message()))?;
            Ok(to_zval(&serde_json::json!(list)))
        })
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Product "Module Settings" fields (WHMCS `ConfigOptions`) with the stored templates in
    /// the selector. Options: `config_file`, `db`, `admin_path`.
    pub fn config_options(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        guard(|| {
            let opts = Options::new(options);
            let cfg = opts.config()?;
            let db = opts.db()?;
            let store = SqlTemplates::open(&db)?;
            let templates: Vec<(String, String)> = TemplateStorage::list(&store)
                .map_err(|e| Error::internal(e.message()))?
                .into_iter()
                .map(|t| (t.id.to_string(), t.name))
                .collect();
            // Labels in the admin's language.
            let t = acroniscloud_core::infra::i18n::Translator::for_locale(&opts.str("locale"));
            Ok(to_zval(
                &acroniscloud_core::features::product_settings::config_options_in(
                    &templates,
                    &opts.str("admin_path"),
                    cfg.product.ask_user_credentials,
                    &|msgid: &str| t.translate(msgid),
                ),
            ))
        })
    }

    /// Custom fields the product needs for activation method `$activationMethod`
    /// (`configoption2`): `['ensure' => [field rows], 'remove' => [keys]]`, field rows shaped
    /// like `tblcustomfields` columns.
    pub fn custom_field_plan(activation_method: Option<String>) -> PhpResult<Zval> {
        guard(|| {
            let plan = acroniscloud_core::features::product_settings::custom_field_plan(
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
        acroniscloud_core::features::product_settings::field_matches(&fieldname, &key)
    }
}
