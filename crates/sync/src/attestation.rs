//! Which devices the province enrolled, proven by the province's key rather than by the hub's
//! word (docs/ARCHITECTURE.md, "Who vouches for a device"). The province administrator's
//! approval signs each device's id, unit and public key with the province key, which is kept
//! encrypted under the administrator's passphrase and used only by `oscc-hub approve`; the hub
//! only hands the signatures on. A laptop pins the province's public key at enrollment and
//! takes an event only when it is signed by a device the province approved.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A device as the hub lists it: who it is, its unit, its key, and the province's signature
/// over those three (`attestation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceEntry {
    pub device_id: String,
    pub unit_code: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// The province key's signature of `attestation_digest`, hex.
    pub attestation: String,
    /// When the province revoked the device: the last of its events that stays valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// The province's word that a device was revoked: its events up to `last_seq` stand (the hub
/// had them), any later one is not the device's owner's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub last_seq: i64,
    /// The province key's signature of `revocation_digest`, hex.
    pub signature: String,
}

/// The answer to `GET /v1/devices`: every device the province approved (revoked ones too:
/// what they signed before they were revoked stays theirs), and the province's public key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceList {
    pub province_key: String,
    pub devices: Vec<DeviceEntry>,
}

/// What the province signs when it approves a device, each field written with its length
/// before it behind a label naming this encoding.
pub fn attestation_digest(device_id: &str, unit_code: &str, public_key: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    for field in ["oscc-device-attestation-1", device_id, unit_code, public_key] {
        hash.update((field.len() as u64).to_le_bytes());
        hash.update(field.as_bytes());
    }
    hash.finalize().into()
}

/// What the province signs when it revokes a device after its event `last_seq`.
pub fn revocation_digest(device_id: &str, last_seq: i64) -> [u8; 32] {
    let mut hash = Sha256::new();
    for field in ["oscc-device-revocation-1", device_id] {
        hash.update((field.len() as u64).to_le_bytes());
        hash.update(field.as_bytes());
    }
    hash.update(last_seq.to_le_bytes());
    hash.finalize().into()
}

/// The province key's signature revoking a device after its event `last_seq`, hex.
pub fn revoke(province: &SigningKey, device_id: &str, last_seq: i64) -> String {
    use ed25519_dalek::Signer;
    hex::encode(province.sign(&revocation_digest(device_id, last_seq)).to_bytes())
}

/// The province key's signature approving a device, hex.
pub fn attest(province: &SigningKey, device_id: &str, unit_code: &str, public_key: &str) -> String {
    use ed25519_dalek::Signer;
    hex::encode(
        province
            .sign(&attestation_digest(device_id, unit_code, public_key))
            .to_bytes(),
    )
}

