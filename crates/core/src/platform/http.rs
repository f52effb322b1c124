//! The HTTP transport: timeouts, TLS trust, redirects, retries and the exchange log.
//!
//! reqwest's blocking client owns a runtime thread; a client created before `fork()` hangs in
//! the child (PHP-FPM forks after module start-up, `manage.php` may fork). Clients are therefore
//! created lazily and cached per process id; a child leaks the parent's copies instead of
//! dropping them (dropping would wait for a thread that does not exist there).

use crate::infra::error::{Error, Result};
use crate::infra::masking::{mask_header, mask_json, mask_text};
use crate::platform::retry_policy::{Caller, Decision, Outcome, RetryPolicy};
use once_cell::sync::Lazy;
use reqwest::blocking::Client;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const USER_AGENT: &str = concat!("acroniscloud-whmcs/", env!("CARGO_PKG_VERSION"));
const MAX_REDIRECTS: usize = 5;
const MAX_LOGGED_BODY: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Extra PEM bundle trusted besides the system store (private CA).
    pub ca_file: Option<String>,
    pub retries: u32,
    pub backoff: Duration,
    pub retry_after_max: Duration,
    /// Time from a call's first attempt within which a retry must start (`None`: no limit
    /// besides `retries`); set for interactive callers by [`HttpOptions::for_caller`].
    pub retry_budget: Option<Duration>,
    /// `http://` URLs are refused unless this is on (`cloud_api.allow_plain_http`, test
    /// set-ups only): every call of the module carries a password, secret or token.
    pub allow_plain_http: bool,
    /// Largest answer read into memory (JSON answers); a larger one fails the call instead of
    /// exhausting the PHP worker's memory.
    pub max_body_bytes: u64,
    /// Largest file [`download`] writes (report downloads).
    pub max_download_bytes: u64,
}

/// Default cap of an answer held in memory: far above any JSON answer the platform sends.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 << 20;
/// Default cap of a downloaded report file.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 4 << 30;

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            ca_file: None,
            retries: 2,
            backoff: Duration::from_millis(500),
            retry_after_max: Duration::from_secs(30),
            retry_budget: None,
            allow_plain_http: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
        }
    }
}

impl HttpOptions {
    /// The retry rules these options give.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.retries,
            backoff: self.backoff,
            retry_after_max: self.retry_after_max,
            budget: self.retry_budget,
        }
    }

    /// These options with the retry rules narrowed for `caller` (see [`crate::platform::retry_policy`]).
    pub fn for_caller(&self, caller: Caller) -> HttpOptions {
        let p = self.retry_policy().for_caller(caller);
        HttpOptions {
            retries: p.retries,
            backoff: p.backoff,
            retry_after_max: p.retry_after_max,
            retry_budget: p.budget,
            ..self.clone()
        }
    }

    /// The options that shape a client (the retry rules do not): interactive and background
    /// calls of a worker share one client and its connection pool.
    fn client_key(&self) -> HttpOptions {
        let d = HttpOptions::default();
        HttpOptions {
            retries: d.retries,
            backoff: d.backoff,
            retry_after_max: d.retry_after_max,
            retry_budget: d.retry_budget,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Safe to repeat after a 5xx or a broken connection.
    pub idempotent: bool,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Response headers as text pairs.
fn header_pairs(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn masked_headers(h: &[(String, String)]) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| (k.clone(), mask_header(k, v)))
        .collect()
}

/// The log entry of a request, before its answer.
fn exchange_of(req: &Request, request_body: String) -> Exchange {
    Exchange {
        method: req.method.as_str().to_string(),
        url: req.url.clone(),
        request_headers: masked_headers(&req.headers),
        request_body,
        status: 0,
        response_headers: vec![],
        response_body: String::new(),
        millis: 0,
        error: None,
    }
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request/response pair as it may be logged: every secret already masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    pub millis: u128,
    pub error: Option<String>,
}

impl Exchange {
    pub fn request_json(&self) -> Value {
        serde_json::json!({
            "method": self.method,
            "url": self.url,
            "headers": headers_json(&self.request_headers),
            "body": self.request_body,
        })
    }
    pub fn response_json(&self) -> Value {
        match &self.error {
            Some(e) => serde_json::json!({"code": 0, "error": e}),
            None => serde_json::json!({
                "code": self.status,
                "headers": headers_json(&self.response_headers),
                "body": self.response_body,
            }),
        }
    }
}

fn headers_json(h: &[(String, String)]) -> Value {
    Value::Object(
        h.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

struct ClientCache {
    pid: u32,
    /// Keyed by the options and whether the client sends request bodies (see
    /// [`redirect_policy`]).
    clients: HashMap<(HttpOptions, bool), Client>,
}

static CLIENTS: Lazy<Mutex<ClientCache>> = Lazy::new(|| {
    Mutex::new(ClientCache {
        pid: std::process::id(),
        clients: HashMap::new(),
    })
});

/// Same scheme, host and port.
fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Redirects: at most [`MAX_REDIRECTS`] hops; never down to `http://` unless plain HTTP is
/// allowed; and for a client that sends bodies, no 307/308 to another origin, because those
/// replay the body (a password-grant form, a client's data) to a host we never chose.
/// reqwest itself drops `Authorization`/`Cookie` when a redirect leaves the original host.
fn redirect_policy(allow_plain_http: bool, with_body: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("too many redirects (more than {MAX_REDIRECTS})"));
        }
        if !allow_plain_http && attempt.url().scheme() == "http" {
            return attempt
                .error("redirected to plain HTTP; refused (cloud_api.allow_plain_http is off)");
        }
        let replays_body = matches!(attempt.status().as_u16(), 307 | 308);
        let cross_origin = attempt
            .previous()
            .last()
            .is_some_and(|prev| !same_origin(prev, attempt.url()));
        if with_body && replays_body && cross_origin {
            return attempt.error(
                "redirected (307/308) to another origin with the request body; refused so credentials are not replayed there",
            );
        }
        attempt.follow()
    })
}

