//! The hub's certificate. A province server seldom has a public name, so the hub makes its own
//! self-signed certificate on first start and prints its fingerprint; laptops pin it at
//! enrollment (the administrator can compare the fingerprint the app shows with this one).
//! A certificate from the province's own CA can be put in the same files instead.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertFiles {
    pub fn in_dir(dir: &Path) -> CertFiles {
        CertFiles {
            cert: dir.join("hub-cert.pem"),
            key: dir.join("hub-key.pem"),
        }
    }

    /// Makes a self-signed certificate for `names` (host names or addresses) unless the files
    /// exist already.
    pub fn ensure(&self, names: &[String]) -> Result<(), String> {
        if self.cert.exists() && self.key.exists() {
            return Ok(());
        }
        if let Some(dir) = self.key.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        }
        let mut names = names.to_vec();
        names.extend(["localhost".to_owned(), "127.0.0.1".to_owned()]);
        let made = rcgen::generate_simple_self_signed(names).map_err(|e| format!("cannot make a certificate: {e}"))?;
        crate::private_file::write(&self.key, made.signing_key.serialize_pem().as_bytes(), false)
            .map_err(|e| format!("cannot write {}: {e}", self.key.display()))?;
        std::fs::write(&self.cert, made.cert.pem()).map_err(|e| format!("cannot write {}: {e}", self.cert.display()))
    }

    /// SHA-256 of the certificate (DER), hex: what laptops pin.
    pub fn fingerprint(&self) -> Result<String, String> {
        Ok(hex::encode(Sha256::digest(self.chain()?[0].as_ref())))
    }

    fn chain(&self) -> Result<Vec<CertificateDer<'static>>, String> {
        let chain = CertificateDer::pem_file_iter(&self.cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read {}: {e}", self.cert.display()))?;
        if chain.is_empty() {
            return Err(format!("{} holds no certificate", self.cert.display()));
        }
        Ok(chain)
    }

    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        let key =
            PrivateKeyDer::from_pem_file(&self.key).map_err(|e| format!("cannot read {}: {e}", self.key.display()))?;
        let chain = self.chain()?;
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
            .map_err(|e| format!("the certificate and key do not make a TLS configuration: {e}"))?;
        Ok(Arc::new(config))
    }
}
