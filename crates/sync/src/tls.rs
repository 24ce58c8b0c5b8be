//! HTTPS to the hub with its certificate pinned: the hub's certificate is usually self-signed
//! (a province server has no public name), so trust is the SHA-256 of the certificate the
//! laptop saw at enrollment, not a certificate authority. At enrollment any certificate is
//! accepted and its fingerprint recorded; from then on only that certificate is.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// The fingerprint as `oscc-hub` prints it: SHA-256 of the DER certificate, hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// A fingerprint as a person typed it (spaces, colons, capitals), as the pin it stands for:
/// its hex digits, at least the first 32 of the 64 (a forger would need 2^128 tries to make a
/// certificate whose fingerprint starts with them). None when it is not one.
pub fn typed_fingerprint(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let hex = digits.chars().all(|c| c.is_ascii_hexdigit());
    (hex && (MIN_PIN_DIGITS..=64).contains(&digits.len())).then_some(digits)
}

/// The fewest hex digits of a certificate's fingerprint that stand for it.
const MIN_PIN_DIGITS: usize = 32;

/// The TLS failure of a hub showing another certificate than the pinned one.
pub(crate) const NOT_PINNED: &str = "the hub's certificate is not the pinned one";

/// Whether a request failed because the hub showed another certificate than the pinned one
/// (the rustls error inside reqwest's, inside an I/O error).
pub(crate) fn not_pinned(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(Error::General(message)) = err.downcast_ref::<Error>()
            && message == NOT_PINNED
        {
            return true;
        }
        next = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

#[derive(Debug)]
pub(crate) struct Pinned {
    /// None while enrolling without a fingerprint: accept and remember what was seen. A pin
    /// is the whole fingerprint or, when a person typed it, its beginning (`typed_fingerprint`).
    pin: Option<String>,
    seen: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl Pinned {
    pub(crate) fn seen(&self) -> Option<String> {
        self.seen.lock().ok().and_then(|s| s.clone())
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let print = fingerprint(end_entity);
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(print.clone());
        }
        match &self.pin {
            Some(pin) if !print.starts_with(&pin.to_ascii_lowercase()) => Err(Error::General(NOT_PINNED.into())),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A TLS configuration that trusts exactly `pin` (or, with None, records what it sees).
pub(crate) fn config(pin: Option<&str>) -> Result<(rustls::ClientConfig, Arc<Pinned>), Error> {
    if pin.is_some_and(|pin| pin.len() < MIN_PIN_DIGITS) {
        return Err(Error::General("a certificate pin needs at least 32 hex digits".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Pinned {
        pin: pin.map(str::to_owned),
        seen: Mutex::new(None),
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((config, verifier))
}
