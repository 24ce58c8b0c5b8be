//! `oscc-hub`: the provincial hub (DESIGN.md §5).
//!
//!   oscc-hub serve --listen 127.0.0.1:8700 [--database hub.db]
//!   oscc-hub enroll-code --unit CPN [--database hub.db]
//!   oscc-hub devices [--database hub.db]
//!   oscc-hub revoke DEVICE [--database hub.db]

mod api;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::{Sqlite, Store};

const USAGE: &str =
    "usage: oscc-hub serve --listen ADDR:PORT | enroll-code --unit CODE | devices | revoke DEVICE  [--database FILE]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(message) = run(&args) {
        eprintln!("oscc-hub: {message}");
        std::process::exit(2);
    }
}

fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn run(args: &[String]) -> Result<(), String> {
    let database = PathBuf::from(option(args, "--database").unwrap_or_else(|| "hub.db".into()));
    let open = || Sqlite::open(&database).map_err(|e| format!("cannot open {}: {e}", database.display()));
    match args.first().map(String::as_str) {
        Some("serve") => {
            let listen: SocketAddr = option(args, "--listen")
                .unwrap_or_else(|| "127.0.0.1:8700".into())
                .parse()
                .map_err(|_| "--listen takes ADDRESS:PORT".to_owned())?;
            // Plain HTTP only on this machine: units reach the hub over HTTPS (not built yet).
            if !listen.ip().is_loopback() {
                return Err(
                    "plain HTTP is served on a loopback address only (127.0.0.1); HTTPS is not built yet".into(),
                );
            }
            serve(listen, Arc::new(open()?))
        }
        Some("enroll-code") => {
            let unit = option(args, "--unit").ok_or("enroll-code needs --unit CODE")?;
            let code = open()?.new_enroll_code(&unit).map_err(|e| e.to_string())?;
            println!("{code}");
            Ok(())
        }
        Some("devices") => {
            for d in open()?.devices().map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}",
                    d.id,
                    d.unit_code,
                    if d.active { "active" } else { "revoked" },
                    d.name
                );
            }
            Ok(())
        }
        Some("revoke") => {
            let id = args.get(1).ok_or("revoke needs a DEVICE id (see `oscc-hub devices`)")?;
            if open()?.revoke(id).map_err(|e| e.to_string())? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(format!("no device {id}"))
            }
        }
        _ => Err(USAGE.into()),
    }
}

fn serve(listen: SocketAddr, store: Arc<dyn Store>) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        // The tests read this line to learn the port when they ask for port 0.
        println!("listening on {}", listener.local_addr().map_err(|e| e.to_string())?);
        axum::serve(listener, api::router(store))
            .await
            .map_err(|e| e.to_string())
    })
}
