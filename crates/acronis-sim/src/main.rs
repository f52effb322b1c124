//! `acronis-sim` binary: starts the simulator, prints one JSON line describing
//! the endpoints, then serves until SIGTERM/SIGINT (or stdin EOF on request).

use acronis_sim::{start, Config, SeedDoc};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "acronis-sim",
    version,
    about = "Stateful simulator of the Acronis Cyber Platform API"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// HTTP port of the first DC (0 = any free port; DC i uses PORT+2i, HTTPS PORT+2i+1).
    #[arg(long, default_value_t = 0)]
    http_port: u16,
    /// Also serve HTTPS with a certificate signed by a generated CA.
    #[arg(long)]
    tls: bool,
    /// Where to write the CA certificate (PEM); default: a file in a temp dir.
    #[arg(long)]
    ca_out: Option<PathBuf>,
    /// Number of data centres (each on its own port).
    #[arg(long, default_value_t = 2)]
    dcs: usize,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 7200)]
    token_ttl: i64,
    /// Optional seed document (JSON or YAML): {"dcs": [{admin_login, admin_password, client_id, client_secret, tenants, users}]}.
    #[arg(long)]
    seed_file: Option<PathBuf>,
    /// Print the default seed (logins, passwords, client credentials, ids) as JSON and exit.
    #[arg(long)]
    print_seed: bool,
    /// Exit when standard input reaches EOF (so a dying test harness does not leak the process).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

fn load_seed(path: &PathBuf) -> Result<SeedDoc, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Exits the process with `code` after printing `e` to stderr.
fn die(e: &str, code: i32) -> ! {
    eprintln!("acronis-sim: {e}");
    std::process::exit(code);
}

fn main() {
    let cli = Cli::parse();
    let seed = match &cli.seed_file {
        Some(p) => load_seed(p).unwrap_or_else(|e| die(&e, 2)),
        None => SeedDoc::default(),
    };
    let config = Config {
        host: cli.host.clone(),
        http_port: cli.http_port,
        tls: cli.tls,
        ca_out: cli.ca_out.clone(),
        dcs: cli.dcs,
        token_ttl: cli.token_ttl,
        seed,
    };
    let sim = start(config).unwrap_or_else(|e| die(&e, 1));
    if cli.print_seed {
        let dcs: Vec<_> = (0..cli.dcs.max(1)).map(|i| sim.seed_info(i)).collect();
        println!("{}", serde_json::json!({"dcs": dcs}));
        return;
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", sim.startup_json());
    let _ = out.flush();
    eprintln!("acronis-sim: serving {}", sim.startup_json());
    sim.block_on(wait_for_exit(cli.exit_on_stdin_eof));
    sim.shutdown();
}

/// Returns on SIGINT, SIGTERM or (with `--exit-on-stdin-eof`) the end of standard input.
async fn wait_for_exit(stdin_eof: bool) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("acronis-sim: cannot install SIGTERM handler: {e}");
            return;
        }
    };
    let stdin_wait = async {
        if stdin_eof {
            use tokio::io::AsyncReadExt;
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 1024];
            while let Ok(n) = stdin.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => eprintln!("acronis-sim: SIGINT, exiting"),
        _ = term.recv() => eprintln!("acronis-sim: SIGTERM, exiting"),
        _ = stdin_wait => eprintln!("acronis-sim: stdin closed, exiting"),
    }
}
