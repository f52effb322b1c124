//! Redirect handling of the HTTP transport against two tiny local servers: bounded hops, and
//! no `Authorization` header sent to another origin.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: failures should panic
use acroniscloud_core::http::{send, Body, HttpOptions, Method, Request};
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
