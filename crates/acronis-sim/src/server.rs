//! Process wiring: configuration, one listener pair per data centre, the
//! shared cluster (DCs + clock) and the in-process handle used by tests.

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::state::seed::{DcSeed, SeedDoc};
use crate::state::DcState;
use crate::tls::TlsMaterial;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    /// 0 = pick free ports; otherwise DC i uses `http_port + 2i` (HTTP) and `+1` (HTTPS).
    pub http_port: u16,
    pub tls: bool,
    pub ca_out: Option<PathBuf>,
    pub dcs: usize,
    pub token_ttl: i64,
    pub seed: SeedDoc,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            http_port: 0,
            tls: false,
            ca_out: None,
            dcs: 2,
            token_ttl: 7200,
            seed: SeedDoc::default(),
        }
    }
}

pub struct DcHandle {
    pub idx: usize,
    pub name: String,
    pub http_url: String,
    pub https_url: Option<String>,
    pub state: Mutex<DcState>,
    pub tls_mode: Arc<AtomicU8>,
}

impl DcHandle {
    /// Locks the DC state; a poisoned lock (a panicking handler) is recovered.
    pub fn lock(&self) -> MutexGuard<'_, DcState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Base URL matching the scheme the client used.
    pub fn base_url(&self, tls: bool) -> String {
        match (&self.https_url, tls) {
            (Some(u), true) => u.clone(),
            _ => self.http_url.clone(),
        }
    }
}

pub struct Cluster {
    pub dcs: Vec<DcHandle>,
    pub clock: Clock,
    pub catalog: Arc<Catalog>,
    pub config: Config,
    pub ca_file: Option<PathBuf>,
    req_counter: AtomicU64,
}

impl Cluster {
    pub fn request_id(&self) -> String {
        let n = self.req_counter.fetch_add(1, Ordering::SeqCst);
        crate::ids::stable_uuid(&format!("request:{n}:{}", self.clock.now_ms()))
    }
    pub fn dc_seed(&self, idx: usize) -> DcSeed {
        self.config.seed.dcs.get(idx).cloned().unwrap_or_default()
    }
    /// Re-seeds one DC from scratch (faults, log and tokens are dropped too).
    pub fn reset_dc(&self, idx: usize, seed: Option<DcSeed>) {
        let Some(dc) = self.dcs.get(idx) else { return };
        let seed = seed.unwrap_or_else(|| self.dc_seed(idx));
        let fresh = DcState::seeded(
            self.catalog.clone(),
            idx,
            self.config.token_ttl,
            &seed,
            self.clock.now(),
        );
        *dc.lock() = fresh;
        dc.tls_mode.store(0, Ordering::SeqCst);
    }
    pub fn startup_json(&self) -> Value {
        json!({
            "dcs": self.dcs.iter().map(|d| json!({"name": d.name, "http": d.http_url, "https": d.https_url})).collect::<Vec<_>>(),
            "ca_file": self.ca_file.as_ref().map(|p| p.display().to_string()),
            "control": format!("{}/__sim", self.dcs.first().map(|d| d.http_url.clone()).unwrap_or_default()),
        })
    }
}

/// A running simulator. Dropping it stops the servers.
pub struct RunningSim {
    rt: Option<tokio::runtime::Runtime>,
    pub cluster: Arc<Cluster>,
}

