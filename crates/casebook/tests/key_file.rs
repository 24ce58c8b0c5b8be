//! The key file and its faults: a passphrase an administrator set is changed at the next
//! sign-in, a new master key leaves an old key file useless, a lost key file leads to the
//! recovery code and never to a new book, and neither a full disk nor a clock set back nor an
//! edited key file changes what the right (or a wrong) passphrase gets; one copy of the app
//! per data folder. Real encrypted files, the real OS keyring.

mod common;

use casebook::records::case_list::CaseFilter;
use casebook::store::keys::{KEY_FILE, RECOVERY_FILE};
use casebook::store::{DB_FILE, device, layout};
use casebook::{BookState, Casebook, Error, KdfParams, NewBook};
use common::*;
use serde_json::Value;
use std::path::Path;

fn key_file(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(KEY_FILE)).unwrap()).unwrap()
}

fn write_key_file(dir: &Path, keys: &Value) {
    std::fs::write(dir.join(KEY_FILE), serde_json::to_string_pretty(keys).unwrap()).unwrap();
}

fn case_count(book: &mut Casebook, session: &casebook::Session) -> usize {
    book.list_cases(session, &CaseFilter::default()).unwrap().len()
}

/// The book opened by the recovery administrator holds what it held: its users.
fn user_count(book: &Casebook, admin: &casebook::Session) -> usize {
    book.users(admin).unwrap().len()
}

/// A book whose worker has one case, locked.
fn book_with_a_case(dir: &Path) -> casebook::RecoveryCode {
    let (mut book, worker, _, recovery) = book_with_worker(dir);
    let (pid, _) = book.create_person(&worker, &person("นางสาวกุญแจ ทดสอบ")).unwrap();
    book.create_case(&worker, &case_for(&pid)).unwrap();
    recovery
}

#[test]
fn a_passphrase_an_administrator_set_must_be_changed_at_the_next_sign_in() {
    let dir = Dir::new("temporary");
    drop(book_with_worker(dir.path()));
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert!(book.must_change_passphrase(), "the administrator chose it");
    let same = book.change_passphrase(&worker, WORKER_PASS, WORKER_PASS).unwrap_err();
    assert!(
        matches!(&same, Error::Invalid(i) if i.rule == casebook::Rule::SameAsBefore),
        "{same:?}"
    );
    book.change_passphrase(&worker, WORKER_PASS, "ของฉันเอง-passphrase")
        .unwrap();
    assert!(!book.must_change_passphrase());
    drop(book);
    let (book, _) = Casebook::unlock(dir.path(), "worker", "ของฉันเอง-passphrase").unwrap();
    assert!(!book.must_change_passphrase(), "chosen by the user");
    assert!(Casebook::unlock(dir.path(), "worker", WORKER_PASS).is_err());
    drop(book);

    // A reset is temporary again; clearing the mark in the file breaks the slot instead of
    // skipping the change.
    let (mut book, admin) = Casebook::unlock(dir.path(), "admin", ADMIN_PASS).unwrap();
    book.set_kdf(KdfParams::fast());
    assert!(
        !book.must_change_passphrase(),
        "the administrator chose their own at the first run"
    );
    book.reset_passphrase(&admin, "worker", "ชั่วคราว-passphrase").unwrap();
    drop(book);
    let mut keys = key_file(dir.path());
    let slots = keys["slots"].as_array_mut().unwrap();
    let worker_slot = slots.iter_mut().find(|s| s["owner"]["username"] == "worker").unwrap();
    assert_eq!(worker_slot["temporary"], true);
    worker_slot.as_object_mut().unwrap().remove("temporary");
    write_key_file(dir.path(), &keys);
    let tampered = Casebook::unlock(dir.path(), "worker", "ชั่วคราว-passphrase")
        .err()
        .unwrap();
    assert!(matches!(tampered, Error::WrongSecret { .. }), "{tampered:?}");
}

