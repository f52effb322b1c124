//! Request routing for the platform API (§3) and the shared handler context.

pub mod apps;
pub mod auth;
pub mod idp;
pub mod infra;
pub mod offering_items;
pub mod reports;
pub mod tenants;
pub mod usage;
pub mod users;
pub mod v1;

use crate::errors::{ApiError, ApiResult};
use crate::http::{Request, Response};
use crate::ids::{is_uuid, password_hash};
use crate::server::Cluster;
use crate::state::{DcState, Principal};
use base64::Engine;
use serde_json::{Map, Value};

pub struct Ctx<'a> {
    pub st: &'a mut DcState,
    pub req: &'a Request,
    pub cluster: &'a Cluster,
    pub idx: usize,
    pub now: i64,
    pub method: String,
}

/// The authenticated caller: who, and the tenant whose subtree it may see.
#[derive(Debug, Clone)]
pub struct Auth {
    pub principal: Principal,
    pub tenant_id: String,
}

impl Auth {
    pub fn subject_id(&self) -> String {
        match &self.principal {
            Principal::User(id) | Principal::Client(id) => id.clone(),
        }
    }
}

pub fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let h = req.header("authorization")?;
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, secret) = s.split_once(':')?;
    Some((
        crate::http::form_decode(id),
        crate::http::form_decode(secret),
    ))
}

impl Ctx<'_> {
    pub fn base_url(&self) -> String {
        self.cluster
            .dcs
            .get(self.idx)
            .map(|d| d.base_url(self.req.tls))
            .unwrap_or_default()
    }

    pub fn fault(&mut self, kind: &str) -> Option<Value> {
        let (m, p) = (self.method.clone(), self.req.path.clone());
        self.st.faults.fire(kind, &m, &p)
    }

    /// Bearer token (or, as public samples do, HTTP Basic user/client credentials).
    pub fn auth(&mut self) -> ApiResult<Auth> {
        let header = self.req.header("authorization").map(str::to_string);
        let Some(h) = header else {
            return Err(ApiError::unauthorized("Authorization header is missing"));
        };
        if let Some(tok) = h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
        {
            let now = self.now;
            let t = self
                .st
                .tokens
                .get_mut(tok.trim())
                .ok_or_else(|| ApiError::unauthorized("Invalid access token"))?;
            if t.revoked {
                return Err(ApiError::unauthorized("Access token has been revoked"));
            }
            if now >= t.expires_at {
                return Err(ApiError::unauthorized("Access token has expired"));
            }
            if let Some(n) = t.uses_left.as_mut() {
                if *n == 0 {
                    return Err(ApiError::unauthorized("Access token is no longer valid"));
                }
                *n -= 1;
            }
            let auth = Auth {
                principal: t.principal.clone(),
                tenant_id: t.tenant_id.clone(),
            };
            if !self.st.tenants.contains_key(&auth.tenant_id) {
                return Err(ApiError::unauthorized("Principal no longer exists"));
            }
            return Ok(auth);
        }
        if let Some((id, secret)) = basic_credentials(self.req) {
            if let Some(c) = self.st.clients.get(&id) {
                if c.secret == secret {
                    return Ok(Auth {
                        principal: Principal::Client(c.client_id.clone()),
                        tenant_id: c.tenant_id.clone(),
                    });
                }
            }
            if let Some(u) = self
                .st
                .logins
                .get(&id.to_lowercase())
                .and_then(|uid| self.st.users.get(uid))
            {
                if u.password_hash.as_deref() == Some(password_hash(&u.id, &secret).as_str())
                    && u.enabled
                {
                    return Ok(Auth {
                        principal: Principal::User(u.id.clone()),
                        tenant_id: u.tenant_id.clone(),
                    });
                }
            }
            return Err(ApiError::unauthorized("Invalid credentials"));
        }
        Err(ApiError::unauthorized("Unsupported authorization scheme"))
    }

    /// 404 for unknown (or hidden) tenants, 403 outside the caller's subtree.
    pub fn check_tenant(&self, auth: &Auth, tid: &str) -> ApiResult<()> {
        match self.st.tenants.get(tid) {
            None => Err(ApiError::tenant_not_found(tid)),
            Some(t) if t.hidden => Err(ApiError::tenant_not_found(tid)),
            Some(_) if !self.st.in_subtree(&auth.tenant_id, tid) => Err(ApiError::forbidden(
                format!("Tenant {tid} is outside of the caller's scope"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// JSON object body of a POST/PUT; 415 for a non-JSON content type.
    pub fn body(&self) -> ApiResult<Map<String, Value>> {
        let ct = self.req.header("content-type").unwrap_or("");
        if !ct.to_ascii_lowercase().contains("json") {
            return Err(ApiError::unsupported_media(format!(
                "Content-Type must be application/json, got `{ct}`"
            )));
        }
        if self.req.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ApiError::bad_request("Request body is empty"));
        }
        match serde_json::from_slice::<Value>(&self.req.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::bad_request("Request body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!("Malformed JSON: {e}"))),
        }
    }

    /// Body that may legitimately be empty (bindings, activation e-mail).
    pub fn optional_body(&self) -> ApiResult<Map<String, Value>> {
        if self.req.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Map::new());
        }
        self.body()
    }

    pub fn query(&self, name: &str) -> Option<String> {
        self.req.query_param(name)
    }
}

/// Mandatory integral `version` (any JSON number with no fraction).
pub fn req_version(v: Option<&Value>) -> ApiResult<i64> {
    match v {
        Some(Value::Number(n)) => match n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        {
            Some(x) => Ok(x),
            None => Err(ApiError::bad_request("`version` must be an integer")),
        },
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| ApiError::bad_request("`version` must be an integer")),
        None | Some(Value::Null) => Err(ApiError::bad_request("`version` is required")),
        _ => Err(ApiError::bad_request("`version` must be an integer")),
    }
}

