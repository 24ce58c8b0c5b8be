//! Where the case book lives: `--data-dir PATH` (or `--data-dir=PATH`), else the
//! `OSCC_DATA_DIR` environment variable, else the platform's per-user app data folder.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "OSCC_DATA_DIR";

/// Written by a second launch on a folder already open (a double-click on a laptop where the
/// app sits behind other windows): the open copy sees it change and brings its window forward.
/// It holds only the time of the ring.
const DOORBELL: &str = "casebook.raise";

/// Asks the copy of the app open on `dir` to come forward. The file is made new: whatever
/// was left in its place (a link planted to another file) is removed, never written through.
pub fn ring(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(DOORBELL);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    std::io::Write::write_all(&mut file, now.to_string().as_bytes())
}

/// The doorbell of `dir` as last seen; `rung` tells a new ring from it.
pub struct Doorbell {
    path: PathBuf,
    last: Option<(std::time::SystemTime, u64)>,
}

impl Doorbell {
    /// Listens from now on: a ring left from an earlier run is not a new one.
    pub fn at(dir: &Path) -> Doorbell {
        let path = dir.join(DOORBELL);
        let last = seen(&path);
        Doorbell { path, last }
    }

    /// Whether the doorbell rang since the last look.
    pub fn rung(&mut self) -> bool {
        let now = seen(&self.path);
        if now.is_some() && now != self.last {
            self.last = now;
            return true;
        }
        false
    }
}

/// When the doorbell was last written, and its length: looked at, never read (a link or a
/// pipe left in its place neither blocks nor fills the app), and only as a plain file.
fn seen(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    Some((meta.modified().ok()?, meta.len()))
}

/// The folder chosen on the command line or in the environment, if any.
pub fn from_args_or_env(args: impl IntoIterator<Item = OsString>, env: Option<OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            return Some(PathBuf::from(value));
        }
    }
    env.filter(|v| !v.is_empty()).map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_launch_rings_once_and_an_old_ring_is_not_new() {
        let dir = std::env::temp_dir().join(format!("oscc-doorbell-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        ring(&dir).unwrap();
        let mut bell = Doorbell::at(&dir);
        assert!(!bell.rung(), "the ring of an earlier run");
        std::thread::sleep(std::time::Duration::from_millis(20));
        ring(&dir).unwrap();
        assert!(bell.rung());
        assert!(!bell.rung(), "heard once");
        // A link planted in its place is replaced, not written through.
        #[cfg(unix)]
        {
            let target = dir.join("another-file");
            std::fs::write(&target, "kept").unwrap();
            std::fs::remove_file(dir.join(DOORBELL)).unwrap();
            std::os::unix::fs::symlink(&target, dir.join(DOORBELL)).unwrap();
            ring(&dir).unwrap();
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
            assert!(std::fs::symlink_metadata(dir.join(DOORBELL)).unwrap().is_file());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn flag_with_separate_value() {
        let dir = from_args_or_env(args(&["app", "--data-dir", "/tmp/book"]), None);
        assert_eq!(dir, Some(PathBuf::from("/tmp/book")));
    }

    #[test]
    fn flag_with_equals_beats_environment() {
        let dir = from_args_or_env(args(&["app", "--data-dir=/a"]), Some("/b".into()));
        assert_eq!(dir, Some(PathBuf::from("/a")));
    }

    #[test]
    fn environment_when_no_flag_and_nothing_when_empty() {
        assert_eq!(
            from_args_or_env(args(&["app"]), Some("/b".into())),
            Some(PathBuf::from("/b"))
        );
        assert_eq!(from_args_or_env(args(&["app"]), Some("".into())), None);
        assert_eq!(from_args_or_env(args(&["app", "--data-dir"]), None), None);
    }
}