impl RunningSim {
    pub fn http_url(&self, dc: usize) -> String {
        self.cluster
            .dcs
            .get(dc)
            .map(|d| d.http_url.clone())
            .unwrap_or_default()
    }
    pub fn https_url(&self, dc: usize) -> Option<String> {
        self.cluster.dcs.get(dc).and_then(|d| d.https_url.clone())
    }
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.cluster.ca_file.clone()
    }
    pub fn startup_json(&self) -> Value {
        self.cluster.startup_json()
    }
    pub fn seed_info(&self, dc: usize) -> Value {
        self.cluster
            .dcs
            .get(dc)
            .map(|d| d.lock().seed_info.clone())
            .unwrap_or(Value::Null)
    }
    /// Blocks the calling thread on a future inside the simulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> Option<F::Output> {
        self.rt.as_ref().map(|rt| rt.block_on(f))
    }
    pub fn shutdown(mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

fn bind(host: &str, port: u16) -> Result<std::net::TcpListener, String> {
    let l = std::net::TcpListener::bind((host, port))
        .map_err(|e| format!("bind {host}:{port}: {e}"))?;
    l.set_nonblocking(true).map_err(|e| e.to_string())?;
    Ok(l)
}

static CA_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Starts all DCs on a private multi-threaded runtime and returns once they listen.
pub fn start(config: Config) -> Result<RunningSim, String> {
    let catalog = Arc::new(Catalog::load()?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("acronis-sim")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let tls_material = TlsMaterial::generate()?;
    let ca_file = write_ca(&config, &tls_material)?;
    let clock = Clock::default();
    let mut listeners = Vec::new();
    let mut handles = Vec::new();
    for i in 0..config.dcs.max(1) {
        let (handle, pair) = bind_dc(&config, i, &catalog, &clock)?;
        handles.push(handle);
        listeners.push(pair);
    }
    let cluster = Arc::new(Cluster {
        dcs: handles,
        clock,
        catalog,
        config,
        ca_file: Some(ca_file),
        req_counter: AtomicU64::new(1),
    });
    for (i, (http, https)) in listeners.into_iter().enumerate() {
        let tls_cfg = match https.is_some() {
            true => Some(tls_material.server_config(cluster.dcs[i].tls_mode.clone())?),
            false => None,
        };
        rt.spawn(accept_loop(cluster.clone(), i, http, None));
        if let (Some(l), Some(cfg)) = (https, tls_cfg) {
            let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
            rt.spawn(accept_loop(cluster.clone(), i, l, Some(acceptor)));
        }
    }
    Ok(RunningSim {
        rt: Some(rt),
        cluster,
    })
}

/// Writes the generated CA certificate to `--ca-out`, or to a fresh temp directory
/// (one per simulator in the process, so parallel tests do not share it).
fn write_ca(config: &Config, tls: &TlsMaterial) -> Result<PathBuf, String> {
    let ca_file = match &config.ca_out {
        Some(p) => p.clone(),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "acronis-sim-{}-{}",
                std::process::id(),
                CA_COUNTER.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            dir.join("ca.pem")
        }
    };
    std::fs::write(&ca_file, &tls.ca_pem)
        .map_err(|e| format!("write {}: {e}", ca_file.display()))?;
    Ok(ca_file)
}

type Listeners = (std::net::TcpListener, Option<std::net::TcpListener>);

/// Binds DC `i`'s HTTP listener (and HTTPS with `--tls`) and builds its freshly seeded
/// handle. Ports: any free one, or `http_port + 2i` and the next one for HTTPS.
fn bind_dc(
    config: &Config,
    i: usize,
    catalog: &Arc<Catalog>,
    clock: &Clock,
) -> Result<(DcHandle, Listeners), String> {
    // URLs name a host clients can reach, not the wildcard address.
    let url_host = if config.host == "0.0.0.0" || config.host == "::" {
        "127.0.0.1"
    } else {
        config.host.as_str()
    };
    let base = if config.http_port == 0 {
        0
    } else {
        config.http_port + 2 * i as u16
    };
    let http = bind(&config.host, base)?;
    let http_port = http.local_addr().map_err(|e| e.to_string())?.port();
    let https = if config.tls {
        Some(bind(&config.host, if base == 0 { 0 } else { base + 1 })?)
    } else {
        None
    };
    let https_url = match &https {
        Some(l) => Some(format!(
            "https://{url_host}:{}",
            l.local_addr().map_err(|e| e.to_string())?.port()
        )),
        None => None,
    };
    let seed = config.seed.dcs.get(i).cloned().unwrap_or_default();
    let state = DcState::seeded(catalog.clone(), i, config.token_ttl, &seed, clock.now());
    let handle = DcHandle {
        idx: i,
        name: format!("dc{}", i + 1),
        http_url: format!("http://{url_host}:{http_port}"),
        https_url,
        state: Mutex::new(state),
        tls_mode: Arc::new(AtomicU8::new(0)),
    };
    Ok((handle, (http, https)))
}

async fn accept_loop(
    cluster: Arc<Cluster>,
    idx: usize,
    l: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let listener = match tokio::net::TcpListener::from_std(l) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("acronis-sim: listener: {e}");
            return;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    loop {
        let (sock, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => continue,
        };
        let _ = sock.set_nodelay(true);
        let c = cluster.clone();
        let acceptor = tls.clone();
        tokio::spawn(async move {
            let handler = |req| {
                let c = c.clone();
                async move { crate::pipeline::handle(c, idx, req).await }
            };
            match acceptor {
                None => crate::http::serve_connection(sock, false, port, handler).await,
                Some(a) => match a.accept(sock).await {
                    Ok(s) => crate::http::serve_connection(s, true, port, handler).await,
                    Err(e) => eprintln!("acronis-sim: TLS handshake failed: {e}"),
                },
            }
        });
    }
}
