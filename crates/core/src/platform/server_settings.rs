//! A WHMCS server record turned into validated connection settings. Validation happens before
//! any network call so an admin gets "Please specify Password for server 3." rather than an
//! HTTP error.

use crate::infra::error::{Error, Result};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Platform login + password; the configured host is a router asked for the data centre.
    Password,
    /// API client id + secret against the configured data-centre host.
    ClientCredentials,
}

/// Raw fields as WHMCS stores them (`tblservers`), password already decrypted.
#[derive(Clone, Default)]
pub struct ServerRecord {
    pub id: Option<i64>,
    pub name: String,
    pub hostname: String,
    pub port: String,
    pub secure: bool,
    pub username: String,
    pub password: String,
    pub accesshash: String,
}

impl fmt::Debug for ServerRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("hostname", &self.hostname)
            .field("port", &self.port)
            .field("secure", &self.secure)
            .field("username", &self.username)
            .field("accesshash", &self.accesshash)
            .finish_non_exhaustive()
    }
}

/// Validated settings. The secret is private so it cannot be printed by accident.
#[derive(Clone)]
pub struct ServerSettings {
    pub id: Option<i64>,
    pub name: String,
    pub host: String,
    pub port: Option<u16>,
    pub secure: bool,
    pub grant: Grant,
    pub username: String,
    secret: String,
}

impl fmt::Debug for ServerSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSettings")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("base_url", &self.base_url())
            .field("grant", &self.grant)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ServerSettings {
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// `scheme://host[:port]`, no trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        }
    }

    /// How the server is named in messages: its id when saved, else its name or host.
    pub fn label(&self) -> String {
        label(self.id, &self.name, &self.host)
    }
}

fn label(id: Option<i64>, name: &str, host: &str) -> String {
    match id {
        Some(id) => id.to_string(),
        None if !name.trim().is_empty() => name.trim().to_string(),
        None if !host.trim().is_empty() => host.trim().to_string(),
        None => "(new)".to_string(),
    }
}

