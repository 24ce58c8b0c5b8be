//! Where the case book lives: `--data-dir PATH` (or `--data-dir=PATH`), else the
//! `OSCC_DATA_DIR` environment variable, else the platform's per-user app data folder.

use std::ffi::OsString;
use std::path::PathBuf;

pub const ENV_VAR: &str = "OSCC_DATA_DIR";

/// Held locked (exclusively) while the app runs on a data folder: a second copy of the app on
/// the same folder would change files under the first (a key change under way, a lock).
const INSTANCE_LOCK: &str = "casebook.lock";

/// The data folder's instance lock, or None when another copy of the app holds it.
pub fn hold(dir: &std::path::Path) -> std::io::Result<Option<std::fs::File>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(INSTANCE_LOCK))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
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
    fn one_copy_of_the_app_per_data_folder() {
        let dir = std::env::temp_dir().join(format!("oscc-instance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = hold(&dir).unwrap();
        assert!(first.is_some());
        assert!(hold(&dir).unwrap().is_none(), "a second copy is turned away");
        drop(first);
        assert!(hold(&dir).unwrap().is_some(), "free again once the first has gone");
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
