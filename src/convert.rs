//! Conversions between PHP values and the core's plain types.

use acroniscloud_core::platform::server_settings::ServerRecord;
use acroniscloud_core::Error;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::Value;

/// A scalar PHP value as text (WHMCS stores most fields as strings, some as ints).
pub fn scalar(z: &Zval) -> Option<String> {
    if let Some(s) = z.str() {
        return Some(s.to_string());
    }
    if let Some(l) = z.long() {
        return Some(l.to_string());
    }
    if let Some(b) = z.bool() {
        return Some(if b { "1".into() } else { String::new() });
    }
    if let Some(d) = z.double() {
        return Some(d.to_string());
    }
    None
}

pub fn get_str(ht: &ZendHashTable, key: &str) -> String {
    ht.get(key).and_then(scalar).unwrap_or_default()
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "1" | "on" | "true" | "yes"
    )
}

/// Reads a WHMCS server: either module `$params` (`serverhostname`, `serverpassword`, …) or a
/// `tblservers` row (`hostname`, `password`, …, password already decrypted).
pub fn server_record(ht: &ZendHashTable) -> Result<ServerRecord, Error> {
    let params_style = ht.get("serverhostname").is_some()
        || ht.get("serverusername").is_some()
        || ht.get("serverid").is_some();
    let k = |name: &str| -> String {
        if params_style {
            get_str(ht, &format!("server{name}"))
        } else {
            get_str(ht, name)
        }
    };
    let id_raw = k("id");
    let id = match id_raw.trim() {
        "" | "0" => None,
        s => Some(s.parse::<i64>().map_err(|_| {
            Error::config(format!("Invalid server id \"{s}\": expected a number."))
        })?),
    };
    let name = if params_style {
        get_str(ht, "servername")
    } else {
        get_str(ht, "name")
    };
    let hostname = match k("hostname") {
        h if h.trim().is_empty() => k("ip"),
        h => h,
    };
    Ok(ServerRecord {
        id,
        name,
        hostname,
        port: k("port"),
        secure: truthy(&k("secure")),
        username: k("username"),
        password: k("password"),
        accesshash: k("accesshash"),
    })
}

/// `(key, value)` pairs of a PHP array, keys as text. ext-php-rs's own iterators (`iter`,
/// `values`, `has_sequential_keys`) panic on a string key that is not UTF-8, which any PHP code
/// can build (`["\xff" => 1]`); here such a key is read lossily instead.
pub fn entries(ht: &ZendHashTable) -> Vec<(Key, &Zval)> {
    let mut it = ht.iter();
    let mut out = Vec::with_capacity(ht.len());
    while let Some((k, v)) = it.next_zval() {
        let key = match k.long() {
            Some(n) => Key::Index(n),
            None => Key::Name(
                k.zend_str()
                    .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
                    .unwrap_or_default(),
            ),
        };
        out.push((key, v));
    }
    out
}

/// A PHP array key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Index(i64),
    Name(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Index(n) => write!(f, "{n}"),
            Key::Name(s) => f.write_str(s),
        }
    }
}

/// The values of a PHP array in order (see [`entries`] for why not `ZendHashTable::values`).
pub fn values(ht: &ZendHashTable) -> Vec<&Zval> {
    entries(ht).into_iter().map(|(_, v)| v).collect()
}

/// Nesting depth past which [`zval_to_json`] stops: no input of the module is nearly this
/// deep, and a self-referencing PHP array (`$a['x'] = &$a`) or a hostile nesting would
/// otherwise overflow the stack and kill the PHP worker.
const MAX_DEPTH: usize = 64;

/// A PHP value as JSON (lists → arrays, other arrays → objects, scalars kept). Arrays nested
/// deeper than [`MAX_DEPTH`] become `null`.
pub fn zval_to_json(z: &Zval) -> Value {
    json_at(z, 0)
}

