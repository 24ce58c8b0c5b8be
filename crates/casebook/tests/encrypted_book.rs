//! The case book on disk: encrypted, keyed by passphrase + device, recoverable, consistent.

mod common;

use casebook::records::case::Status;
use casebook::records::case_list::CaseFilter;
use casebook::records::timeline::EntryKind;
use casebook::store::keys::{KEY_FILE, MasterKey};
use casebook::store::{self, DB_FILE};
use casebook::{Casebook, Error, Role};
use common::*;

#[test]
fn the_file_holds_no_plaintext_of_a_name() {
    let dir = Dir::new("plaintext");
    {
        let (mut book, worker, _, _) = book_with_worker(dir.path());
        let (pid, _) = book.create_person(&worker, &person("เด็กหญิงกุหลาบสมมุติ ทดสอบลับ")).unwrap();
        let case = book.create_case(&worker, &common::case_for(&pid)).unwrap();
        book.add_timeline_entry(
            &worker,
            &case.id,
            EntryKind::Note,
            "บันทึกลับเฉพาะ Qwertyplaintext",
            "2026-11-02T09:00:00+07:00",
        )
        .unwrap();
    }
    let mut bytes = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("casebook.db-wal")) {
        bytes.extend(wal);
    }
    assert!(bytes.len() > 10_000, "the database has content");
    for secret in [
        "กุหลาบสมมุติ".as_bytes(),
        b"Zyxqua",
        b"Qwertyplaintext",
        b"1103702345679",
        b"SQLite format 3",
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "plaintext found in the file"
        );
    }
    let keys = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
    assert!(!keys.contains("กุหลาบ") && !keys.contains(ADMIN_PASS));
}

#[test]
fn a_wrong_key_does_not_open_the_file() {
    let dir = Dir::new("wrongkey");
    drop(book_with_worker(dir.path()));
    let err = store::open(dir.path(), &MasterKey::random().unwrap()).unwrap_err();
    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
}

#[test]
fn wrong_passphrase_is_refused_with_a_growing_wait() {
    let dir = Dir::new("passphrase");
    drop(book_with_worker(dir.path()));
    let first = Casebook::unlock(dir.path(), "worker", "not-the-passphrase")
        .err()
        .unwrap();
    assert!(matches!(first, Error::WrongSecret { retry_after_secs: 0 }), "{first:?}");
    let second = Casebook::unlock(dir.path(), "worker", "still-not-it!").err().unwrap();
    assert!(
        matches!(second, Error::WrongSecret { retry_after_secs: 1 }),
        "{second:?}"
    );
    // Even the right passphrase waits its turn, and the wait survives a restart (it is on disk).
    let early = Casebook::unlock(dir.path(), "worker", WORKER_PASS).err().unwrap();
    assert!(matches!(early, Error::TooSoon { .. }), "{early:?}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, session) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert_eq!(session.role, Role::SocialWorker);
    assert!(matches!(
        Casebook::unlock(dir.path(), "nobody", WORKER_PASS).err().unwrap(),
        Error::UnknownUser
    ));
}

#[test]
fn passphrase_change_and_user_removal() {
    let dir = Dir::new("users");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    book.change_passphrase(&worker, WORKER_PASS, "ใหม่กว่าเดิม-123456")
        .unwrap();
    assert!(matches!(
        book.change_passphrase(&worker, "wrong-old-pass", "x".repeat(12).as_str())
            .unwrap_err(),
        Error::WrongSecret { .. }
    ));
    assert!(matches!(
        book.remove_user(&worker, "admin").unwrap_err(),
        Error::Forbidden(_)
    ));
    book.remove_user(&admin, "worker").unwrap();
    drop(book);
    assert!(matches!(
        Casebook::unlock(dir.path(), "worker", "ใหม่กว่าเดิม-123456")
            .err()
            .unwrap(),
        Error::UnknownUser
    ));
    Casebook::unlock(dir.path(), "admin", ADMIN_PASS).unwrap();
}

#[test]
fn recovery_code_opens_the_book_on_a_machine_without_the_device_secret() {
    let dir = Dir::new("recovery");
    let (mut book, worker, _, recovery) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("นางสาวทดลอง กู้คืน")).unwrap();
    let case = book.create_case(&worker, &common::case_for(&pid)).unwrap();
    drop(book);

    // A new laptop: the folder is copied, the OS keyring has no device secret for it.
    let new_machine = Dir::new("recovery-new");
    for file in [DB_FILE, KEY_FILE] {
        std::fs::copy(dir.path().join(file), new_machine.path().join(file)).unwrap();
    }
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new_machine.path().join(KEY_FILE)).unwrap()).unwrap();
    let book_id = keys["book_id"].as_str().unwrap();
    keyring::Entry::new("org.oscc.casebook", &format!("device-secret:{book_id}"))
        .unwrap()
        .delete_credential()
        .unwrap();
    assert!(matches!(
        Casebook::unlock(new_machine.path(), "worker", WORKER_PASS)
            .err()
            .unwrap(),
        Error::DeviceSecretMissing
    ));

    assert!(matches!(
        Casebook::unlock_with_recovery(new_machine.path(), "AAAA-BBBB")
            .err()
            .unwrap(),
        Error::WrongSecret { .. }
    ));
    let typed = recovery.display().to_lowercase();
    let (mut book, admin) = Casebook::unlock_with_recovery(new_machine.path(), &typed).unwrap();
    book.set_kdf(casebook::KdfParams::fast());
    book.reset_passphrase(&admin, "worker", "หลังกู้คืน-passphrase").unwrap();
    drop(book);
    let (mut book, worker) = Casebook::unlock(new_machine.path(), "worker", "หลังกู้คืน-passphrase").unwrap();
    assert_eq!(
        book.open_case(&worker, &case.id).unwrap().case.case_number,
        case.case_number
    );
}

