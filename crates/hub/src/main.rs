//! `oscc-hub`: the provincial hub (docs/ARCHITECTURE.md, "Sync").
//!
//!   oscc-hub serve [--listen 0.0.0.0:8443] [--name HOST]… [--tls-dir DIR] [--plain-http]
//!                  [--request-timeout 120] [--idle-timeout 30]
//!   oscc-hub province-key [--key-file FILE] [--passphrase-stdin]
//!   oscc-hub enroll-code --unit CODE [--coordinator] [--valid-hours 24]
//!   oscc-hub approve DEVICE | --all [--key-file FILE] [--passphrase-stdin]
//!   oscc-hub revoke DEVICE [--key-file FILE] [--passphrase-stdin]
//!   oscc-hub devices | rejected | audit-breaks | report
//!   oscc-hub report --month 2569-11 | --year 2569 [--csv]
//!   oscc-hub encrypt-database
//!
//! Every command takes `--database FILE` (SQLite, default hub.db) or
//! `--database postgres://user@host/db`, and `--tls-dir DIR` (default .), which holds the
//! hub's certificate and secrets: the database's at-rest key among them (`at_rest`).

mod api;
mod code_key;
mod in_flight;
mod province;
mod statistics;
mod store;
mod tls;

use oscc_hub::private_file;
use oscc_sync::attestation;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::{Hub, Postgres, Sqlite, Store, StoreError};
use tls::CertFiles;

