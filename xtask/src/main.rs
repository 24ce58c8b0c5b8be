//! `cargo xtask <command>`: the one entry for every chore of the project.
//!
//! setup   install what building and testing need (idempotent)
//! run     build the UI and the app, then open it (args after `--` go to the app)
//! test    every test suite: Rust crates, TS bindings drift, UI unit tests, end-to-end
//! bench   the benchmarks, printing figures
//! gen     a synthetic case book (fictional people) for trying the app at scale
//! bundle  the installable package (.deb on Linux); --debug for the test build
//! imports no import circle in any crate, the case book's layers in order

mod imports;
mod package;
mod postgres;
mod setup;
mod shell;
mod test;

use shell::{Result, cargo, root};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup | run [-- APP ARGS] | test | bench | bundle [--debug] | imports | gen --cases N [--dir DIR]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("run") => run(&args[1..]),
        Some("test") => test::all(),
        Some("bench") => bench(),
        Some("gen") => gen_book(&args[1..]),
        Some("imports") => imports::check(),
        Some("bundle") => package::bundle(args.iter().any(|a| a == "--debug")).map(|_| ()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the UI, then the app (which embeds ui/dist at compile time), then opens it.
fn run(app_args: &[String]) -> Result<()> {
    setup::all()?;
    build_ui()?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err("no display to open a window on. On a machine without a screen run: \
                    xvfb-run -a -s \"-screen 0 1366x768x24\" cargo xtask run"
            .into());
    }
    let app_args = app_args.strip_prefix(&["--".to_owned()]).unwrap_or(app_args);
    let mut args = vec!["run", "--package", "oscc-casebook-app", "--"];
    args.extend(app_args.iter().map(String::as_str));
    cargo(&args)
}

pub fn build_ui() -> Result<()> {
    shell::run(shell::npm().args(["run", "build"]).current_dir(root().join("ui")))
}

/// Benchmarks print figures (they are not pass/fail tests). They use the OS keyring, so on
/// Linux they run in the same private session as the tests.
fn bench() -> Result<()> {
    if cfg!(target_os = "linux") && std::env::var_os(test::INSIDE).is_none() {
        setup::all()?;
        return test::inside_session("bench");
    }
    cargo(&["bench", "--package", "letters", "--bench", "letters"])?;
    cargo(&["bench", "--package", "oscc-hub", "--bench", "sync"])?;
    cargo(&["bench", "--package", "casebook", "--features", "unencrypted-benchmark"])
}

/// `cargo xtask gen --cases N [--dir DIR]`: a synthetic case book to try the app with.
fn gen_book(args: &[String]) -> Result<()> {
    let mut cmd = vec!["run", "--release", "--package", "casebook", "--example", "gen", "--"];
    cmd.extend(args.iter().map(String::as_str));
    cargo(&cmd)
}