#[test]
fn a_new_master_key_leaves_an_old_key_file_useless() {
    let dir = Dir::new("rekey");
    let recovery = book_with_a_case(dir.path());
    let old_keys = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
    let old_recovery_file = std::fs::read(dir.path().join(RECOVERY_FILE)).unwrap();

    let (mut book, admin) = Casebook::unlock(dir.path(), "admin", ADMIN_PASS).unwrap();
    let mut seen = Vec::new();
    let changed = book.change_master_key(&admin, |p| seen.push(p)).unwrap();
    assert_eq!(seen.last(), Some(&100), "progress reaches 100: {seen:?}");
    assert!(changed.recovery_code.is_none() && changed.users_to_reset.is_empty());
    drop(book);
    for left in std::fs::read_dir(dir.path()).unwrap() {
        let name = left.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".rekey"), "{name} left behind");
    }

    // Every user and the recovery code open the book under the new key with what they had.
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert_eq!(case_count(&mut book, &worker), 1);
    drop(book);

    // The old key file, with the worker's right passphrase and this device's secret, opens
    // nothing any more; nor does the old recovery file with the right code.
    let new_keys = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
    std::fs::write(dir.path().join(KEY_FILE), &old_keys).unwrap();
    let old = Casebook::unlock(dir.path(), "worker", WORKER_PASS).err().unwrap();
    assert!(matches!(old, Error::Corrupt(_)), "{old:?}");
    std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
    std::fs::write(dir.path().join(RECOVERY_FILE), &old_recovery_file).unwrap();
    let old = Casebook::unlock_with_recovery(dir.path(), &recovery.display())
        .err()
        .unwrap();
    assert!(matches!(old, Error::Corrupt(_)), "{old:?}");

    std::fs::write(dir.path().join(KEY_FILE), &new_keys).unwrap();
    let (book, admin) = Casebook::unlock_with_recovery(dir.path(), &recovery.display()).unwrap();
    assert_eq!(user_count(&book, &admin), 2);
}

#[test]
fn a_key_change_cut_short_leaves_the_old_book_or_the_new_one() {
    let dir = Dir::new("rekey-crash");
    book_with_a_case(dir.path());
    let old_keys = std::fs::read(dir.path().join(KEY_FILE)).unwrap();

    // Cut before the database was replaced: the copy and the new key files are left over.
    std::fs::copy(dir.path().join(DB_FILE), dir.path().join(format!("{DB_FILE}.rekey"))).unwrap();
    std::fs::write(dir.path().join(format!("{KEY_FILE}.rekey")), b"{\"half\": ").unwrap();
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert_eq!(case_count(&mut book, &worker), 1);
    assert!(!dir.path().join(format!("{KEY_FILE}.rekey")).exists());
    drop(book);

    // Cut after the database was replaced, before the key files followed.
    let (mut book, admin) = Casebook::unlock(dir.path(), "admin", ADMIN_PASS).unwrap();
    book.change_master_key(&admin, |_| {}).unwrap();
    drop(book);
    std::fs::rename(dir.path().join(KEY_FILE), dir.path().join(format!("{KEY_FILE}.rekey"))).unwrap();
    std::fs::write(dir.path().join(KEY_FILE), &old_keys).unwrap();
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert_eq!(case_count(&mut book, &worker), 1);
}