fn build_client(opts: &HttpOptions, with_body: bool) -> Result<Client> {
    let mut b = Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.timeout)
        .user_agent(USER_AGENT)
        .redirect(redirect_policy(opts.allow_plain_http, with_body))
        .https_only(false)
        .use_rustls_tls();
    if let Some(path) = opts.ca_file.as_deref().filter(|p| !p.is_empty()) {
        let pem = std::fs::read(path).map_err(|e| {
            Error::config(format!("cloud_api.ca_file: cannot read \"{path}\": {e}"))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::config(format!(
                "cloud_api.ca_file: \"{path}\" is not a PEM certificate bundle: {e}"
            ))
        })?;
        if certs.is_empty() {
            return Err(Error::config(format!(
                "cloud_api.ca_file: \"{path}\" contains no certificate"
            )));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| Error::internal(format!("cannot create the HTTP client: {}", chain(&e))))
}

/// The process's client for these options, rebuilt after a fork.
fn client_for(opts: &HttpOptions, with_body: bool) -> Result<Client> {
    let mut cache = CLIENTS
        .lock()
        .map_err(|_| Error::internal("HTTP client cache poisoned"))?;
    let pid = std::process::id();
    if cache.pid != pid {
        // Inherited from the parent: their runtime threads are gone; never drop them here.
        let stale = std::mem::take(&mut cache.clients);
        std::mem::forget(stale);
        cache.pid = pid;
    }
    let key = (opts.client_key(), with_body);
    if let Some(c) = cache.clients.get(&key) {
        return Ok(c.clone());
    }
    let c = build_client(opts, with_body)?;
    cache.clients.insert(key, c.clone());
    Ok(c)
}

/// Number of clients cached for this process (test and diagnostics hook).
pub fn cached_clients() -> usize {
    CLIENTS
        .lock()
        .map(|c| {
            if c.pid == std::process::id() {
                c.clients.len()
            } else {
                0
            }
        })
        .unwrap_or(0)
}

/// Error text with its causes: reqwest's own Display hides them.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out
}

fn masked_body(body: &Body) -> String {
    let s = match body {
        Body::None => String::new(),
        Body::Json(v) => mask_json(v).to_string(),
        Body::Form(f) => f
            .iter()
            .map(|(k, v)| match crate::infra::masking::is_secret_key(k) {
                Some(true) => format!("{k}={}", crate::infra::masking::MASK),
                Some(false) => format!("{k}={}", crate::infra::masking::mask_token(v)),
                None => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join("&"),
    };
    mask_text(&s)
}

fn masked_response_body(resp: &Response) -> String {
    let mut text = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => mask_json(&v).to_string(),
        Err(_) => resp.text(),
    };
    if text.len() > MAX_LOGGED_BODY {
        let mut cut = MAX_LOGGED_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    mask_text(&text)
}

/// Parses `Retry-After`: delta seconds or an HTTP-date.
pub fn retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(
        u64::try_from(delta.max(0)).unwrap_or(0),
    ))
}

