//! Request routing for the platform API (docs/platform-calls.md, "Calls") and the shared
//! handler context.

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
use crate::state::{DcState, Principal, Tenant};
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
            return self.bearer_auth(tok.trim());
        }
        if let Some((id, secret)) = basic_credentials(self.req) {
            return self.basic_auth(&id, &secret);
        }
        Err(ApiError::unauthorized("Unsupported authorization scheme"))
    }

    /// A stored token that is not revoked, expired or used up (each use counts), of a
    /// principal whose tenant still exists.
    fn bearer_auth(&mut self, tok: &str) -> ApiResult<Auth> {
        let now = self.now;
        let t = self
            .st
            .tokens
            .get_mut(tok)
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
        Ok(auth)
    }

    /// HTTP Basic: an API client's id and secret, else an enabled user's login and password.
    fn basic_auth(&self, id: &str, secret: &str) -> ApiResult<Auth> {
        if let Some(c) = self.st.clients.get(id).filter(|c| c.secret == secret) {
            return Ok(Auth {
                principal: Principal::Client(c.client_id.clone()),
                tenant_id: c.tenant_id.clone(),
            });
        }
        let user = self
            .st
            .logins
            .get(&id.to_lowercase())
            .and_then(|uid| self.st.users.get(uid));
        match user {
            Some(u)
                if u.password_hash.as_deref() == Some(password_hash(&u.id, secret).as_str())
                    && u.enabled =>
            {
                Ok(Auth {
                    principal: Principal::User(u.id.clone()),
                    tenant_id: u.tenant_id.clone(),
                })
            }
            _ => Err(ApiError::unauthorized("Invalid credentials")),
        }
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

    /// The `{id}` of `/api/2/tenants/{id}/…`, after authenticating the caller and checking
    /// that it may see the tenant (see [`Ctx::check_tenant`]).
    pub fn path_tenant(&mut self) -> ApiResult<(Auth, String)> {
        let auth = self.auth()?;
        let id = seg(self, 3);
        self.check_tenant(&auth, &id)?;
        Ok((auth, id))
    }

    /// A stored tenant, or the platform's tenant 404.
    pub fn tenant(&self, id: &str) -> ApiResult<&Tenant> {
        self.st
            .tenants
            .get(id)
            .ok_or_else(|| ApiError::tenant_not_found(id))
    }

    /// Kind of a stored tenant; "" for an unknown one (no child is allowed there).
    pub fn tenant_kind(&self, id: &str) -> String {
        self.st
            .tenants
            .get(id)
            .map(|t| t.kind.clone())
            .unwrap_or_default()
    }

    /// Ids of a tenant's direct children (none for an unknown tenant).
    pub fn children_of(&self, id: &str) -> Vec<String> {
        self.st
            .tenants
            .get(id)
            .map(|t| t.children.clone())
            .unwrap_or_default()
    }

    /// 403 when an object of `tenant_id` (a `what`: client, report, user) lies outside the
    /// caller's subtree.
    pub fn check_scope(&self, auth: &Auth, tenant_id: &str, what: &str) -> ApiResult<()> {
        if !self.st.in_subtree(&auth.tenant_id, tenant_id) {
            return Err(ApiError::forbidden(format!(
                "{what} is outside of the caller's scope"
            )));
        }
        Ok(())
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

/// Any one path segment in a [`ROUTES`] pattern.
const ANY: &str = "*";

/// One path pattern and the handler of each method served there.
type Route = (&'static [&'static str], &'static [(&'static str, Handler)]);

