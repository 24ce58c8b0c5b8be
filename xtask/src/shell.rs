//! Running programs and finding the workspace.

use std::path::PathBuf;
use std::process::Command;

pub type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a command, echoing it first, and fails with its exit status.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)).into())
    }
}

/// `run`, stopped with everything it started once `limit` has passed: a suite that hangs (a
/// window that never opens) fails the run with a message instead of eating CI's time. On Unix
/// it runs in a process group of its own, so Ctrl-C at the terminal stops xtask but not it:
/// it ends by its deadline. Elsewhere only the command itself is stopped.
pub fn run_within(cmd: &mut Command, limit: std::time::Duration) -> Result<()> {
    eprintln!("$ {} (at most {} min)", describe(cmd), limit.as_secs() / 60);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if std::time::Instant::now() > deadline {
            stop_group(&mut child);
            return Err(format!("`{}` did not finish within {} min", describe(cmd), limit.as_secs() / 60).into());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    // Whatever it left running (a driver, an app window) goes with it.
    stop_group(&mut child);
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)).into())
    }
}

/// Kills the child and, on Unix, every process of its group (the test binaries, the drivers,
/// the app windows they started).
fn stop_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

pub fn cargo(args: &[&str]) -> Result<()> {
    cargo_with(args, &[])
}

/// `cargo` with extra environment variables.
pub fn cargo_with(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    run(cargo_command(args).envs(env.iter().copied()))
}

pub fn cargo_command(args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(root());
    cmd
}

pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

/// Whether a program answers on PATH.
pub fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}
