//! The hub's secret for one-time enrollment codes. A code is short enough to type (48 bits),
//! so its plain hash in a copied hub database could be searched for offline; the database
//! keeps instead a hash keyed with this secret, which lives in a file of its own beside the
//! certificate's key (readable by the hub's user only) and is made on first use.

use sha2::{Digest, Sha256};
use std::path::Path;

pub const FILE: &str = "hub-code-key";

/// The secret in `dir`, made there first if it is missing.
pub fn load_or_make(dir: &Path) -> Result<[u8; 32], String> {
    let path = dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => hex::decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| format!("{} is damaged", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| format!("no randomness: {e}"))?;
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
            crate::private_file::write(&path, hex::encode(key).as_bytes(), true)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// What the database keeps of a code: its hash keyed with the secret.
pub fn keyed_hash(key: &[u8; 32], code: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"oscc-enrollment-code-1");
    hash.update(key);
    hash.update(code.trim().to_ascii_lowercase().as_bytes());
    hex::encode(hash.finalize())
}