/// Reads an answer body of at most `cap` bytes; a larger one is an error, not a truncation.
fn read_capped(
    resp: &mut reqwest::blocking::Response,
    cap: u64,
) -> std::result::Result<Vec<u8>, String> {
    let too_big = || format!("the answer is larger than {cap} bytes (cloud_api.max_response_mb)");
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(resp, cap.saturating_add(1)),
        &mut body,
    )
    .map_err(|e| chain(&e))?;
    if body.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(body)
}

/// Refuses a `http://` URL unless plain HTTP is allowed: the module's calls all carry a
/// password, client secret or token, which must not cross the network in clear.
fn require_secure(opts: &HttpOptions, url: &str) -> Result<()> {
    let plain = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    if plain && !opts.allow_plain_http {
        return Err(Error::config(format!(
            "Refusing to send credentials over plain HTTP to {}: turn on \"Secure\" (HTTPS) for the server. Test set-ups may set cloud_api.allow_plain_http: true in config.yaml.",
            strip_query(url)
        )));
    }
    Ok(())
}

fn send_once(
    client: &Client,
    req: &Request,
    max_body: u64,
) -> std::result::Result<Response, String> {
    let method = match req.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    };
    let mut rb = client.request(method, &req.url);
    for (k, v) in &req.headers {
        rb = rb.header(k, v);
    }
    rb = match &req.body {
        Body::None => rb,
        Body::Json(v) => rb
            .header("Content-Type", "application/json")
            .body(v.to_string()),
        Body::Form(f) => rb.form(f),
    };
    let mut resp = rb.send().map_err(|e| chain(&e))?;
    let status = resp.status().as_u16();
    let headers = header_pairs(resp.headers());
    let body = read_capped(&mut resp, max_body)?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Sends a request with the retry policy of `opts` ([`RetryPolicy::decide`]) and appends every
/// attempt to `log`.
pub fn send(opts: &HttpOptions, req: &Request, log: &mut Vec<Exchange>) -> Result<Response> {
    require_secure(opts, &req.url)?;
    let client = client_for(opts, !matches!(req.body, Body::None))?;
    let policy = opts.retry_policy();
    let first = Instant::now();
    let mut attempt: u32 = 0;
    loop {
        let started = Instant::now();
        let outcome = send_once(&client, req, opts.max_body_bytes);
        let mut ex = exchange_of(req, masked_body(&req.body));
        ex.millis = started.elapsed().as_millis();
        let kind = match &outcome {
            Err(_) => Outcome::Transport,
            Ok(resp) => Outcome::of_status(
                resp.status,
                resp.header("Retry-After").and_then(retry_after),
            ),
        };
        match &outcome {
            Err(e) => ex.error = Some(mask_text(e)),
            Ok(resp) => {
                ex.status = resp.status;
                ex.response_headers = masked_headers(&resp.headers);
                ex.response_body = masked_response_body(resp);
            }
        }
        log.push(ex);
        match policy.decide(attempt, first.elapsed(), kind, req.idempotent) {
            Decision::Retry(wait) => {
                std::thread::sleep(wait);
                attempt += 1;
            }
            Decision::GiveUp => {
                return outcome.map_err(|e| {
                    Error::transport(format!(
                        "Error connecting to the API ({} {}): {}",
                        req.method.as_str(),
                        strip_query(&req.url),
                        mask_text(&e)
                    ))
                })
            }
        }
    }
}

