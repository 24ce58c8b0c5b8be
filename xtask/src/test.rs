//! `cargo xtask test`: every suite, in the order that fails fastest.
//!
//! On Linux the suites run inside one prepared session: a virtual screen (Xvfb) for the app
//! window, and a private D-Bus session with a throw-away unlocked gnome-keyring so the OS
//! keyring (Secret Service) is real but never the user's own.

use crate::shell::{self, Result, cargo, cargo_with, root};
use crate::{build_ui, setup};
use std::process::Command;

/// Set inside the prepared session so the re-run of `xtask test` runs the suites.
pub const INSIDE: &str = "OSCC_TEST_SESSION";

pub fn all() -> Result<()> {
    setup::all()?;
    if cfg!(target_os = "linux") && std::env::var_os(INSIDE).is_none() {
        return inside_session("test");
    }
    suites()
}

/// Re-runs `cargo xtask <command>` inside the prepared session.
pub fn inside_session(command: &str) -> Result<()> {
    let session = root().join("target/test-session");
    if session.exists() {
        std::fs::remove_dir_all(&session)?;
    }
    let runtime = session.join("run");
    std::fs::create_dir_all(&runtime)?;
    std::fs::create_dir_all(session.join("data"))?;
    set_private(&runtime)?;
    let me = std::env::current_exe()?;
    let script = "printf %s ci-only-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
                  && exec \"$0\" \"$@\"";
    shell::run(
        Command::new("xvfb-run")
            .args([
                "-a",
                "-s",
                "-screen 0 1366x768x24",
                "dbus-run-session",
                "--",
                "sh",
                "-c",
                script,
            ])
            .arg(me)
            .arg(command)
            .env(INSIDE, "1")
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", session.join("data"))
            .current_dir(root()),
    )
}

#[cfg(unix)]
fn set_private(dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_private(_dir: &std::path::Path) -> Result<()> {
    Ok(())
}

fn suites() -> Result<()> {
    let ui = root().join("ui");
    eprintln!("== core crates (the hub's suites on SQLite and on a local PostgreSQL)");
    let postgres = crate::postgres::Server::start()?;
    cargo_with(
        &[
            "test",
            "--workspace",
            "--exclude",
            "oscc-casebook-app",
            "--exclude",
            "oscc-e2e",
        ],
        &[("OSCC_TEST_POSTGRES", &postgres.url)],
    )?;
    drop(postgres);

    eprintln!("== UI: type check, unit tests, build");
    shell::run(shell::npm().args(["run", "check"]).current_dir(&ui))?;
    shell::run(shell::npm().args(["test"]).current_dir(&ui))?;
    // The shell embeds ui/dist at compile time, so the UI is built before the shell.
    build_ui()?;

    eprintln!("== app shell, and TypeScript bindings generated from the Rust types");
    cargo(&["test", "--package", "oscc-casebook-app"])?;
    bindings_unchanged()?;

    eprintln!("== end to end: the real app window through WebDriver");
    cargo(&["build", "--package", "oscc-casebook-app"])?;
    // The suites by name: `startup` only prints figures for a large book (cargo xtask bench).
    // The sync test runs the hub beside the app.
    cargo(&["build", "--package", "oscc-hub"])?;
    // About 6 minutes when all is well; a hang fails the run long before CI's own limit.
    let mut e2e = shell::cargo_command(&[
        "test",
        "--package",
        "oscc-e2e",
        "--test",
        "app_window",
        "--test",
        "case_work",
        "--test",
        "conference",
        "--test",
        "sync",
        "--test",
        "operations",
        "--test",
        "daily_work",
        "--test",
        "people",
        "--test",
        "protection",
        "--test",
        "letters",
        "--test",
        "printing",
        "--",
        "--test-threads=1",
    ]);
    shell::run_within(&mut e2e, std::time::Duration::from_secs(20 * 60))?;

    eprintln!("== the .deb: install, open the installed app, remove");
    crate::package::install_test()
}

/// ts-rs rewrote ui/src/bindings from the Rust types; any difference from the commit is drift.
fn bindings_unchanged() -> Result<()> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--", "ui/src/bindings"])
        .current_dir(root())
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let changed = String::from_utf8_lossy(&out.stdout);
            if changed.trim().is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "the TypeScript bindings no longer match the Rust types; commit the regenerated files:\n{changed}"
                )
                .into())
            }
        }
        _ => {
            eprintln!("not a git checkout: bindings drift not checked");
            Ok(())
        }
    }
}