// See the workspace Cargo.toml for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: oscc-hub serve [--listen ADDR:PORT] [--name HOST]... [--tls-dir DIR] [--plain-http] [--request-timeout SECS] [--idle-timeout SECS]
       oscc-hub province-key [--key-file FILE] [--passphrase-stdin]
       oscc-hub enroll-code --unit CODE [--coordinator] [--valid-hours 24]
       oscc-hub approve DEVICE | --all [--key-file FILE] [--passphrase-stdin]
       oscc-hub revoke DEVICE [--key-file FILE] [--passphrase-stdin]
       oscc-hub devices | rejected | audit-breaks | report
       oscc-hub report --month YYYY-MM | --year YYYY [--csv]
       oscc-hub encrypt-database
       every command: [--database FILE | --database postgres://USER@HOST/DB]";

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

fn options(args: &[String], name: &str) -> Vec<String> {
    args.windows(2).filter(|w| w[0] == name).map(|w| w[1].clone()).collect()
}

fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// How `database` is named in messages: a PostgreSQL address may hold a password, so it is
/// not repeated.
fn shown(database: &str) -> &str {
    if is_postgres(database) {
        "the PostgreSQL database"
    } else {
        database
    }
}

/// The hub's store on `database`; `dir` holds its files (certificate, code key, at-rest key).
fn open(database: &str, dir: &std::path::Path) -> Result<Arc<dyn Store>, String> {
    let code_key = code_key::load_or_make(dir)?;
    let store: Result<Arc<dyn Store>, StoreError> = if is_postgres(database) {
        Postgres::connect(database, dir).and_then(|db| Ok(Arc::new(Hub::open(db, code_key)?) as Arc<dyn Store>))
    } else {
        Sqlite::open(&PathBuf::from(database), dir)
            .and_then(|db| Ok(Arc::new(Hub::open(db, code_key)?) as Arc<dyn Store>))
    };
    store.map_err(|e| format!("cannot open {}: {e}", shown(database)))
}

fn run(args: &[String]) -> Result<(), String> {
    let database = option(args, "--database").unwrap_or_else(|| "hub.db".into());
    let tls_dir = PathBuf::from(option(args, "--tls-dir").unwrap_or_else(|| ".".into()));
    match args.first().map(String::as_str) {
        Some("serve") => {
            let listen: SocketAddr = option(args, "--listen")
                .unwrap_or_else(|| "0.0.0.0:8443".into())
                .parse()
                .map_err(|_| "--listen takes ADDRESS:PORT".to_owned())?;
            let tls = if args.iter().any(|a| a == "--plain-http") {
                if !listen.ip().is_loopback() {
                    return Err("plain HTTP is served on a loopback address only (127.0.0.1)".into());
                }
                None
            } else {
                let files = CertFiles::in_dir(&tls_dir);
                files.ensure(&options(args, "--name"))?;
                println!("certificate sha256 {}", files.fingerprint()?);
                Some(files.server_config()?)
            };
            let seconds = |name: &str, default: u64| {
                option(args, name)
                    .map_or(Ok(default), |s| s.parse())
                    .map(std::time::Duration::from_secs)
                    .map_err(|_| format!("{name} takes a number of seconds"))
            };
            let timeouts = Timeouts {
                request: seconds("--request-timeout", 120)?,
                idle: seconds("--idle-timeout", 30)?,
            };
            serve(listen, tls, open(&database, &tls_dir)?, timeouts)
        }
        Some("province-key") => {
            let store = open(&database, &tls_dir)?;
            if let Some(key) = store.province_key().map_err(|e| e.to_string())? {
                return Err(format!(
                    "this hub has its province key already ({})",
                    attestation::key_fingerprint(&key)
                ));
            }
            let key_file = key_file(args);
            let passphrase = province::passphrase(stdin_passphrase(args), "province key passphrase: ")?;
            if !stdin_passphrase(args) && *province::passphrase(false, "the same passphrase again: ")? != *passphrase {
                return Err("the two passphrases differ".into());
            }
            let public_key = province::create(&key_file, &passphrase)?;
            store.set_province_key(&public_key).map_err(|e| e.to_string())?;
            println!("province key {}", attestation::key_fingerprint(&public_key));
            println!(
                "write this fingerprint down and give it to every unit with its enrollment codes: \
                 a laptop enrolls only with a hub showing this key"
            );
            println!(
                "sealed in {}: keep it (and a copy) off this server; `oscc-hub approve` needs it",
                key_file.display()
            );
            Ok(())
        }
        Some("approve") => approve(args, open(&database, &tls_dir)?.as_ref()),
        Some("encrypt-database") => {
            if is_postgres(&database) {
                Postgres::encrypt(&database, &tls_dir)
            } else {
                Sqlite::encrypt(&PathBuf::from(&database), &tls_dir)
            }
            .map_err(|e| format!("cannot encrypt {}: {e}", shown(&database)))?;
            println!(
                "encrypted {} with the key in {}: keep a copy of that file apart from the database's backups",
                shown(&database),
                tls_dir.join(oscc_hub::at_rest::FILE).display()
            );
            Ok(())
        }
        Some("enroll-code") => {
            let unit = option(args, "--unit").ok_or("enroll-code needs --unit CODE")?;
            let coordinator = args.iter().any(|a| a == "--coordinator");
            let hours: u32 = option(args, "--valid-hours")
                .map_or(Ok(24), |h| h.parse())
                .map_err(|_| "--valid-hours takes a number of hours".to_owned())?;
            let code = open(&database, &tls_dir)?
                .new_enroll_code(&unit, coordinator, hours)
                .map_err(|e| e.to_string())?;
            println!("{code}");
            println!("valid for {hours} hours, for one laptop");
            if let Ok(print) = CertFiles::in_dir(&tls_dir).fingerprint() {
                println!("the laptop should show certificate sha256 {print}");
            }
            println!("once it is enrolled: oscc-hub approve DEVICE");
            Ok(())
        }
        Some("devices") => {
            for d in open(&database, &tls_dir)?.devices().map_err(|e| e.to_string())? {
                let state = match (d.active, d.approved) {
                    (false, _) => "revoked",
                    (true, false) => "waiting for approval",
                    (true, true) => "active",
                };
                println!("{}\t{}\t{}\t{}", d.id, d.unit_code, state, d.name);
            }
            Ok(())
        }
        Some("revoke") => {
            let id = args.get(1).ok_or("revoke needs a DEVICE id (see `oscc-hub devices`)")?;
            let store = open(&database, &tls_dir)?;
            let last_seq = store
                .revoke(id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no device {id}"))?;
            println!("revoked {id}: the hub takes nothing more from it (its last event was {last_seq})");
            // With the province key, the laptops learn of it too: a stolen key signs nothing
            // they take after that event, whatever a hub hands them.
            if option(args, "--key-file").is_none() {
                println!("for the laptops to refuse its key as well: oscc-hub revoke {id} --key-file FILE");
                return Ok(());
            }
            let expected = store
                .province_key()
                .map_err(|e| e.to_string())?
                .ok_or("the province key is not set up yet")?;
            let passphrase = province::passphrase(stdin_passphrase(args), "province key passphrase: ")?;
            let key = province::open(&key_file(args), &passphrase, &expected)?;
            store
                .note_revocation(id, last_seq, &attestation::revoke(&key, id, last_seq))
                .map_err(|e| e.to_string())?;
            println!("signed with the province key: laptops refuse its events after {last_seq}");
            Ok(())
        }
        Some("rejected") => {
            // What the hub refused, per device: the reason names a rule, the detail a field.
            println!("device\tseq\tevent\treason\tdetail\treceived");
            for r in open(&database, &tls_dir)?.refused().map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.device_id, r.device_seq, r.event_id, r.reason, r.detail, r.received_at
                );
            }
            Ok(())
        }
        Some("audit-breaks") => {
            // Devices whose audit chain came cut, rewritten or unsigned: a laptop to look at.
            println!("device\tproblem\tnoticed");
            for b in open(&database, &tls_dir)?.audit_breaks().map_err(|e| e.to_string())? {
                println!("{}\t{}\t{}", b.device_id, b.problem, b.noticed_at);
            }
            Ok(())
        }
        Some("report") if args.iter().any(|a| a == "--month" || a == "--year") => {
            let period =
                statistics::parse_period(option(args, "--month").as_deref(), option(args, "--year").as_deref())?;
            let all = statistics::province(open(&database, &tls_dir)?.as_ref(), period)?;
            let csv = args.iter().any(|a| a == "--csv");
            print!("{}", statistics::table(&all, if csv { "," } else { "\t" }));
            Ok(())
        }
        Some("report") => {
            println!("unit\tcoordinator\tdevices\tcases opened\tcases visible\tevents\tlast received");
            for u in open(&database, &tls_dir)?.report().map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    u.unit_code,
                    if u.coordinator { "yes" } else { "no" },
                    u.devices,
                    u.cases_created,
                    u.cases_granted,
                    u.events,
                    u.last_received.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

fn key_file(args: &[String]) -> PathBuf {
    PathBuf::from(option(args, "--key-file").unwrap_or_else(|| "province.key".into()))
}

fn stdin_passphrase(args: &[String]) -> bool {
    args.iter().any(|a| a == "--passphrase-stdin")
}

/// `oscc-hub approve`: the province key signs each chosen device's id, unit and key, after
/// the administrator has seen which devices they are.
fn approve(args: &[String], store: &dyn Store) -> Result<(), String> {
    let expected = store
        .province_key()
        .map_err(|e| e.to_string())?
        .ok_or("the province key is not set up yet: run `oscc-hub province-key` first")?;
    let all = args.iter().any(|a| a == "--all");
    let named = args.get(1).filter(|a| !a.starts_with("--"));
    if !all && named.is_none() {
        return Err("approve needs a DEVICE id (see `oscc-hub devices`) or --all".into());
    }
    // Revoked devices too: what they signed before they were revoked stays theirs, and a
    // laptop enrolled later must be able to check it.
    let chosen: Vec<_> = store
        .devices()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|d| !d.approved && (all || Some(&d.id) == named))
        .collect();
    if chosen.is_empty() {
        return Err(match named {
            Some(id) => format!("no device {id} waiting for approval (see `oscc-hub devices`)"),
            None => "no device is waiting for approval".into(),
        });
    }
    let key_file = key_file(args);
    let before = province::approved_before(&key_file)?;
    for d in &chosen {
        if let Some((unit, public_key)) = before.get(&d.id)
            && (unit != &d.unit_code || public_key != &d.public_key)
        {
            return Err(format!(
                "device {} was approved before for unit {unit} with key {}; the hub now shows unit {} and key {}: \
                 its database was changed. Nothing was approved; tell whoever runs the server.",
                d.id,
                attestation::key_fingerprint(public_key),
                d.unit_code,
                attestation::key_fingerprint(&d.public_key)
            ));
        }
        // The key's fingerprint is the one the laptop's Sync screen shows: compare them.
        println!(
            "to approve: {}\t{}\tkey {}\t{}",
            d.id,
            d.unit_code,
            attestation::key_fingerprint(&d.public_key),
            d.name
        );
    }
    let passphrase = province::passphrase(stdin_passphrase(args), "province key passphrase: ")?;
    let key = province::open(&key_file, &passphrase, &expected)?;
    for d in &chosen {
        let signature = attestation::attest(&key, &d.id, &d.unit_code, &d.public_key);
        province::note_approval(&key_file, &d.id, &d.unit_code, &d.public_key)?;
        store.approve(&d.id, &signature).map_err(|e| e.to_string())?;
        println!("approved {}", d.id);
    }
    Ok(())
}

/// How long the hub waits on a connection.
struct Timeouts {
    /// For a request to be answered, its body read included (then 408).
    request: std::time::Duration,
    /// For a request to come: on a new connection, on one kept alive after an answer, and for a
    /// request's head once it started (then the connection is closed). A laptop that lost its
    /// line, or a client that opens connections and sends nothing, holds none for longer.
    idle: std::time::Duration,
}

/// `server` speaking HTTP/1.1 only (which the laptops speak; an HTTP/2 connection would have
/// no idle timeout), closing a connection on which no request comes within `timeouts.idle`.
fn limited<Acc>(
    server: axum_server::Server<SocketAddr, Acc>,
    timeouts: &Timeouts,
) -> axum_server::Server<SocketAddr, Acc> {
    let mut server = server.first_request_timeout(timeouts.idle).http1_only();
    server.http_builder().http1().header_read_timeout(timeouts.idle);
    server
}

fn serve(
    listen: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    store: Arc<dyn Store>,
    timeouts: Timeouts,
) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = std::net::TcpListener::bind(listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let app = api::router(store, timeouts.request).into_make_service_with_connect_info::<SocketAddr>();
        // The tests read this line to learn the port when they ask for port 0.
        match tls {
            Some(config) => {
                println!("listening on https://{addr}");
                let config = axum_server::tls_rustls::RustlsConfig::from_config(config);
                limited(
                    axum_server::from_tcp_rustls(listener, config).map_err(|e| e.to_string())?,
                    &timeouts,
                )
                .serve(app)
                .await
            }
            None => {
                println!("listening on http://{addr}");
                limited(axum_server::from_tcp(listener).map_err(|e| e.to_string())?, &timeouts)
                    .serve(app)
                    .await
            }
        }
        .map_err(|e| e.to_string())
    })
}
