//! A backup to a folder (a USB drive), restored into a new data folder as on another laptop
//! with only the recovery code: every case is there, and the copy holds no plaintext.

mod common;

use casebook::Casebook;
use common::*;

#[test]
fn a_backup_restores_on_a_new_laptop_with_the_recovery_code() {
    let dir = Dir::new("backup-source");
    let usb = Dir::new("backup-usb");
    let laptop = Dir::new("backup-new-laptop");
    let (mut book, worker, admin, recovery) = book_with_worker(dir.path());
    casebook::synth::populate(&mut book, &worker, 7, 300, 2, |_| {}).unwrap();
    let (client, _) = book.create_person(&worker, &person("ผู้รับบริการ สำรองข้อมูล")).unwrap();
    book.create_case(&worker, &case_for(&client)).unwrap();
    let cases = book.count_cases(&worker, &Default::default()).unwrap();
    assert_eq!(cases, 301);

    // Only supervisors and administrators back up.
    assert!(matches!(
        book.backup_to(&worker, usb.path(), |_| {}).unwrap_err(),
        casebook::Error::Forbidden(_)
    ));
    let mut told = Vec::new();
    let folder = book.backup_to(&admin, usb.path(), |p| told.push(p)).unwrap();
    assert_eq!(told.last(), Some(&100));
    assert!(told.windows(2).all(|w| w[0] <= w[1]), "progress goes forward: {told:?}");
    let bytes = std::fs::read(folder.join(casebook::store::DB_FILE)).unwrap();
    assert!(!bytes.windows("สำรองข้อมูล".len()).any(|w| w == "สำรองข้อมูล".as_bytes()));
    drop(book);

    // A new laptop: no device secret for this book in its keyring, only the recovery code.
    let target = laptop.path().join("data");
    // A mistyped code opens nothing and leaves the folder empty for the next try.
    let typo = "0".repeat(recovery.display().len());
    assert!(Casebook::restore(&folder, &target, &typo).is_err());
    assert!(!Casebook::exists(&target));
    let (mut restored, rescuer) = Casebook::restore(&folder, &target, &recovery.display()).unwrap();
    assert!(matches!(
        Casebook::restore(&folder, &target, &recovery.display()),
        Err(casebook::Error::AlreadyExists)
    ));
    restored
        .reset_passphrase(&rescuer, "worker", "รหัสผ่านใหม่-บนเครื่องใหม่")
        .unwrap();
    drop(restored);
    let (mut restored, worker) = Casebook::unlock(&target, "worker", "รหัสผ่านใหม่-บนเครื่องใหม่").unwrap();
    assert_eq!(restored.count_cases(&worker, &Default::default()).unwrap(), cases);
    assert_eq!(restored.search_cases(&worker, "สำรองข้อมูล", 10).unwrap().len(), 1);
    assert!(restored.verify_audit().unwrap().is_ok());
}
