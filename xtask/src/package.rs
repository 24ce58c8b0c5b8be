//! `cargo xtask bundle [--debug]`: the installable package (.deb on Linux) by the Tauri CLI;
//! and the install test CI runs: install the .deb, open the installed app under Xvfb and
//! read its window heading through WebDriver, uninstall, check nothing is left.

use crate::shell::{self, Result, cargo_with, root};
use crate::{build_ui, setup};
use std::path::PathBuf;
use std::process::Command;

/// Builds the .deb and returns its path. `debug` reuses the test build (CI); users and
/// releases build optimised.
pub fn bundle(debug: bool) -> Result<PathBuf> {
    setup::all()?;
    build_ui()?;
    let mut build = setup::tauri_cli()?;
    build.args(["build", "--bundles", "deb"]);
    if debug {
        build.arg("--debug");
    }
    shell::run(&mut build)?;
    let dir = root()
        .join("target")
        .join(if debug { "debug" } else { "release" })
        .join("bundle/deb");
    let deb = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no .deb in {}", dir.display()))?;
    eprintln!("package: {}", deb.display());
    Ok(deb)
}

/// Installs the package, opens the installed app and reads its heading, removes it.
pub fn install_test() -> Result<()> {
    let deb = bundle(true)?;
    let field = |name: &str| -> Result<String> {
        let out = Command::new("dpkg-deb").arg("--field").arg(&deb).arg(name).output()?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let package = field("Package")?;
    eprintln!("installing {package} {}", field("Version")?);
    dpkg(&["--install", &deb.display().to_string()])?;
    let listed = Command::new("dpkg").args(["--listfiles", &package]).output()?;
    let files: Vec<PathBuf> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    let installed = PathBuf::from("/usr/bin/oscc-casebook");
    let opened = if installed.exists() {
        cargo_with(
            &["test", "--package", "oscc-e2e", "--test", "app_window"],
            &[("OSCC_APP_BIN", &installed.display().to_string())],
        )
    } else {
        Err(format!("the package did not install {}", installed.display()).into())
    };
    dpkg(&["--remove", &package])?;
    opened?;
    let left: Vec<&PathBuf> = files.iter().filter(|p| p.exists()).collect();
    if !left.is_empty() {
        return Err(format!("`dpkg --remove {package}` left files behind: {left:?}").into());
    }
    eprintln!(
        "{package}: {} files installed, the app opened, all removed",
        files.len()
    );
    Ok(())
}

fn dpkg(args: &[&str]) -> Result<()> {
    shell::run(setup::as_root("dpkg").args(args))
}
