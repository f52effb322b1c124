//! Single sign-on into the Cloud console (docs/behaviour.md §A.11, improved): a one-time
//! token for the service's Cloud user and the platform's external-login page, which turns it
//! into a console session. Public samples and docs use `POST /api/2/idp/ott`
//! `{"login", "purpose": "user_login"}` → `{"ott"}` and send the browser to
//! `/api/2/idp/external-login#ott=…&targetURI=…`; the token travels in the URL fragment, which
//! browsers never send to a server, so it cannot land in an access log. Anything refused
//! (password-grant servers may not issue tokens, user missing…) falls back to the console's
//! base URL like the reference module: the client then logs in by hand.

use crate::infra::error::Result;
use crate::platform::connection::Connection;
use crate::platform::http::Method;
use serde_json::{json, Value};

/// Where the browser goes, and why it is only the plain URL when it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    pub url: String,
    /// Why no one-time login was made (for the file log; never contains the token).
    pub fallback_reason: Option<String>,
}

/// Console page after login: partners manage their customers in the Management Portal,
/// customers work in the service console.
pub fn console_path(tenant_kind: &str) -> &'static str {
    if tenant_kind == "partner" || tenant_kind == "folder" {
        "/mc/"
    } else {
        "/ui/"
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The external-login URL for a one-time token.
pub fn login_url(base: &str, ott: &str, tenant_kind: &str) -> String {
    let target = format!("{base}{}", console_path(tenant_kind));
    format!(
        "{base}/api/2/idp/external-login#ott={}&targetURI={}",
        enc(ott),
        enc(&target)
    )
}

/// Issues a one-time token for `login` (`POST /api/2/idp/ott`).
pub fn one_time_token(conn: &mut Connection, login: &str) -> Result<String> {
    let v = conn.call(
        Method::Post,
        "/api/2/idp/ott",
        &[],
        Some(json!({"login": login, "purpose": "user_login"})),
    )?;
    v.get("ott")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            crate::platform::error_answer::unexpected("POST /api/2/idp/ott", "no ott in the answer")
        })
}

/// The redirect for the Cloud user `login` of a tenant of `tenant_kind`; `base` is the
/// data-centre URL. Never fails: a refused token gives the plain URL.
pub fn redirect(conn: &mut Connection, base: &str, login: &str, tenant_kind: &str) -> Redirect {
    match one_time_token(conn, login) {
        Ok(ott) => Redirect {
            url: login_url(base, &ott, tenant_kind),
            fallback_reason: None,
        },
        Err(e) => Redirect {
            url: base.to_string(),
            fallback_reason: Some(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_goes_in_the_fragment_and_target_follows_the_tenant_kind() {
        let u = login_url("https://dc.example", "T1RU+/=", "customer");
        assert_eq!(
            u,
            "https://dc.example/api/2/idp/external-login#ott=T1RU%2B%2F%3D&targetURI=https%3A%2F%2Fdc.example%2Fui%2F"
        );
        assert!(login_url("https://dc.example", "x", "partner").ends_with("%2Fmc%2F"));
    }
}