/// The platform API's routes (docs/platform-calls.md, "Calls"). The first pattern that
/// matches a path decides: a literal segment listed before a pattern with [`ANY`] in that
/// place wins (`/tenants/usages` is not a tenant id).
#[rustfmt::skip]
static ROUTES: &[Route] = &[
    (&["api", "2", "idp", "token"], &[("POST", auth::token)]),
    (&["api", "2", "idp", "ott"], &[("POST", idp::create_ott)]),
    (&["api", "2", "idp", "ott", "login"], &[("POST", idp::ott_login)]),
    (&["api", "2", "idp", "external-login"], &[("GET", idp::external_login)]),
    (&["ui"], &[("GET", idp::console)]),
    (&["mc"], &[("GET", idp::console)]),
    (&["api", "2", "versions"], &[("GET", auth::versions)]),
    (&["api", "2", "users", "me"], &[("GET", users::me)]),
    (&["api", "2", "clients"], &[("POST", auth::create_client)]),
    (&["api", "2", "clients", ANY], &[("GET", auth::get_client), ("DELETE", auth::delete_client)]),
    (&["api", "2", "tenants"], &[("GET", tenants::list), ("POST", tenants::create)]),
    (&["api", "2", "tenants", "usages"], &[("GET", usage::batch)]),
    (&["api", "2", "tenants", ANY], &[("GET", tenants::get), ("PUT", tenants::update), ("DELETE", tenants::delete)]),
    (&["api", "2", "tenants", ANY, "children"], &[("GET", tenants::children)]),
    (&["api", "2", "tenants", ANY, "users"], &[("GET", tenants::users)]),
    (&["api", "2", "tenants", ANY, "mfa", "status"], &[("GET", tenants::get_mfa), ("PUT", tenants::put_mfa)]),
    (&["api", "2", "tenants", ANY, "pricing"], &[("GET", tenants::get_pricing), ("PUT", tenants::put_pricing)]),
    (&["api", "2", "applications"], &[("GET", apps::list)]),
    (&["api", "2", "tenants", ANY, "applications"], &[("GET", apps::tenant_apps)]),
    (&["api", "2", "tenants", ANY, "applications", "roles"], &[("GET", apps::roles)]),
    (&["api", "2", "applications", ANY, "bindings", "tenants", ANY], &[("POST", apps::bind), ("DELETE", apps::unbind)]),
    (&["api", "2", "editions"], &[("GET", apps::editions)]),
    (&["api", "2", "tenants", ANY, "offering_items"], &[("GET", offering_items::list), ("PUT", offering_items::update)]),
    (&["api", "2", "tenants", ANY, "offering_items", "available_for_child"], &[("GET", offering_items::available_for_child)]),
    (&["api", "2", "tenants", ANY, "applications", ANY, "offering_items"], &[("GET", offering_items::list_for_app)]),
    (&["api", "2", "tenants", ANY, "infra"], &[("GET", infra::tenant_infra)]),
    (&["api", "2", "infra"], &[("GET", infra::infra_list)]),
    (&["api", "2", "tenants", ANY, "locations"], &[("GET", infra::tenant_locations)]),
    (&["api", "2", "locations"], &[("GET", infra::location_list)]),
    (&["api", "2", "users", "check_login"], &[("GET", users::check_login)]),
    (&["api", "2", "users"], &[("POST", users::create)]),
    (&["api", "2", "users", ANY], &[("GET", users::get), ("PUT", users::update), ("DELETE", users::delete)]),
    (&["api", "2", "users", ANY, "access_policies"], &[("GET", users::get_policies), ("PUT", users::put_policies)]),
    (&["api", "2", "users", ANY, "password"], &[("POST", users::set_password_v2)]),
    (&["api", "2", "users", ANY, "send-activation-email"], &[("POST", users::send_activation_v2)]),
    (&["api", "1", "actions", "mail", "activate"], &[("GET", users::v1_activation_token), ("POST", users::v1_activation_mail)]),
    (&["api", "1", "actions", "activate"], &[("POST", users::v1_activate)]),
    (&["api", "2", "tenants", ANY, "usages"], &[("GET", usage::tenant_usages)]),
    (&["api", "2", "reports"], &[("POST", reports::create)]),
    (&["api", "2", "reports", ANY], &[("GET", reports::get)]),
    (&["api", "2", "reports", ANY, "stored"], &[("GET", reports::stored_list)]),
    (&["api", "2", "reports", ANY, "stored", ANY], &[("GET", reports::download)]),
    (&["download", "reports", ANY, "stored", ANY], &[("GET", reports::redirected_download)]),
    (&["api", "1", "groups", "self", "children"], &[("GET", v1::self_children)]),
    (&["api", "1", "groups", ANY], &[("GET", v1::group)]),
    (&["api", "1", "admins", ANY], &[("GET", v1::admin)]),
    (&["api", "1", "users", ANY], &[("GET", v1::user)]),
];

fn pattern_matches(pattern: &[&str], segs: &[&str]) -> bool {
    pattern.len() == segs.len() && pattern.iter().zip(segs).all(|(p, s)| *p == ANY || p == s)
}

/// Matches a path to its handler: `Ok(Some)` found, `Ok(None)` path known but not this method.
fn route(method: &str, segs: &[&str]) -> Result<Option<Handler>, ()> {
    let r = ROUTES
        .iter()
        .find(|(pattern, _)| pattern_matches(pattern, segs))
        .ok_or(())?;
    Ok(r.1.iter().find(|(m, _)| *m == method).map(|(_, h)| *h))
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