#[test]
fn a_lost_key_file_leads_to_recovery_never_to_a_new_book() {
    let dir = Dir::new("lost-keys");
    let recovery = book_with_a_case(dir.path());
    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::Ready);
    std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
    let database = std::fs::read(dir.path().join(DB_FILE)).unwrap();

    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::KeysLost);
    assert!(Casebook::exists(dir.path()));
    let new = NewBook {
        unit_code: "CPN".into(),
        unit_name: "ศูนย์ใหม่".into(),
        admin_username: "admin".into(),
        admin_display_name: "ผู้ดูแล ใหม่".into(),
        admin_passphrase: ADMIN_PASS.into(),
        ..NewBook::default()
    };
    assert!(matches!(
        Casebook::create(dir.path(), &new, KdfParams::fast()).err().unwrap(),
        Error::AlreadyExists
    ));
    assert!(Casebook::unlock(dir.path(), "admin", ADMIN_PASS).is_err());
    assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), database, "untouched");

    // A mistyped code leaves the folder as it was: no key file without the users' slots.
    assert!(Casebook::unlock_with_recovery(dir.path(), "AAAA-BBBB").is_err());
    assert!(!dir.path().join(KEY_FILE).exists());
    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::KeysLost);
    // The recovery code opens it through the recovery file, and the key file is back.
    let (book, admin) = Casebook::unlock_with_recovery(dir.path(), &recovery.display()).unwrap();
    assert_eq!(user_count(&book, &admin), 2);
    drop(book);
    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::Ready);

    // A damaged key file is lost too; so is a database without its key file's company.
    std::fs::write(dir.path().join(KEY_FILE), b"\x00\x01 not json").unwrap();
    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::KeysLost);
    let (mut book, admin) = Casebook::unlock_with_recovery(dir.path(), &recovery.display()).unwrap();
    assert_eq!(user_count(&book, &admin), 2);

    // A backup restores over a lost database; what was left is moved aside, not deleted.
    let usb = Dir::new("lost-keys-usb");
    let backup = book.backup_to(&admin, usb.path(), |_| {}).unwrap();
    drop(book);
    std::fs::remove_file(dir.path().join(DB_FILE)).unwrap();
    assert_eq!(Casebook::state(dir.path()).unwrap(), BookState::DatabaseLost);
    assert!(Casebook::restore(&backup, dir.path(), "AAAA-BBBB").is_err());
    assert_eq!(
        Casebook::state(dir.path()).unwrap(),
        BookState::DatabaseLost,
        "put back"
    );
    let (book, admin) = Casebook::restore(&backup, dir.path(), &recovery.display()).unwrap();
    assert_eq!(user_count(&book, &admin), 2);
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("damaged-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(aside[0].path().join(KEY_FILE).exists());
}

#[test]
fn a_full_disk_or_a_clock_set_back_never_blocks_the_right_passphrase() {
    let dir = Dir::new("faults");
    drop(book_with_worker(dir.path()));
    let book_id = key_file(dir.path())["book_id"].as_str().unwrap().to_owned();

    // The key file cannot be written (its temporary file's place is taken, as on a full disk).
    assert!(Casebook::unlock(dir.path(), "worker", "a-wrong-passphrase").is_err());
    let blocker = dir.path().join("casebook.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let (book, _) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    drop(book);
    std::fs::remove_dir(&blocker).unwrap();

    // A wrong try "tomorrow" (the clock was set back since) does not hold the right one back.
    let mut keys = key_file(dir.path());
    let tomorrow = chrono::Utc::now().timestamp() + 86_400;
    keys["throttle"] = serde_json::json!({"failures": 1, "last_failure_unix": tomorrow});
    write_key_file(dir.path(), &keys);
    device::store_tries(&book_id, (1, tomorrow)).unwrap();
    Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();

    // Wrong tries are counted in the keyring too: editing the key file does not end the wait.
    for _ in 0..2 {
        let _ = Casebook::unlock(dir.path(), "worker", "a-wrong-passphrase");
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let _ = Casebook::unlock(dir.path(), "worker", "a-wrong-passphrase");
    assert_eq!(device::load_tries(&book_id).map(|t| t.0), Some(3), "a wait of 2 s");
    let mut keys = key_file(dir.path());
    keys["throttle"] = serde_json::json!({"failures": 0, "last_failure_unix": 0});
    write_key_file(dir.path(), &keys);
    let waiting = Casebook::unlock(dir.path(), "worker", WORKER_PASS).err().unwrap();
    assert!(matches!(waiting, Error::TooSoon { .. }), "{waiting:?}");
}

#[test]
fn one_copy_of_the_app_per_data_folder() {
    let dir = common::Dir::new("instance");
    let first = layout::hold(dir.path()).unwrap();
    assert!(first.is_some());
    assert!(
        layout::hold(dir.path()).unwrap().is_none(),
        "a second copy is turned away"
    );
    drop(first);
    assert!(
        layout::hold(dir.path()).unwrap().is_some(),
        "free again once the first has gone"
    );
}
