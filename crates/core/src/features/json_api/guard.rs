//! Checks made before any admin API action runs. WHMCS already restricts addon pages to
//! permitted admins; the module checks again (defence in depth) and adds CSRF protection for
//! every state-changing request, which the reference lacked.

use super::envelope::ApiResponse;

/// Who is calling, as the PHP dispatcher read it from the WHMCS session and tables.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// `$_SESSION['adminid']`, 0 when not logged in.
    pub admin_id: i64,
    /// `tbladmins.roleid` of that admin.
    pub role_id: i64,
    /// `tbladdonmodules` `access` of the addon: role ids allowed to use it.
    pub allowed_roles: Vec<i64>,
    /// The session's CSRF token (WHMCS `generate_token('plain')`).
    pub csrf_expected: String,
    /// The token the request carried (`X-CSRF-Token` header or `token` field).
    pub csrf_given: String,
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 403 for anything but GET/HEAD unless `given` is the session's token (`expected`, never
/// empty). Shared by the admin API and the client area's page API: the module does not rely on
/// the host having checked it (WHMCS can be configured not to).
pub fn check_csrf(expected: &str, given: &str, method: &str) -> Result<(), ApiResponse> {
    let safe = matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD");
    if safe || (!expected.is_empty() && same(expected, given)) {
        return Ok(());
    }
    Err(ApiResponse::error(
        403,
        "The security token of this request is missing or invalid. Reload the page and try again.",
        Some(serde_json::json!({"error_code": "csrf_token_invalid"})),
    ))
}

/// 401 without an admin session, 403 without addon access or (for anything but GET/HEAD)
/// without a matching CSRF token.
pub fn check(caller: &Caller, method: &str) -> Result<(), ApiResponse> {
    if caller.admin_id <= 0 {
        return Err(ApiResponse::error(
            401,
            "Your admin session has expired. Please log in again.",
            None,
        ));
    }
    if !caller.allowed_roles.contains(&caller.role_id) {
        return Err(ApiResponse::error(
            403,
            "You do not have access to the Acronis Cyber Cloud addon.",
            None,
        ));
    }
    check_csrf(&caller.csrf_expected, &caller.csrf_given, method)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> Caller {
        Caller {
            admin_id: 1,
            role_id: 1,
            allowed_roles: vec![1, 2],
            csrf_expected: "abc123".into(),
            csrf_given: "abc123".into(),
        }
    }

    #[test]
    fn session_role_and_token() {
        assert!(check(&admin(), "POST").is_ok());
        assert_eq!(
            check(
                &Caller {
                    admin_id: 0,
                    ..admin()
                },
                "GET"
            )
            .unwrap_err()
            .status,
            401
        );
        assert_eq!(
            check(
                &Caller {
                    role_id: 3,
                    ..admin()
                },
                "GET"
            )
            .unwrap_err()
            .status,
            403
        );
        let no_token = Caller {
            csrf_given: String::new(),
            ..admin()
        };
        assert!(check(&no_token, "GET").is_ok(), "reads need no token");
        assert_eq!(check(&no_token, "POST").unwrap_err().status, 403);
        let wrong = Caller {
            csrf_given: "abc124".into(),
            ..admin()
        };
        assert_eq!(check(&wrong, "DELETE").unwrap_err().status, 403);
        let unset = Caller {
            csrf_expected: String::new(),
            csrf_given: String::new(),
            ..admin()
        };
        assert_eq!(
            check(&unset, "POST").unwrap_err().status,
            403,
            "no session token: refuse"
        );
    }
}