/// What a streamed download answered. The body of a 2xx answer went to the writer; any other
/// answer's body (an error envelope) is in `error_body`.
#[derive(Debug, Clone)]
pub struct Download {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Bytes written to the writer (as sent: a gzip body stays gzip, nothing is decoded).
    pub bytes: u64,
    pub error_body: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A GET whose 2xx body is streamed into `out` (never held in memory), with `progress` called
/// with the running byte count. No retry: the caller's next run retries a failed download.
/// Redirects are followed like every request (Authorization is dropped on another origin).
pub fn download(
    opts: &HttpOptions,
    req: &Request,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(u64),
    log: &mut Vec<Exchange>,
) -> Result<Download> {
    require_secure(opts, &req.url)?;
    let client = client_for(opts, false)?;
    let started = Instant::now();
    let mut ex = exchange_of(req, String::new());
    let outcome = download_once(&client, req, opts.max_download_bytes, out, progress);
    ex.millis = started.elapsed().as_millis();
    match outcome {
        Ok(d) => {
            ex.status = d.status;
            ex.response_headers = masked_headers(&d.headers);
            ex.response_body = if d.error_body.is_empty() {
                format!("<{} bytes streamed to a file>", d.bytes)
            } else {
                mask_text(&String::from_utf8_lossy(&d.error_body))
            };
            log.push(ex);
            Ok(d)
        }
        Err(e) => {
            ex.error = Some(mask_text(&e));
            log.push(ex);
            Err(Error::transport(format!(
                "Error downloading {}: {}",
                strip_query(&req.url),
                mask_text(&e)
            )))
        }
    }
}

fn download_too_big(cap: u64) -> String {
    format!("the file is larger than {cap} bytes (usage_report.max_download_mb)")
}

/// One download attempt: a non-2xx answer keeps (the start of) its body for the error message;
/// a 2xx body goes to `out`, refused as soon as it is known to pass `cap`.
fn download_once(
    client: &Client,
    req: &Request,
    cap: u64,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(u64),
) -> std::result::Result<Download, String> {
    let mut rb = client.get(&req.url);
    for (k, v) in &req.headers {
        rb = rb.header(k, v);
    }
    let mut resp = rb.send().map_err(|e| chain(&e))?;
    let status = resp.status().as_u16();
    let headers = header_pairs(resp.headers());
    if !(200..300).contains(&status) {
        let mut body = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut resp, MAX_LOGGED_BODY as u64),
            &mut body,
        )
        .map_err(|e| e.to_string())?;
        return Ok(Download {
            status,
            headers,
            bytes: 0,
            error_body: body,
        });
    }
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(download_too_big(cap));
    }
    let bytes = stream_to(&mut resp, cap, out, progress)?;
    Ok(Download {
        status,
        headers,
        bytes,
        error_body: Vec::new(),
    })
}

/// Copies the body to `out` in chunks, counting the bytes against `cap` (the announced length
/// may be missing or wrong).
fn stream_to(
    resp: &mut reqwest::blocking::Response,
    cap: u64,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(u64),
) -> std::result::Result<u64, String> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = std::io::Read::read(resp, &mut buf).map_err(|e| chain(&e))?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if total > cap {
            return Err(download_too_big(cap));
        }
        let chunk = buf.get(..n).unwrap_or_default();
        out.write_all(chunk)
            .map_err(|e| format!("cannot write the downloaded file: {e}"))?;
        progress(total);
    }
}

/// URL without its query string, for messages.
pub fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_date() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        let future = chrono::Utc::now() + chrono::Duration::seconds(5);
        let d = retry_after(&future.to_rfc2822()).unwrap();
        assert!(
            d <= Duration::from_secs(5) && d >= Duration::from_secs(3),
            "{d:?}"
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn form_body_masks_secrets() {
        let b = Body::Form(vec![
            ("grant_type".into(), "password".into()),
            ("username".into(), "admin".into()),
            ("password".into(), "S3cret".into()),
        ]);
        assert_eq!(
            masked_body(&b),
            "grant_type=password&username=admin&password=*****"
        );
    }

    #[test]
    fn strip_query_removes_login() {
        assert_eq!(
            strip_query("https://h/api/1/accounts?login=a"),
            "https://h/api/1/accounts"
        );
    }

    #[test]
    fn connection_refused_is_a_transport_error_after_retries() {
        let opts = HttpOptions {
            retries: 1,
            backoff: Duration::from_millis(1),
            connect_timeout: Duration::from_secs(2),
            allow_plain_http: true,
            ..HttpOptions::default()
        };
        // Port 9 on loopback: nothing listens there on a test machine.
        let req = Request {
            method: Method::Get,
            url: "http://127.0.0.1:9/api/2/versions".into(),
            headers: vec![("Authorization".into(), "Bearer aaa.bbb.ccc".into())],
            body: Body::None,
            idempotent: true,
        };
        let mut log = vec![];
        let err = send(&opts, &req, &mut log).unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].request_headers[0].1, "Bearer aaa.bbb.*****");
    }
}