/// How a person compares two province keys: the first 16 hex digits of the key's SHA-256, in
/// groups of four.
pub fn key_fingerprint(public_key: &str) -> String {
    let digest = hex::encode(Sha256::digest(public_key.as_bytes()));
    digest.as_bytes()[..16]
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `typed` (as a person copied it from paper: spaces and capitals do not matter) is the
/// fingerprint of `public_key`.
pub fn fingerprint_matches(public_key: &str, typed: &str) -> bool {
    let digits = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    digits(&key_fingerprint(public_key)) == digits(typed)
}

/// An Ed25519 public key from hex, or None.
pub fn public_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// An Ed25519 signature from hex, or None.
pub fn signature(hex_sig: &str) -> Option<Signature> {
    let bytes: [u8; 64] = hex::decode(hex_sig).ok()?.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

/// Whether each signature (hex) is the key's over the digest; None counts as not. Checked
/// together first (about twice as fast as one by one), and one by one only when that fails, to
/// tell which.
pub fn verify_each<'k>(items: impl IntoIterator<Item = Option<([u8; 32], &'k str, &'k VerifyingKey)>>) -> Vec<bool> {
    let parsed: Vec<Option<([u8; 32], Signature, VerifyingKey)>> = items
        .into_iter()
        .map(|item| {
            let (digest, sig, key) = item?;
            Some((digest, signature(sig)?, *key))
        })
        .collect();
    let present: Vec<&([u8; 32], Signature, VerifyingKey)> = parsed.iter().flatten().collect();
    let messages: Vec<&[u8]> = present.iter().map(|(digest, _, _)| digest.as_slice()).collect();
    let signatures: Vec<Signature> = present.iter().map(|(_, sig, _)| *sig).collect();
    let keys: Vec<VerifyingKey> = present.iter().map(|(_, _, key)| *key).collect();
    let all_good = present.is_empty() || ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
    parsed
        .iter()
        .map(|item| match item {
            None => false,
            Some(_) if all_good => true,
            Some((digest, sig, key)) => key.verify_strict(digest, sig).is_ok(),
        })
        .collect()
}

/// A device the province approved, as a laptop checks events by it.
#[derive(Debug, Clone)]
pub struct Attested {
    pub unit_code: String,
    pub key: VerifyingKey,
    /// Revoked by the province (its signature checked): events after this one are not taken.
    pub last_seq: Option<i64>,
}

impl Attested {
    /// Whether the device's event `device_seq` stands: it was not revoked before it.
    pub fn stands(&self, device_seq: i64) -> bool {
        self.last_seq.is_none_or(|last| device_seq <= last)
    }
}

/// The devices of `list` whose approval the province key `province` signed; the others are
/// left out (an event of theirs is set aside as signed by an unknown device).
pub fn attested(list: &DeviceList, province: &VerifyingKey) -> HashMap<String, Attested> {
    list.devices
        .iter()
        .filter_map(|entry| {
            let key = public_key(&entry.public_key)?;
            let approval = signature(&entry.attestation)?;
            let digest = attestation_digest(&entry.device_id, &entry.unit_code, &entry.public_key);
            province.verify_strict(&digest, &approval).ok()?;
            // A revocation the province key did not sign is no revocation.
            let last_seq = entry.revoked.as_ref().and_then(|r| {
                let signature = signature(&r.signature)?;
                province
                    .verify_strict(&revocation_digest(&entry.device_id, r.last_seq), &signature)
                    .ok()
                    .map(|()| r.last_seq)
            });
            Some((
                entry.device_id.clone(),
                Attested {
                    unit_code: entry.unit_code.clone(),
                    key,
                    last_seq,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn only_what_the_province_key_signed_is_attested() {
        let province = key(1);
        let device = hex::encode(key(2).verifying_key().to_bytes());
        let honest = DeviceEntry {
            device_id: "d1".into(),
            unit_code: "CPN".into(),
            public_key: device.clone(),
            attestation: attest(&province, "d1", "CPN", &device),
            revoked: None,
        };
        // The hub moved the device to another unit, swapped its key, or signed it itself.
        let moved = DeviceEntry {
            unit_code: "BKK".into(),
            device_id: "d2".into(),
            ..honest.clone()
        };
        let rogue = hex::encode(key(3).verifying_key().to_bytes());
        let swapped = DeviceEntry {
            device_id: "d3".into(),
            public_key: rogue.clone(),
            attestation: attest(&province, "d3", "CPN", &device),
            ..honest.clone()
        };
        let self_signed = DeviceEntry {
            device_id: "d4".into(),
            public_key: rogue.clone(),
            attestation: attest(&key(4), "d4", "CPN", &rogue),
            ..honest.clone()
        };
        let list = DeviceList {
            province_key: String::new(),
            devices: vec![honest, moved, swapped, self_signed],
        };
        let found = attested(&list, &province.verifying_key());
        assert_eq!(found.keys().collect::<Vec<_>>(), vec!["d1"]);
        assert_eq!(found["d1"].unit_code, "CPN");
    }

    #[test]
    fn only_a_revocation_the_province_signed_counts() {
        let province = key(1);
        let device = hex::encode(key(2).verifying_key().to_bytes());
        let entry = |revoked: Option<Revocation>| DeviceEntry {
            device_id: "d1".into(),
            unit_code: "CPN".into(),
            public_key: device.clone(),
            attestation: attest(&province, "d1", "CPN", &device),
            revoked,
        };
        let signed = Revocation {
            last_seq: 7,
            signature: revoke(&province, "d1", 7),
        };
        let moved = Revocation {
            last_seq: 9,
            ..signed.clone()
        };
        let forged = Revocation {
            last_seq: 7,
            signature: revoke(&key(5), "d1", 7),
        };
        for (revoked, last_seq) in [
            (Some(signed), Some(7)),
            (Some(moved), None),
            (Some(forged), None),
            (None, None),
        ] {
            let list = DeviceList {
                province_key: String::new(),
                devices: vec![entry(revoked)],
            };
            assert_eq!(attested(&list, &province.verifying_key())["d1"].last_seq, last_seq);
        }
    }

    #[test]
    fn the_approval_covers_where_each_field_ends() {
        assert_ne!(
            attestation_digest("d1", "CPN", "k"),
            attestation_digest("d", "1CPN", "k")
        );
    }
}
