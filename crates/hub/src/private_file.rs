//! Files only the hub's user may read (the certificate's key, the code key, the at-rest key,
//! the province key): made with mode 0600 on Unix; on Windows the folder's ACLs guard them.

use std::path::Path;

/// Writes `bytes` to `path` and flushes them to disk; with `new_only`, never over an existing
/// file (`AlreadyExists`).
pub fn write(path: &Path, bytes: &[u8], new_only: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if new_only {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}
