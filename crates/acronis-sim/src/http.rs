//! Minimal HTTP/1.1 server side. Hand-written (instead of a framework) because
//! several fault switches (crates/acronis-sim/README.md, "Faults") need byte-level
//! control of the wire: resetting the socket before the status line or in the middle
//! of a body.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub tls: bool,
    pub local_port: u16,
}

/// What to do on the wire besides (or instead of) sending the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Normal,
    /// Close with RST before any byte of the response.
    ResetBeforeStatus,
    /// Send the head and half of the body, then RST.
    ResetMidBody,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub wire: Wire,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            wire: Wire::Normal,
        }
    }
    pub fn json(status: u16, v: &serde_json::Value) -> Self {
        let mut r = Response::new(status);
        r.headers
            .push(("Content-Type".into(), "application/json".into()));
        r.body = serde_json::to_vec(v).unwrap_or_default();
        r
    }
    pub fn empty(status: u16) -> Self {
        Response::new(status)
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
    pub fn is_json(&self) -> bool {
        self.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"))
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a query string or form body into decoded pairs.
pub fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Streams that can be armed to close with RST instead of FIN.
pub trait Abortable {
    fn arm_reset(&self);
}
impl Abortable for TcpStream {
    fn arm_reset(&self) {
        let _ = self.set_zero_linger();
    }
}
impl Abortable for tokio_rustls::server::TlsStream<TcpStream> {
    fn arm_reset(&self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

async fn read_request<S: AsyncRead + Unpin>(
    r: &mut BufReader<S>,
) -> std::io::Result<Option<(String, String, Vec<(String, String)>)>> {
    let mut line = String::new();
    let mut total = 0;
    // Skip stray CRLFs between pipelined requests.
    loop {
        line.clear();
        let n = r.read_line(&mut line).await?;
        if n == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    total += line.len();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        let n = r.read_line(&mut h).await?;
        total += n;
        if n == 0 || total > MAX_HEAD {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "bad header block",
            ));
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Some((method, target, headers)))
}

async fn read_chunked<S: AsyncRead + Unpin>(r: &mut BufReader<S>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).await?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad chunk"))?;
        if size == 0 {
            // Trailers until the empty line.
            loop {
                let mut t = String::new();
                let n = r.read_line(&mut t).await?;
                if n == 0 || t.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "body too large",
            ));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..]).await?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf).await?;
    }
}

/// Serves one connection (keep-alive) until the peer closes or a fault resets it.
pub async fn serve_connection<S, F, Fut>(stream: S, tls: bool, local_port: u16, handler: F)
where
    S: AsyncRead + AsyncWrite + Unpin + Abortable,
    F: Fn(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let mut reader = BufReader::new(stream);
    loop {
        let head =
            match tokio::time::timeout(Duration::from_secs(300), read_request(&mut reader)).await {
                Ok(Ok(Some(h))) => h,
                _ => return,
            };
        let (method, target, headers) = head;
        let Some(body) = read_body(&mut reader, &headers).await else {
            return;
        };
        let close_requested =
            header_is(&headers, "connection", |v| v.eq_ignore_ascii_case("close"));
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.clone(), String::new()),
        };
        let req = Request {
            method,
            path,
            query,
            headers,
            body,
            tls,
            local_port,
        };
        let resp = handler(req).await;
        if !write_response(reader.get_mut(), &resp, close_requested).await {
            return;
        }
    }
}

/// Whether header `name` (any case) is present and its value satisfies `test`.
fn header_is(headers: &[(String, String)], name: &str, test: impl Fn(&str) -> bool) -> bool {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| test(v))
        .unwrap_or(false)
}

/// The request body: chunked or by `Content-Length` (after answering `Expect:
/// 100-continue`). `None` when the connection has to be dropped.
async fn read_body<S>(reader: &mut BufReader<S>, headers: &[(String, String)]) -> Option<Vec<u8>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if header_is(headers, "expect", |v| {
        v.eq_ignore_ascii_case("100-continue")
    }) {
        if reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await
            .is_err()
        {
            return None;
        }
        let _ = reader.get_mut().flush().await;
    }
    if header_is(headers, "transfer-encoding", |v| {
        v.to_ascii_lowercase().contains("chunked")
    }) {
        return read_chunked(reader).await.ok();
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if len > MAX_BODY {
        return None;
    }
    let mut b = vec![0u8; len];
    reader.read_exact(&mut b).await.ok()?;
    Some(b)
}

/// Writes one response as its `wire` says. `false` when the connection is over (reset,
/// closed on request, or a write failed).
async fn write_response<S>(stream: &mut S, resp: &Response, close_requested: bool) -> bool
where
    S: AsyncWrite + Unpin + Abortable,
{
    if resp.wire == Wire::ResetBeforeStatus {
        stream.arm_reset();
        return false;
    }
    let mut out = response_head(resp, close_requested).into_bytes();
    if resp.wire == Wire::ResetMidBody {
        let cut = resp.body.len() / 2;
        out.extend_from_slice(&resp.body[..cut]);
        let _ = stream.write_all(&out).await;
        let _ = stream.flush().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        stream.arm_reset();
        return false;
    }
    if resp.status != 204 && resp.status != 304 {
        out.extend_from_slice(&resp.body);
    }
    if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
        return false;
    }
    if close_requested {
        let _ = stream.shutdown().await;
        return false;
    }
    true
}

/// Status line and headers (no `Content-Length` for 204 and 304).
fn response_head(resp: &Response, close_requested: bool) -> String {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    head.push_str(&format!(
        "Date: {}\r\n",
        httpdate::fmt_http_date(std::time::SystemTime::now())
    ));
    head.push_str("Server: acronis-sim\r\n");
    if resp.status != 204 && resp.status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(if close_requested {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    head
}
