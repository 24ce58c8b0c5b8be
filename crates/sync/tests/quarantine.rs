//! An event from a newer release waits in quarantine on an older laptop, whole, and is applied
//! once the laptop runs a release that reads it (two real encrypted books).

use casebook::records::agency::{Agency, AgencyType};
use casebook::store::schema_version;
use oscc_sync::{WireEvent, retry_quarantine};
use std::sync::Mutex;

const PASS: &str = "synthetic-passphrase-123";

#[test]
fn a_quarantined_event_is_applied_after_an_upgrade() {
    let root = std::env::temp_dir().join(format!("oscc-sync-quarantine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (a_dir, b_dir) = (root.join("a"), root.join("b"));
    std::fs::create_dir_all(&a_dir).unwrap();
    std::fs::create_dir_all(&b_dir).unwrap();
    let (mut a, _, a_worker) = casebook::synth::unit_laptop(&a_dir, "a", PASS).unwrap();
    let (b, _, b_worker) = casebook::synth::unit_laptop(&b_dir, "b", PASS).unwrap();
    a.add_agency(&a_worker, &Agency::new("บ้านพักรุ่นใหม่", AgencyType::Shelter))
        .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let wire: Vec<WireEvent> = a
        .events()
        .unwrap()
        .iter()
        .filter(|e| e.entity == casebook::log::entity::Entity::Agency)
        .map(|e| WireEvent::signed(e, &key))
        .collect();
    assert_eq!(wire.len(), 1);

    // B's build is one schema behind: the event is kept, not applied, not dropped.
    let older = schema_version() - 1;
    let b = Mutex::new(b);
    let got = b
        .lock()
        .unwrap()
        .receive(
            wire.into_iter()
                .map(|w| w.into_incoming(older, &casebook::log::events::schema_catalog().unwrap(), "b"))
                .collect(),
            1,
        )
        .unwrap();
    assert_eq!((got.applied, got.quarantined), (0, 1));
    assert!(b.lock().unwrap().agencies(&b_worker).unwrap().is_empty());
    assert_eq!(
        retry_quarantine(&b, older).unwrap().applied,
        0,
        "still unreadable by the old build"
    );

    // Upgraded: the same book applies it and the quarantine is empty.
    assert_eq!(retry_quarantine(&b, schema_version()).unwrap().applied, 1);
    let book = b.lock().unwrap();
    assert_eq!(book.agencies(&b_worker).unwrap()[0].record.name, "บ้านพักรุ่นใหม่");
    assert!(book.quarantined().unwrap().is_empty());
    drop(book);
    let _ = std::fs::remove_dir_all(&root);
}