#[test]
fn state_rebuilt_from_the_event_log_is_the_same_state() {
    let dir = Dir::new("rebuild");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    for i in 0..5 {
        let (pid, _) = book
            .create_person(&worker, &person(&format!("ผู้รับบริการสมมุติ{i}")))
            .unwrap();
        let case = book.create_case(&worker, &common::case_for(&pid)).unwrap();
        book.add_timeline_entry(
            &worker,
            &case.id,
            EntryKind::HomeVisit,
            "เยี่ยมบ้าน",
            "2026-11-03T09:00:00+07:00",
        )
        .unwrap();
        book.change_status(&worker, &case.id, Status::Assessment, "ประเมินแล้ว")
            .unwrap();
        let mut edited = person(&format!("ผู้รับบริการแก้ไข{i}"));
        edited.phone = None;
        book.update_person(&worker, &pid, &edited).unwrap();
    }
    let before = book.state_hash().unwrap();
    let events = book.events().unwrap();
    // Contiguous per device from 1, one per mutation.
    let seqs: Vec<i64> = events
        .iter()
        .filter(|e| e.device_id == book.device_id())
        .map(|e| e.device_seq)
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    book.rebuild_from_log().unwrap();
    assert_eq!(book.state_hash().unwrap(), before);
    assert_eq!(book.list_cases(&worker, &CaseFilter::default()).unwrap().len(), 5);
    // Every mutation also wrote an audit entry, and the chain is whole.
    let audited = book.verify_audit().unwrap().unwrap();
    assert!(
        audited >= events.len() as i64,
        "{audited} audit entries for {} events",
        events.len()
    );
}

#[test]
fn case_numbers_follow_unit_and_buddhist_year() {
    let dir = Dir::new("numbers");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("ผู้รับบริการเลขที่")).unwrap();
    let a = book.create_case(&worker, &common::case_for(&pid)).unwrap();
    let b = book.create_case(&worker, &common::case_for(&pid)).unwrap();
    let year = casebook::dates::be_year(casebook::dates::today());
    assert_eq!(a.case_number, format!("CPN-{year}-0001"));
    assert_eq!(b.case_number, format!("CPN-{year}-0002"));
    assert_eq!(a.status, Status::Intake);
    let unit = book.unit().unwrap();
    assert_eq!(
        (unit.code.as_str(), unit.org_type),
        ("CPN", casebook::OrgType::HospitalOscc)
    );
}

#[test]
fn the_clock_continues_past_the_log_after_reopening() {
    let dir = Dir::new("clock");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("ผู้รับบริการ นาฬิกา")).unwrap();
    let newest_before = book.events().unwrap().into_iter().map(|e| e.hlc).max().unwrap();
    drop(book);
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    book.create_case(&worker, &case_for(&pid)).unwrap();
    let newest_after = book.events().unwrap().into_iter().map(|e| e.hlc).max().unwrap();
    assert!(newest_after > newest_before);
}
