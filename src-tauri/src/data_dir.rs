//! Where the case book lives: `--data-dir PATH` (or `--data-dir=PATH`), else the
//! `OSCC_DATA_DIR` environment variable, else the platform's per-user app data folder.

use std::ffi::OsString;
use std::path::PathBuf;

pub const ENV_VAR: &str = "OSCC_DATA_DIR";

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