fn valid_host(h: &str) -> bool {
    if h.is_empty() || h.len() > 253 {
        return false;
    }
    if h.parse::<std::net::Ipv6Addr>().is_ok() {
        return true;
    }
    h.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

fn parse_port(raw: &str, who: &str) -> Result<Option<u16>> {
    let raw = raw.trim();
    if raw.is_empty() || raw == "0" {
        return Ok(None);
    }
    match raw.parse::<u16>() {
        Ok(p) if p > 0 => Ok(Some(p)),
        _ => Err(Error::config(format!(
            "Port \"{raw}\" of server {who} is not a valid port number (1-65535)."
        ))),
    }
}

impl ServerRecord {
    /// Validates the record. The hostname may be a bare host or an `http(s)://host[:port]`
    /// URL (admins paste URLs); a URL's scheme and port win over the separate fields.
    pub fn validate(&self) -> Result<ServerSettings> {
        let who = label(self.id, &self.name, &self.hostname);
        let raw_host = self.hostname.trim();
        if raw_host.is_empty() {
            return Err(Error::config(format!(
                "Please specify Hostname for server {who}."
            )));
        }
        let endpoint = self.endpoint(raw_host, &who)?;
        self.require_credentials(&who)?;
        let grant = if self.accesshash.trim() == "client_credentials" {
            Grant::ClientCredentials
        } else {
            Grant::Password
        };
        Ok(ServerSettings {
            id: self.id,
            name: self.name.trim().to_string(),
            host: endpoint.host.to_ascii_lowercase(),
            port: endpoint.port,
            secure: endpoint.secure,
            grant,
            username: self.username.trim().to_string(),
            secret: self.password.clone(),
        })
    }

    /// The (non-empty) hostname with the Port and Secure fields; the Port field is checked
    /// first, even when the hostname names a port.
    fn endpoint(&self, raw_host: &str, who: &str) -> Result<Endpoint> {
        let port = parse_port(&self.port, who)?;
        let endpoint = if raw_host.contains("://") {
            url_endpoint(raw_host, who, port)?
        } else {
            bare_endpoint(raw_host, who, port, self.secure)?
        };
        if !valid_host(&endpoint.host) {
            return Err(invalid_host(raw_host, who));
        }
        Ok(endpoint)
    }
}

/// Where a server answers, as its hostname, port and Secure fields say together.
struct Endpoint {
    host: String,
    port: Option<u16>,
    secure: bool,
}

fn invalid_host(raw_host: &str, who: &str) -> Error {
    Error::config(format!(
        "Hostname \"{raw_host}\" of server {who} is not a valid host name, IP address or URL (example: eu2-cloud.acronis.com)."
    ))
}

/// An `http(s)://host[:port]` hostname: its scheme and port win over the separate fields; a
/// path, query or user name is refused (the admin pasted more than the server's address).
fn url_endpoint(raw_host: &str, who: &str, port: Option<u16>) -> Result<Endpoint> {
    let url = url::Url::parse(raw_host).map_err(|_| invalid_host(raw_host, who))?;
    let secure = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(invalid_host(raw_host, who)),
    };
    if !(url.path().is_empty() || url.path() == "/")
        || url.query().is_some()
        || !url.username().is_empty()
    {
        return Err(Error::config(format!(
            "Hostname \"{raw_host}\" of server {who} must not contain a path, query or user name; enter only the host, e.g. eu2-cloud.acronis.com."
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| invalid_host(raw_host, who))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    Ok(Endpoint {
        host,
        port: url.port().or(port),
        secure,
    })
}

/// A bare `host[:port]` hostname (an IPv6 address has more than one colon and no port): a
/// port written there wins over the Port field.
fn bare_endpoint(raw_host: &str, who: &str, port: Option<u16>, secure: bool) -> Result<Endpoint> {
    let (h, p) = match raw_host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (raw_host, None),
    };
    let port = match p {
        Some(p) => parse_port(p, who)?,
        None => port,
    };
    Ok(Endpoint {
        host: h.trim_matches(|c| c == '[' || c == ']').to_string(),
        port,
        secure,
    })
}

impl ServerRecord {
    fn require_credentials(&self, who: &str) -> Result<()> {
        if self.username.trim().is_empty() {
            return Err(Error::config(format!(
                "Please specify Username for server {who}."
            )));
        }
        if self.password.is_empty() {
            return Err(Error::config(format!(
                "Please specify Password for server {who}."
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(host: &str) -> ServerRecord {
        ServerRecord {
            id: Some(1),
            name: "Acronis EU2".into(),
            hostname: host.into(),
            port: String::new(),
            secure: true,
            username: "u".into(),
            password: "p".into(),
            accesshash: String::new(),
        }
    }

    #[test]
    fn l39_missing_fields_in_reference_order() {
        assert_eq!(
            rec("").validate().unwrap_err().to_string(),
            "Please specify Hostname for server 1."
        );
        let mut r = rec("h.example");
        r.username.clear();
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            "Please specify Username for server 1."
        );
        let mut r = rec("h.example");
        r.password.clear();
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            "Please specify Password for server 1."
        );
    }

    #[test]
    fn bare_host_and_port() {
        let mut r = rec("eu2-cloud.acronis.com");
        r.port = "8443".into();
        let s = r.validate().unwrap();
        assert_eq!(s.base_url(), "https://eu2-cloud.acronis.com:8443");
        assert_eq!(s.grant, Grant::Password);
    }

    #[test]
    fn url_in_hostname_sets_scheme_and_port() {
        let mut r = rec("http://LocalHost:8080/");
        r.accesshash = "client_credentials".into();
        let s = r.validate().unwrap();
        assert_eq!(s.base_url(), "http://localhost:8080");
        assert_eq!(s.grant, Grant::ClientCredentials);
    }

    #[test]
    fn bad_inputs_are_config_errors() {
        for h in [
            "ftp://x.example",
            "https://x.example/api/2",
            "bad host",
            "a..b",
            "-x.example",
        ] {
            let e = rec(h).validate().unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{h}: {e:?}");
        }
        let mut r = rec("x.example");
        r.port = "70000".into();
        assert!(r
            .validate()
            .unwrap_err()
            .to_string()
            .contains("not a valid port"));
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let mut r = rec("x.example");
        r.password = "Top-Secret-Value".into();
        assert!(!format!("{r:?}").contains("Top-Secret-Value"));
        assert!(!format!("{:?}", r.validate().unwrap()).contains("Top-Secret-Value"));
    }
}
