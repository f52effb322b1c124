//! One-time login tokens (single sign-on) and the console pages they open. Public docs and
//! samples: `POST /api/2/idp/ott` `{"login"|"user_id", "purpose": "user_login"}` → `{"ott"}`
//! (API clients only, users in the caller's subtree, single use, 30 s); the browser opens
//! `/api/2/idp/external-login#ott=…&targetURI=…`, whose script posts the token to
//! `POST /api/2/idp/ott/login` (session cookie) and goes on to the target. `/ui/` and `/mc/`
//! stand in for the consoles: they name the logged-in user.

use super::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::ids::random_hex;
use crate::state::Principal;
use base64::Engine;
use serde_json::{json, Value};

/// Seconds a one-time token stays valid (public docs: 30 s).
pub const OTT_TTL: i64 = 30;
/// Cookie of a console session.
pub const SESSION_COOKIE: &str = "acronis_sim_session";

fn html(status: u16, body: &str) -> Response {
    let mut r = Response::new(status);
    r.headers
        .push(("Content-Type".into(), "text/html; charset=utf-8".into()));
    r.headers.push(("Cache-Control".into(), "no-store".into()));
    r.body = body.as_bytes().to_vec();
    r
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn create_ott(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    if !matches!(auth.principal, Principal::Client(_)) {
        return Err(ApiError::forbidden(
            "Only API clients can issue one-time tokens",
        ));
    }
    let b = ctx.body()?;
    if b.get("purpose").and_then(Value::as_str) != Some("user_login") {
        return Err(ApiError::bad_request("`purpose` must be `user_login`"));
    }
    let uid = match (
        b.get("login").and_then(Value::as_str),
        b.get("user_id").and_then(Value::as_str),
    ) {
        (Some(login), _) => ctx
            .st
            .logins
            .get(&login.to_lowercase())
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("User with login `{login}` not found")))?,
        (None, Some(id)) => id.to_ascii_lowercase(),
        (None, None) => return Err(ApiError::bad_request("`login` or `user_id` is required")),
    };
    let user = super::users::visible_user(ctx, &auth, &uid)?;
    if !user.enabled {
        return Err(ApiError::bad_request("User is disabled"));
    }
    // Standard base64 of random bytes: `+`, `/` and `=` make callers encode the token properly.
    let raw = random_hex(&mut ctx.st.rng, 24);
    let bytes: Vec<u8> = (0..raw.len())
        .step_by(2)
        .filter_map(|i| {
            raw.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let ott = format!(
        "T1RU{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    let expires = ctx.now + OTT_TTL;
    ctx.st.otts.insert(ott.clone(), (user.id.clone(), expires));
    Ok(Response::json(200, &json!({"ott": ott})))
}

/// `POST /api/2/idp/ott/login {"ott"}`: consumes the token, answers 204 with the session
/// cookie. Unknown, used or expired tokens are 401.
pub fn ott_login(ctx: &mut Ctx) -> ApiResult<Response> {
    let b = ctx.body()?;
    let ott = b
        .get("ott")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("`ott` is required"))?
        .to_string();
    let (uid, expires) = ctx
        .st
        .otts
        .remove(&ott)
        .ok_or_else(|| ApiError::unauthorized("One-time token is invalid or already used"))?;
    if ctx.now >= expires {
        return Err(ApiError::unauthorized("One-time token has expired"));
    }
    if !ctx.st.users.get(&uid).is_some_and(|u| u.enabled) {
        return Err(ApiError::unauthorized("User no longer exists"));
    }
    let sid = random_hex(&mut ctx.st.rng, 16);
    ctx.st.sessions.insert(sid.clone(), uid);
    Ok(Response::empty(204).header(
        "Set-Cookie",
        format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
    ))
}

const EXTERNAL_LOGIN: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Signing in…</title></head>
<body><p id="status">Signing in…</p>
<script>
(function () {
  var p = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, '', location.pathname);
  var status = document.getElementById('status');
  fetch('/api/2/idp/ott/login', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({ott: p.get('ott') || ''})})
    .then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      var t = new URL(p.get('targetURI') || '/ui/', location.origin);
      location.replace(t.origin === location.origin ? t.href : '/ui/');
    })
    .catch(function (e) { status.id = 'login-error'; status.textContent = 'Login failed: ' + e.message; });
})();
</script></body></html>"#;

/// `GET /api/2/idp/external-login`: the page that redeems the token of its URL fragment.
pub fn external_login(_ctx: &mut Ctx) -> ApiResult<Response> {
    Ok(html(200, EXTERNAL_LOGIN))
}

fn session_user(ctx: &Ctx) -> Option<(String, String, String)> {
    let cookies = ctx.req.header("cookie")?;
    let sid = cookies.split(';').find_map(|c| {
        c.trim()
            .strip_prefix(SESSION_COOKIE)
            .and_then(|r| r.strip_prefix('='))
    })?;
    let uid = ctx.st.sessions.get(sid)?;
    let u = ctx.st.users.get(uid)?;
    let tenant = ctx
        .st
        .tenants
        .get(&u.tenant_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    Some((u.id.clone(), u.login.clone(), tenant))
}

/// `GET /ui/` (service console) and `GET /mc/` (management portal): who is logged in.
pub fn console(ctx: &mut Ctx) -> ApiResult<Response> {
    let title = if ctx.req.path.starts_with("/mc") {
        "Management Portal"
    } else {
        "Cyber Protect Console"
    };
    Ok(match session_user(ctx) {
        Some((id, login, tenant)) => html(
            200,
            &format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
                 <h1 id=\"console-title\">{title} (simulator)</h1>\
                 <p id=\"console-user\" data-user-id=\"{id}\" data-login=\"{l}\">Logged in as <b>{l}</b> ({t})</p>\
                 </body></html>",
                l = escape(&login),
                t = escape(&tenant),
            ),
        ),
        None => html(
            401,
            &format!("<!doctype html><html><head><title>{title}</title></head><body><p id=\"console-login\">Not logged in.</p></body></html>"),
        ),
    })
}
