//! The real hub process for the tests, on each storage backend, and laptops enrolled with it.
//!
//! Every test runs against SQLite, and against PostgreSQL when `OSCC_TEST_POSTGRES` names a
//! server the tests may create databases on (`cargo xtask test` starts one and sets it).

#![allow(dead_code)]

pub mod proxy;

use casebook::{Casebook, Session};
use oscc_sync::Client;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const PASS: &str = "synthetic-passphrase-123";
/// The province administrator's passphrase for the province key (synthetic).
pub const PROVINCE_PASS: &str = "synthetic province passphrase";

pub fn temp(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("oscc-hub-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

/// The hub databases a test runs on: a SQLite file in `dir`, and a fresh PostgreSQL database
/// when a server is given.
pub fn databases(dir: &Path, name: &str) -> Vec<String> {
    let mut out = vec![dir.join("hub.db").to_string_lossy().into_owned()];
    if let Ok(server) = std::env::var("OSCC_TEST_POSTGRES") {
        let db = format!("oscc_{}_{}", name.replace('-', "_"), std::process::id());
        // The synchronous client runs its own runtime: off the test's async thread.
        let (url, db_name) = (server.clone(), db.clone());
        std::thread::spawn(move || {
            let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("OSCC_TEST_POSTGRES unreachable");
            // One statement each: neither may run inside a transaction block.
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {db_name}"))
                .unwrap();
            admin.batch_execute(&format!("CREATE DATABASE {db_name}")).unwrap();
        })
        .join()
        .unwrap();
        let (base, _) = server.rsplit_once('/').expect("OSCC_TEST_POSTGRES ends in /DATABASE");
        out.push(format!("{base}/{db}"));
    }
    out
}

/// Runs `test` once per hub database (`databases`), each with a folder of its own under a
/// fresh folder named `name`, removed afterwards.
pub async fn on_each_database(name: &str, test: impl AsyncFn(&Path, &str)) {
    let root = temp(name);
    for database in databases(&root, name) {
        let dir = root.join(if database.starts_with("postgres") {
            "pg"
        } else {
            "sqlite"
        });
        std::fs::create_dir_all(&dir).unwrap();
        test(&dir, &database).await;
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// The hub's SQLite database, opened with the at-rest key in `tls_dir` as the hub opens it
/// (and as a program that replaced the hub's could).
pub fn sqlite(database: &str, tls_dir: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(database).unwrap();
    oscc_hub::at_rest::Key::read(tls_dir).unwrap().unlock(&db).unwrap();
    db
}

/// The text column `sql` reads from the hub's database, row by row. On a thread of its own:
/// the synchronous PostgreSQL client runs a runtime of its own.
pub fn texts(database: &str, tls_dir: &Path, sql: &'static str) -> Vec<String> {
    let (database, tls_dir) = (database.to_owned(), tls_dir.to_owned());
    std::thread::spawn(move || {
        if database.starts_with("postgres") {
            let mut db = postgres::Client::connect(&database, postgres::NoTls).unwrap();
            db.query(sql, &[]).unwrap().iter().map(|r| r.get(0)).collect()
        } else {
            let db = sqlite(&database, &tls_dir);
            let mut stmt = db.prepare(sql).unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        }
    })
    .join()
    .unwrap()
}

/// Every event body the hub holds, opened as the hub opens them (sealed on PostgreSQL, in an
/// encrypted file on SQLite).
pub fn clear_bodies(database: &str, tls_dir: &Path) -> Vec<Vec<u8>> {
    let (database, tls_dir) = (database.to_owned(), tls_dir.to_owned());
    std::thread::spawn(move || {
        if database.starts_with("postgres") {
            let key = oscc_hub::at_rest::Key::read(&tls_dir).unwrap().values();
            postgres::Client::connect(&database, postgres::NoTls)
                .unwrap()
                .query("SELECT event_id, body FROM events", &[])
                .unwrap()
                .iter()
                .map(|r| {
                    key.open(oscc_hub::at_rest::Kind::EventBody, r.get(0), r.get(1))
                        .unwrap()
                })
                .collect()
        } else {
            let db = sqlite(&database, &tls_dir);
            let mut stmt = db.prepare("SELECT body FROM events").unwrap();
            stmt.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|b| b.unwrap().into_bytes())
                .collect()
        }
    })
    .join()
    .unwrap()
}

/// What the hub's database keeps of its enrollment codes.
pub fn code_hashes(database: &str, tls_dir: &Path) -> Vec<String> {
    texts(database, tls_dir, "SELECT code_hash FROM enrollment_codes")
}

/// On a PostgreSQL hub database, ends every other connection to it (the hub's), as a restart
/// of the database server does; nothing on SQLite.
pub fn drop_connections(database: &str) {
    if !database.starts_with("postgres") {
        return;
    }
    let url = database.to_owned();
    std::thread::spawn(move || {
        let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let ended = db
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .unwrap();
        assert!(!ended.is_empty(), "the hub had no connection to end");
    })
    .join()
    .unwrap();
}

/// `oscc-hub serve` on a free loopback port, over HTTPS with its own certificate (or plain
/// HTTP for the fault proxy); killed when dropped (also when a test fails).
pub struct Hub {
    pub child: Child,
    /// host:port
    pub addr: String,
    pub url: String,
    pub database: String,
    pub tls_dir: PathBuf,
    /// The certificate fingerprint the hub printed (None over plain HTTP).
    pub fingerprint: Option<String>,
    /// The province key's fingerprint `oscc-hub province-key` printed for the paper the units
    /// get (None for a hub that had its key already).
    pub province_print: Option<String>,
    /// What the hub printed after it started listening (its access log).
    printed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Hub {
    pub fn start(database: &str, tls_dir: &Path) -> Hub {
        Hub::spawn(database, tls_dir, &[])
    }

    pub fn start_plain(database: &str, tls_dir: &Path) -> Hub {
        Hub::spawn(database, tls_dir, &["--plain-http"])
    }

    /// `oscc-hub serve` with these options added.
    pub fn spawn(database: &str, tls_dir: &Path, options: &[&str]) -> Hub {
        // A new hub gets its province key first (a restarted one has it).
        let province = admin(database, tls_dir, &["province-key"]);
        let province_print = String::from_utf8_lossy(&province.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("province key ").map(str::to_owned));
        assert!(
            province.status.success() || String::from_utf8_lossy(&province.stderr).contains("already"),
            "{}",
            String::from_utf8_lossy(&province.stderr)
        );
        let mut command = Command::new(env!("CARGO_BIN_EXE_oscc-hub"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database, "--tls-dir"])
            .arg(tls_dir)
            .args(options)
            .stdout(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut fingerprint = None;
        let url = loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the hub stopped before listening"
            );
            if let Some(print) = line.trim().strip_prefix("certificate sha256 ") {
                fingerprint = Some(print.to_owned());
            }
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        let printed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = printed.clone();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        Hub {
            child,
            addr: url.split("://").nth(1).unwrap().to_owned(),
            url,
            database: database.to_owned(),
            tls_dir: tls_dir.to_owned(),
            fingerprint,
            province_print,
            printed,
        }
    }

    /// The access log so far: one line per request.
    pub fn access_log(&self) -> Vec<String> {
        self.printed
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("access "))
            .cloned()
            .collect()
    }

    /// The same hub again after a crash, on its database and certificate.
    pub fn restart(&self) -> Hub {
        let plain: &[&str] = if self.fingerprint.is_none() {
            &["--plain-http"]
        } else {
            &[]
        };
        Hub::spawn(&self.database, &self.tls_dir, plain)
    }

    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
            .args(args)
            .args(["--database", &self.database, "--tls-dir"])
            .arg(&self.tls_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Approves an enrolled device with the province key, as the province administrator does.
    pub fn approve(&self, device_id: &str) {
        let out = admin(&self.database, &self.tls_dir, &["approve", device_id]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// A one-time enrollment code for `unit`.
    pub fn code(&self, unit: &str) -> String {
        self.cli(&["enroll-code", "--unit", unit])
            .lines()
            .next()
            .unwrap()
            .to_owned()
    }

    /// Whether `oscc-hub devices` shows the device as approved (active).
    pub fn device_approved(&self, device_id: &str) -> bool {
        self.cli(&["devices"])
            .lines()
            .any(|l| l.starts_with(&format!("{device_id}\t")) && l.contains("\tactive\t"))
    }

    /// The province key the hub hands to laptops, hex (read from its database).
    pub fn province_key(&self) -> String {
        texts(&self.database, &self.tls_dir, "SELECT public_key FROM province").remove(0)
    }

    /// Events the hub holds, from `oscc-hub report` (the sum over units).
    pub fn events_held(&self) -> i64 {
        self.cli(&["report"])
            .lines()
            .skip(1)
            .map(|l| l.split('\t').nth(5).unwrap().parse::<i64>().unwrap())
            .sum()
    }
}

/// `oscc-hub ARGS` as the province administrator: the key file in `tls_dir`, the passphrase on
/// standard input.
pub fn admin(database: &str, tls_dir: &Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
        .args(args)
        .args(["--database", database, "--passphrase-stdin", "--tls-dir"])
        .arg(tls_dir)
        .arg("--key-file")
        .arg(tls_dir.join("province.key"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), PROVINCE_PASS.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of `url` for `book`, enrolled: enrolls with a fresh code for `unit` at the hub
/// and pins the certificate it saw; the book takes the device id the hub gave (`admin`), and
/// the province approves the device.
pub async fn enroll(hub: &Hub, url: &str, unit: &str, book: &mut Casebook, admin: &Session, name: &str) -> Client {
    enrollment(hub, url, unit, book, admin, name).await.0
}

/// `enroll`, and the province key the hub named at enrollment (hex).
async fn enrollment(
    hub: &Hub,
    url: &str,
    unit: &str,
    book: &mut Casebook,
    admin: &Session,
    name: &str,
) -> (Client, String) {
    let enrolled = Client::new(&hub.url, None, None)
        .unwrap()
        .enroll(&hub.code(unit), name)
        .await
        .unwrap();
    assert_eq!(enrolled.pin, hub.fingerprint, "the pinned certificate is not the hub's");
    book.take_device_id(admin, &enrolled.device_id).unwrap();
    hub.approve(&enrolled.device_id);
    let client = Client::new(url, enrolled.pin.as_deref(), Some(enrolled.credentials)).unwrap();
    (client, enrolled.province_key)
}

/// A laptop's book of `unit` in `dir`, enrolled with `hub` (the province key pinned in the
/// book, as the app does); its client talks to `url` (the hub, or a proxy in front of it).
pub async fn enrolled_laptop(dir: &Path, unit: &str, name: &str, hub: &Hub, url: &str) -> (Casebook, Session, Client) {
    std::fs::create_dir_all(dir).unwrap();
    let (mut book, admin, worker) = casebook::synth::unit_book(dir, unit, name, PASS).unwrap();
    let (client, province_key) = enrollment(hub, url, unit, &mut book, &admin, name).await;
    book.pin_province_key(&province_key).unwrap();
    (book, worker, client)
}

/// Syncs `book` until one run goes through whole (faults make runs fail part-way); the
/// number of runs it took.
pub async fn sync_until_done(book: &std::sync::Mutex<Casebook>, client: &Client) -> u32 {
    for attempt in 1..=200 {
        if oscc_sync::sync_once(book, client, casebook::store::schema_version())
            .await
            .is_ok()
        {
            return attempt;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("sync never went through");
}

/// A laptop of `unit` enrolled with the hub: its book (for the sync and the test to share), its
/// social worker and administrator, and its client.
pub struct Laptop {
    pub book: std::sync::Mutex<Casebook>,
    pub worker: Session,
    pub admin: Session,
    pub client: Client,
}

impl Laptop {
    pub async fn new(root: &Path, unit: &str, name: &str, hub: &Hub) -> Laptop {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let (mut book, admin, worker) = casebook::synth::unit_book(&dir, unit, name, PASS).unwrap();
        let client = enroll(hub, &hub.url, unit, &mut book, &admin, name).await;
        Laptop {
            book: std::sync::Mutex::new(book),
            worker,
            admin,
            client,
        }
    }

    pub async fn sync(&self) -> oscc_sync::SyncReport {
        oscc_sync::sync_once(&self.book, &self.client, casebook::store::schema_version())
            .await
            .unwrap()
    }
}

/// A device enrolled by hand over plain HTTP (a hub started with `--plain-http`) with `code`
/// and `key`, then approved by the province: what a device that lies starts from (stolen, or
/// an insider's). Its HTTP client and the hub's answer (device id and token).
pub async fn enroll_by_hand(
    hub: &Hub,
    code: String,
    key: &ed25519_dalek::SigningKey,
    name: &str,
) -> (reqwest::Client, oscc_sync::EnrollResponse) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let answer: oscc_sync::EnrollResponse = http
        .post(format!("{}/v1/enroll", hub.url))
        .json(&oscc_sync::EnrollRequest {
            code,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            device_name: name.into(),
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    hub.approve(&answer.device_id);
    (http, answer)
}