fn json_at(z: &Zval, depth: usize) -> Value {
    if let Some(ht) = z.array() {
        if depth >= MAX_DEPTH {
            return Value::Null;
        }
        let pairs = entries(ht);
        let is_list = pairs
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == Key::Index(i as i64));
        if is_list {
            return Value::Array(pairs.iter().map(|(_, v)| json_at(v, depth + 1)).collect());
        }
        let mut m = serde_json::Map::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), json_at(v, depth + 1));
        }
        return Value::Object(m);
    }
    if z.is_null() {
        return Value::Null;
    }
    if let Some(b) = z.bool() {
        return Value::Bool(b);
    }
    if let Some(l) = z.long() {
        return Value::from(l);
    }
    scalar(z).map(Value::String).unwrap_or(Value::Null)
}

pub fn to_zval(v: &Value) -> Zval {
    let mut z = Zval::new();
    match v {
        Value::Null => z.set_null(),
        Value::Bool(b) => z.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                z.set_long(i)
            } else {
                z.set_double(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => {
            if z.set_string(s, false).is_err() {
                z.set_null()
            }
        }
        Value::Array(a) => {
            let mut ht = ZendHashTable::new();
            for item in a {
                let _ = ht.push(to_zval(item));
            }
            z.set_hashtable(ht)
        }
        Value::Object(o) => {
            let mut ht: ZBox<ZendHashTable> = ZendHashTable::new();
            for (k, item) in o {
                let _ = ht.insert(k.as_str(), to_zval(item));
            }
            z.set_hashtable(ht)
        }
    }
    z
}

/// Options array → (key → text) lookups with defaults.
pub struct Options<'a>(Option<&'a ZendHashTable>);

impl<'a> Options<'a> {
    pub fn new(ht: Option<&'a ZendHashTable>) -> Self {
        Options(ht)
    }
    pub fn str(&self, key: &str) -> String {
        self.0.map(|h| get_str(h, key)).unwrap_or_default()
    }
    /// config.yaml named by `config_file` (defaults when the option is empty).
    pub fn config(&self) -> Result<acroniscloud_core::infra::config_yaml::Config, Error> {
        acroniscloud_core::infra::config_yaml::Config::load_path(&self.str("config_file"))
    }

    /// The WHMCS database, through the glue's adapter (option `db`).
    pub fn db(&self) -> Result<crate::php_db::PhpDb<'a>, Error> {
        let adapter = self.0.and_then(|h| h.get("db")).ok_or_else(|| {
            Error::config("The WHMCS glue passed no database adapter (option \"db\").")
        })?;
        crate::php_db::PhpDb::new(adapter, self.bool("db_query_log"))
            .map_err(|e| Error::config(e.message))
    }

    /// Files of earlier versions of this module (imported once by the addon's upgrade): the
    /// template database named by `templates.database` (default in the WHMCS storage area)
    /// and `usage.sqlite` next to it.
    pub fn earlier_files(
        &self,
        config: &acroniscloud_core::infra::config_yaml::Config,
    ) -> (std::path::PathBuf, std::path::PathBuf) {
        let path = self.str("config_file");
        let config_dir = std::path::Path::new(path.trim())
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let storage = self.str("storage_dir");
        let storage =
            Some(std::path::Path::new(storage.trim())).filter(|p| !p.as_os_str().is_empty());
        let templates = config.templates.database_path(&config_dir, storage);
        let usage = templates
            .parent()
            .map(|d| d.join("usage.sqlite"))
            .unwrap_or_else(|| std::path::PathBuf::from("usage.sqlite"));
        (templates, usage)
    }

    pub fn bool(&self, key: &str) -> bool {
        self.0
            .and_then(|h| h.get(key))
            .map(|z| z.is_true() || scalar(z).is_some_and(|s| truthy(&s)))
            .unwrap_or(false)
    }
}

/// The request array the PHP glue passes to the JSON APIs (`method`, `action`, `query`,
/// `content_type`, `body`) as the core's request.
pub fn api_request(request: &ZendHashTable) -> acroniscloud_core::features::admin_api::ApiRequest {
    let query = match request.get("query").map(zval_to_json) {
        Some(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    acroniscloud_core::features::admin_api::ApiRequest {
        method: get_str(request, "method"),
        action: get_str(request, "action"),
        query,
        content_type: get_str(request, "content_type"),
        body: get_str(request, "body").into_bytes(),
    }
}
