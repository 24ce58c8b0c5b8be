//! `cargo xtask setup`: installs what is missing and nothing else, so it is cheap to repeat.

use crate::shell::{self, Result, has, root};
use std::path::Path;
use std::process::Command;

/// Debian/Ubuntu packages: build (WebKitGTK 4.1 for Tauri, OpenSSL/perl/make for the vendored
/// SQLCipher build), tests (Xvfb, WebKitWebDriver, a session bus with gnome-keyring for the
/// Secret Service, poppler for PDF checks), PostgreSQL for the hub's second storage, and a
/// Thai font for documents. Tauri's default features need no appindicator or rsvg.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "curl",
    "file",
    "perl",
    "make",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "gnome-keyring",
    "poppler-utils",
    // pango-view: the reference the letters crate's Thai shaping is checked against.
    "pango1.0-tools",
    "postgresql",
];

const INSTALL_HINT: &str = "This system is not Debian/Ubuntu; install by hand: Rust (rustup), Node.js 20.19+ with npm, \
the Tauri 2 prerequisites of your OS (https://v2.tauri.app/start/prerequisites/), and for the \
end-to-end tests on Linux: WebKitWebDriver, Xvfb, D-Bus and gnome-keyring. Then run \
`cargo xtask setup` again to fetch the npm packages and tauri-driver.";

pub fn all() -> Result<()> {
    system_packages()?;
    ui_packages()?;
    tauri_driver()
}

fn system_packages() -> Result<()> {
    if !Path::new("/etc/debian_version").exists() || !has("apt-get") {
        if cfg!(target_os = "linux") {
            eprintln!("{INSTALL_HINT}");
        }
        return Ok(());
    }
    let missing: Vec<&str> = DEBIAN_PACKAGES.iter().copied().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("setup: installing {}", missing.join(" "));
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = as_root("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        shell::run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install)
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program` run as root: directly when we are root (a CI container), through sudo otherwise.
pub fn as_root(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut cmd = Command::new("sudo");
        cmd.arg(program);
        cmd
    }
}

/// `npm ci` when node_modules is missing or older than the lock file.
fn ui_packages() -> Result<()> {
    if !has(if cfg!(windows) { "npm.cmd" } else { "npm" }) {
        return Err("npm not found: install Node.js 20.19 or newer with npm".into());
    }
    let ui = root().join("ui");
    let installed = ui.join("node_modules/.package-lock.json");
    let lock = ui.join("package-lock.json");
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    shell::run(shell::npm().args(["ci", "--no-audit", "--no-fund"]).current_dir(ui))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// tauri-driver bridges WebDriver clients to the platform's driver (Linux and Windows only).
fn tauri_driver() -> Result<()> {
    if cfg!(target_os = "macos") {
        return Ok(());
    }
    cargo_tool("tauri-driver", "tauri-driver", "^2")
}

/// The Tauri CLI's version: the tauri crate's (Cargo.lock).
const TAURI_CLI: &str = "2.12.5";

/// The Tauri CLI, as a command ready for its arguments, run in the workspace. npm's package
/// holds it prebuilt for this platform (two seconds); it lives in target/, out of ui/'s
/// lockfile, which cannot list every platform's binary from a registry that serves only this
/// one. Where npm cannot give it, it is built from crates.io (twelve minutes on two cores).
pub fn tauri_cli() -> Result<Command> {
    let prefix = root().join("target/tauri-cli");
    let script = prefix.join("node_modules/@tauri-apps/cli/tauri.js");
    // It answers with its version only when the binary for this platform came with it (npm
    // skips a missing optional package silently).
    let answers = || {
        Command::new("node")
            .arg(&script)
            .arg("--version")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == format!("tauri-cli {TAURI_CLI}"))
    };
    let npm_cli = answers()
        || (shell::run(
            shell::npm()
                .args([
                    "install",
                    "--no-save",
                    "--no-package-lock",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--prefix",
                ])
                .arg(&prefix)
                .arg(format!("@tauri-apps/cli@{TAURI_CLI}")),
        )
        .is_ok()
            && answers());
    let mut cli = if npm_cli {
        let mut node = Command::new("node");
        node.arg(script);
        node
    } else {
        eprintln!("setup: no Tauri CLI {TAURI_CLI} from npm; building it from crates.io");
        cargo_tool("cargo-tauri", "tauri-cli", &format!("={TAURI_CLI}"))?;
        shell::cargo_command(&["tauri"])
    };
    cli.current_dir(root());
    Ok(cli)
}

/// Installs a Rust tool with `cargo install` unless its binary is already there (of any
/// version: an older cargo-tauri is taken as it is).
fn cargo_tool(bin: &str, krate: &str, version: &str) -> Result<()> {
    if has_cargo_bin(bin) {
        return Ok(());
    }
    shell::cargo(&["install", krate, "--version", version, "--locked"])
}

fn has_cargo_bin(bin: &str) -> bool {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .is_some_and(|home| home.join("bin").join(bin).exists());
    in_cargo_home
        || Command::new(bin)
            .arg("--help")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
}
