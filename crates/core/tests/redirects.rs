//! Redirect handling of the HTTP transport against two tiny local servers: bounded hops, no
//! `Authorization` header sent to another origin, no credential-bearing body replayed to
//! another origin (security finding 5); plus plain-HTTP refusal (finding 2) and answer size
//! caps (finding 4), which need the same local servers.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: failures should panic
use acroniscloud_core::platform::http::{download, send, Body, HttpOptions, Method, Request};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Serves `n` connections; each answers with `respond(path)` and reports the request headers.
fn server(
    n: usize,
    respond: impl Fn(&str) -> String + Send + 'static,
) -> (u16, mpsc::Receiver<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                lines.push(line.trim_end().to_string());
            }
            let path = lines[0].split(' ').nth(1).unwrap().to_string();
            let _ = tx.send(lines);
            stream.write_all(respond(&path).as_bytes()).unwrap();
        }
    });
    (port, rx)
}

fn options() -> HttpOptions {
    HttpOptions {
        retries: 0,
        timeout: Duration::from_secs(5),
        // These local servers speak plain HTTP.
        allow_plain_http: true,
        ..HttpOptions::default()
    }
}

fn get(url: &str) -> Request {
    Request {
        method: Method::Get,
        url: url.into(),
        headers: vec![("Authorization".into(), "Bearer aaa.bbb.ccc".into())],
        body: Body::None,
        idempotent: true,
    }
}

fn has_auth(lines: &[String]) -> bool {
    lines
        .iter()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:"))
}

#[test]
fn authorization_is_not_forwarded_to_another_origin() {
    let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_string();
    let (other, other_rx) = server(1, move |_| ok.clone());
    let (port, rx) = server(1, move |_| {
        format!("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{other}/file\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    });
    let mut log = vec![];
    let resp = send(
        &options(),
        &get(&format!("http://127.0.0.1:{port}/start")),
        &mut log,
    )
    .unwrap();
    assert_eq!(resp.status, 200);
    assert!(
        has_auth(&rx.recv().unwrap()),
        "the first host gets the token"
    );
    assert!(
        !has_auth(&other_rx.recv().unwrap()),
        "the other origin must not get it"
    );
}

#[test]
fn same_origin_redirect_keeps_authorization() {
    let (port, rx) = server(2, |path| {
        if path == "/start" {
            "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
        } else {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".into()
        }
    });
    let mut log = vec![];
    let resp = send(
        &options(),
        &get(&format!("http://127.0.0.1:{port}/start")),
        &mut log,
    )
    .unwrap();
    assert_eq!(resp.status, 200);
    assert!(has_auth(&rx.recv().unwrap()));
    assert!(has_auth(&rx.recv().unwrap()));
}

#[test]
fn redirect_loops_are_bounded() {
    let (port, _rx) = server(10, |_| {
        "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .into()
    });
    let mut log = vec![];
    let err = send(
        &options(),
        &get(&format!("http://127.0.0.1:{port}/start")),
        &mut log,
    )
    .unwrap_err();
    assert!(err.to_string().contains("redirect"), "{err}");
}

/// The password grant's form, as the connection sends it to the token endpoint.
fn password_grant(url: &str) -> Request {
    Request {
        method: Method::Post,
        url: url.into(),
        headers: vec![],
        body: Body::Form(vec![
            ("grant_type".into(), "password".into()),
            ("username".into(), "admin".into()),
            ("password".into(), "S3cret-pass".into()),
        ]),
        idempotent: true,
    }
}

fn no_request(rx: &mpsc::Receiver<Vec<String>>) -> bool {
    rx.recv_timeout(Duration::from_millis(300)).is_err()
}

#[test]
fn cross_origin_307_and_308_do_not_replay_the_password_grant() {
    for code in ["307 Temporary Redirect", "308 Permanent Redirect"] {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_string();
        let (other, other_rx) = server(1, move |_| ok.clone());
        let (port, rx) = server(1, move |_| {
            format!("HTTP/1.1 {code}\r\nLocation: http://127.0.0.1:{other}/api/2/idp/token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        });
        let mut log = vec![];
        let err = send(
            &options(),
            &password_grant(&format!("http://127.0.0.1:{port}/api/2/idp/token")),
            &mut log,
        )
        .unwrap_err();
        assert!(err.to_string().contains("another origin"), "{err}");
        assert!(!err.to_string().contains("S3cret"), "{err}");
        assert!(rx.recv().is_ok(), "the configured host gets the request");
        assert!(
            no_request(&other_rx),
            "{code}: the form must not reach the other origin"
        );
    }
}

#[test]
fn same_origin_307_keeps_the_body() {
    let (port, rx) = server(2, |path| {
        if path == "/start" {
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: /next\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
        } else {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".into()
        }
    });
    let mut log = vec![];
    let resp = send(
        &options(),
        &password_grant(&format!("http://127.0.0.1:{port}/start")),
        &mut log,
    )
    .unwrap();
    assert_eq!(resp.status, 200);
    assert!(rx.recv().is_ok());
    assert_eq!(rx.recv().unwrap()[0], "POST /next HTTP/1.1");
}

#[test]
fn plain_http_is_refused_unless_allowed() {
    let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_string();
    let (port, rx) = server(1, move |_| ok.clone());
    let strict = HttpOptions {
        allow_plain_http: false,
        ..options()
    };
    let mut log = vec![];
    let url = format!("http://127.0.0.1:{port}/api/2/idp/token");
    let err = send(&strict, &password_grant(&url), &mut log).unwrap_err();
    assert!(
        matches!(err, acroniscloud_core::Error::Config(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("plain HTTP"), "{err}");
    assert!(err.to_string().contains("allow_plain_http"), "{err}");
    let mut sink = Vec::new();
    let err = download(&strict, &get(&url), &mut sink, &mut |_| {}, &mut log).unwrap_err();
    assert!(err.to_string().contains("plain HTTP"), "{err}");
    assert!(no_request(&rx), "nothing was sent");
    assert!(send(&options(), &password_grant(&url), &mut log).is_ok());
}

#[test]
fn answers_above_the_cap_fail_instead_of_filling_memory() {
    let big = "x".repeat(5000);
    let with_length = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}",
        big.len()
    );
    let chunked = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n", big.len());
    let capped = HttpOptions {
        max_body_bytes: 1000,
        max_download_bytes: 1000,
        ..options()
    };
    for answer in [with_length, chunked] {
        let a = answer.clone();
        let (port, _rx) = server(2, move |_| a.clone());
        let url = format!("http://127.0.0.1:{port}/x");
        let mut log = vec![];
        let err = send(&capped, &get(&url), &mut log).unwrap_err();
        assert!(err.to_string().contains("larger than 1000 bytes"), "{err}");
        let mut sink = Vec::new();
        let err = download(&capped, &get(&url), &mut sink, &mut |_| {}, &mut log).unwrap_err();
        assert!(err.to_string().contains("larger than 1000 bytes"), "{err}");
        assert!(sink.len() <= 1000);
    }
}