pub fn need_uuid(field: &str, v: Option<&Value>) -> ApiResult<String> {
    match v.and_then(Value::as_str) {
        Some(s) if is_uuid(s) => Ok(s.to_ascii_lowercase()),
        Some(s) => Err(ApiError::bad_request(format!(
            "`{field}` is not a valid UUID: `{s}`"
        ))),
        None => Err(ApiError::bad_request(format!("`{field}` is required"))),
    }
}

pub fn opt_str(m: &Map<String, Value>, field: &str) -> ApiResult<Option<String>> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("`{field}` must be a string"))),
    }
}

/// Comma-separated list parameter (already form-decoded).
pub fn uuid_list(raw: Option<String>, name: &str) -> ApiResult<Vec<String>> {
    let raw =
        raw.ok_or_else(|| ApiError::bad_request(format!("`{name}` query parameter is required")))?;
    let ids: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = ids.iter().find(|s| !is_uuid(s)) {
        return Err(ApiError::bad_request(format!(
            "`{name}` contains an invalid UUID: `{bad}`"
        )));
    }
    if ids.len() > 100 {
        return Err(ApiError::bad_request(format!(
            "`{name}` accepts at most 100 UUIDs"
        )));
    }
    Ok(ids)
}

pub fn validate_contact(v: Option<&Value>) -> ApiResult<()> {
    match v {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(m)) => {
            for (k, val) in m {
                if !(val.is_string()
                    || val.is_null()
                    || k == "types"
                    || val.is_boolean()
                    || val.is_number())
                {
                    return Err(ApiError::bad_request(format!(
                        "contact.{k} must be a string"
                    )));
                }
            }
            if let Some(e) = m.get("email").and_then(Value::as_str) {
                if !e.is_empty() && (e.len() < 3 || !e.contains('@')) {
                    return Err(ApiError::bad_request(format!(
                        "contact.email `{e}` is not a valid e-mail address"
                    )));
                }
            }
            Ok(())
        }
        Some(_) => Err(ApiError::bad_request("`contact` must be an object")),
    }
}

