//! The real hub process for the tests, and laptops enrolled with it.

#![allow(dead_code)]

use casebook::{Casebook, Session};
use oscc_sync::Client;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const PASS: &str = "synthetic-passphrase-123";

pub fn temp(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("oscc-hub-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

/// `oscc-hub serve` on a free loopback port; killed when dropped (also when a test fails).
pub struct Hub {
    pub child: Child,
    pub addr: String,
    pub database: PathBuf,
}

impl Hub {
    pub fn start(database: &Path) -> Hub {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database"])
            .arg(database)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Hub {
            child,
            addr: line.trim().strip_prefix("listening on ").unwrap().to_owned(),
            database: database.to_owned(),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
            .args(args)
            .arg("--database")
            .arg(&self.database)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A laptop's book in `dir`, enrolled with `hub` by a one-time code; returns the book, its
/// social worker and the device token.
pub async fn enrolled_laptop(dir: &Path, name: &str, hub: &Hub) -> (Casebook, Session, String) {
    std::fs::create_dir_all(dir).unwrap();
    let (book, _, worker) = casebook::synth::unit_laptop(dir, name, PASS).unwrap();
    let code = hub.cli(&["enroll-code", "--unit", "CPN"]);
    let token = Client::new(&hub.url(), None)
        .enroll(&code, book.device_id(), name)
        .await
        .unwrap()
        .token;
    (book, worker, token)
}
