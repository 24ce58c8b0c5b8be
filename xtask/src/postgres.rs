//! A throw-away PostgreSQL server for the hub's tests: a new cluster in target/, on a free
//! loopback port, trusting local connections, stopped when the tests end. The hub suites
//! create their own databases on it (`OSCC_TEST_POSTGRES`).

use crate::shell::{self, Result, root};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Server {
    bin: PathBuf,
    data: PathBuf,
    as_root: bool,
    pub url: String,
}

/// The newest installed server's programs (Debian keeps them out of PATH).
fn bin_dir() -> Result<PathBuf> {
    let base = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(base)
        .map_err(|_| "PostgreSQL is not installed (run `cargo xtask setup`)")?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort();
    let newest = versions.last().ok_or("no PostgreSQL server in /usr/lib/postgresql")?;
    Ok(base.join(newest.to_string()).join("bin"))
}

impl Server {
    /// PostgreSQL refuses to run as root; then the cluster belongs to the `postgres` user.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_root {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    pub fn start() -> Result<Server> {
        let data = root().join("target/test-postgres");
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        std::fs::create_dir_all(&data)?;
        let as_root = crate::setup::is_root();
        if as_root {
            shell::run(Command::new("chown").arg("postgres:postgres").arg(&data))?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let server = Server {
            bin: bin_dir()?,
            data,
            as_root,
            url: format!("postgres://oscc@127.0.0.1:{port}/postgres"),
        };
        shell::run(
            server
                .command("initdb")
                .args(["--auth=trust", "--username=oscc", "--no-sync", "--encoding=UTF8", "-D"])
                .arg(&server.data)
                .stdout(std::process::Stdio::null()),
        )?;
        // fsync off: a test server loses nothing it needs if the machine dies.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.data.display()
        );
        shell::run(
            server
                .command("pg_ctl")
                .args(["-w", "-D"])
                .arg(&server.data)
                .args(["-o", &options, "-l"])
                .arg(server.data.join("server.log"))
                .arg("start"),
        )?;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
            .status();
    }
}