pub type Handler = fn(&mut Ctx) -> ApiResult<Response>;

/// Matches a path to its handler: `Ok(Some)` found, `Ok(None)` path known but not this method.
fn route(method: &str, segs: &[&str]) -> Result<Option<Handler>, ()> {
    use Option::Some as S;
    let m = method;
    let h: Option<Handler> = match segs {
        ["api", "2", "idp", "token"] => (m == "POST").then_some(auth::token as Handler),
        ["api", "2", "idp", "ott"] => (m == "POST").then_some(idp::create_ott as Handler),
        ["api", "2", "idp", "ott", "login"] => (m == "POST").then_some(idp::ott_login as Handler),
        ["api", "2", "idp", "external-login"] => {
            (m == "GET").then_some(idp::external_login as Handler)
        }
        ["ui"] | ["mc"] => (m == "GET").then_some(idp::console as Handler),
        ["api", "2", "versions"] => (m == "GET").then_some(auth::versions as Handler),
        ["api", "2", "users", "me"] => (m == "GET").then_some(users::me as Handler),
        ["api", "2", "clients"] => (m == "POST").then_some(auth::create_client as Handler),
        ["api", "2", "clients", _] => match m {
            "GET" => S(auth::get_client as Handler),
            "DELETE" => S(auth::delete_client as Handler),
            _ => None,
        },
        ["api", "2", "tenants"] => match m {
            "GET" => S(tenants::list as Handler),
            "POST" => S(tenants::create as Handler),
            _ => None,
        },
        ["api", "2", "tenants", "usages"] => (m == "GET").then_some(usage::batch as Handler),
        ["api", "2", "tenants", _] => match m {
            "GET" => S(tenants::get as Handler),
            "PUT" => S(tenants::update as Handler),
            "DELETE" => S(tenants::delete as Handler),
            _ => None,
        },
        ["api", "2", "tenants", _, "children"] => {
            (m == "GET").then_some(tenants::children as Handler)
        }
        ["api", "2", "tenants", _, "users"] => (m == "GET").then_some(tenants::users as Handler),
        ["api", "2", "tenants", _, "mfa", "status"] => match m {
            "GET" => S(tenants::get_mfa as Handler),
            "PUT" => S(tenants::put_mfa as Handler),
            _ => None,
        },
        ["api", "2", "tenants", _, "pricing"] => match m {
            "GET" => S(tenants::get_pricing as Handler),
            "PUT" => S(tenants::put_pricing as Handler),
            _ => None,
        },
        ["api", "2", "applications"] => (m == "GET").then_some(apps::list as Handler),
        ["api", "2", "tenants", _, "applications"] => {
            (m == "GET").then_some(apps::tenant_apps as Handler)
        }
        ["api", "2", "tenants", _, "applications", "roles"] => {
            (m == "GET").then_some(apps::roles as Handler)
        }
        ["api", "2", "applications", _, "bindings", "tenants", _] => match m {
            "POST" => S(apps::bind as Handler),
            "DELETE" => S(apps::unbind as Handler),
            _ => None,
        },
        ["api", "2", "editions"] => (m == "GET").then_some(apps::editions as Handler),
        ["api", "2", "tenants", _, "offering_items"] => match m {
            "GET" => S(offering_items::list as Handler),
            "PUT" => S(offering_items::update as Handler),
            _ => None,
        },
        ["api", "2", "tenants", _, "offering_items", "available_for_child"] => {
            (m == "GET").then_some(offering_items::available_for_child as Handler)
        }
        ["api", "2", "tenants", _, "applications", _, "offering_items"] => {
            (m == "GET").then_some(offering_items::list_for_app as Handler)
        }
        ["api", "2", "tenants", _, "infra"] => {
            (m == "GET").then_some(infra::tenant_infra as Handler)
        }
        ["api", "2", "infra"] => (m == "GET").then_some(infra::infra_list as Handler),
        ["api", "2", "tenants", _, "locations"] => {
            (m == "GET").then_some(infra::tenant_locations as Handler)
        }
        ["api", "2", "locations"] => (m == "GET").then_some(infra::location_list as Handler),
        ["api", "2", "users", "check_login"] => {
            (m == "GET").then_some(users::check_login as Handler)
        }
        ["api", "2", "users"] => (m == "POST").then_some(users::create as Handler),
        ["api", "2", "users", _] => match m {
            "GET" => S(users::get as Handler),
            "PUT" => S(users::update as Handler),
            "DELETE" => S(users::delete as Handler),
            _ => None,
        },
        ["api", "2", "users", _, "access_policies"] => match m {
            "GET" => S(users::get_policies as Handler),
            "PUT" => S(users::put_policies as Handler),
            _ => None,
        },
        ["api", "2", "users", _, "password"] => {
            (m == "POST").then_some(users::set_password_v2 as Handler)
        }
        ["api", "2", "users", _, "send-activation-email"] => {
            (m == "POST").then_some(users::send_activation_v2 as Handler)
        }
        ["api", "1", "actions", "mail", "activate"] => match m {
            "GET" => S(users::v1_activation_token as Handler),
            "POST" => S(users::v1_activation_mail as Handler),
            _ => None,
        },
        ["api", "1", "actions", "activate"] => {
            (m == "POST").then_some(users::v1_activate as Handler)
        }
        ["api", "2", "tenants", _, "usages"] => {
            (m == "GET").then_some(usage::tenant_usages as Handler)
        }
        ["api", "2", "reports"] => (m == "POST").then_some(reports::create as Handler),
        ["api", "2", "reports", _] => (m == "GET").then_some(reports::get as Handler),
        ["api", "2", "reports", _, "stored"] => {
            (m == "GET").then_some(reports::stored_list as Handler)
        }
        ["api", "2", "reports", _, "stored", _] => {
            (m == "GET").then_some(reports::download as Handler)
        }
        ["download", "reports", _, "stored", _] => {
            (m == "GET").then_some(reports::redirected_download as Handler)
        }
        ["api", "1", "groups", "self", "children"] => {
            (m == "GET").then_some(v1::self_children as Handler)
        }
        ["api", "1", "groups", _] => (m == "GET").then_some(v1::group as Handler),
        ["api", "1", "admins", _] => (m == "GET").then_some(v1::admin as Handler),
        ["api", "1", "users", _] => (m == "GET").then_some(v1::user as Handler),
        _ => return Err(()),
    };
    Ok(h)
}

pub fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

pub fn dispatch(cluster: &Cluster, idx: usize, req: &Request, _rid: &str) -> ApiResult<Response> {
    let method = req.method.to_ascii_uppercase();
    let segs = segments(&req.path);
    if method == "GET" && segs.as_slice() == ["api", "1", "accounts"] {
        return auth::discovery(cluster, idx, req);
    }
    let handler = match route(&method, &segs) {
        Err(()) => {
            return Err(ApiError::not_found(format!(
                "No such endpoint: {} {}",
                method, req.path
            )))
        }
        Ok(None) => return Err(ApiError::method_not_allowed()),
        Ok(Some(h)) => h,
    };
    let dc = cluster
        .dcs
        .get(idx)
        .ok_or_else(|| ApiError::internal("unknown DC"))?;
    let mut st = dc.lock();
    let mut ctx = Ctx {
        st: &mut st,
        req,
        cluster,
        idx,
        now: cluster.clock.now(),
        method,
    };
    handler(&mut ctx)
}

/// Path segment `i` (already known to exist by routing).
pub fn seg(ctx: &Ctx, i: usize) -> String {
    segments(&ctx.req.path)
        .get(i)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default()
}
