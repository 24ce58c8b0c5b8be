//! Shared set-up for the integration tests: real encrypted files in a temp folder, the real OS
//! keyring (a throw-away gnome-keyring under `cargo xtask test`), synthetic people only.

#![allow(dead_code)]

use casebook::records::case::{CaseInput, Category, Risk, Source};
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::{Casebook, KdfParams, NewBook, RecoveryCode, Session};
use std::path::{Path, PathBuf};

pub const ADMIN_PASS: &str = "ผู้ดูแลระบบ-passphrase-1";
pub const WORKER_PASS: &str = "นักสังคม-passphrase-2";

pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(name: &str) -> Dir {
        let path = std::env::temp_dir().join(format!("casebook-test-{name}-{}-{}", std::process::id(), uuid_suffix()));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A new book with an administrator and one social worker; returns the worker's session.
pub fn book_with_worker(dir: &Path) -> (Casebook, Session, Session, RecoveryCode) {
    let new = NewBook {
        unit_code: "CPN".into(),
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลทดสอบ".into(),
        admin_username: "admin".into(),
        admin_display_name: "ผู้ดูแล ทดสอบ".into(),
        admin_passphrase: ADMIN_PASS.into(),
        ..NewBook::default()
    };
    let (mut book, admin, recovery) = Casebook::create(dir, &new, KdfParams::fast()).unwrap();
    book.set_kdf(KdfParams::fast());
    book.add_user(
        &admin,
        "worker",
        "นักสังคมสงเคราะห์ สมมุติ",
        casebook::Role::SocialWorker,
        WORKER_PASS,
    )
    .unwrap();
    let (book, worker) = {
        drop(book);
        Casebook::unlock(dir, "worker", WORKER_PASS).unwrap()
    };
    (book, worker, admin, recovery)
}

pub fn person(name_th: &str) -> PersonInput {
    PersonInput {
        name_th: Some(name_th.into()),
        name_latin: Some("Zyxqua Fictionalname".into()),
        id_kind: Some(IdKind::ThaiCitizen),
        id_number: Some("1103702345679".into()),
        birth_date: Some("2555-06-01".into()),
        sex: Some(Sex::Female),
        phone: Some("0899990000".into()),
        address: Some("99/9 หมู่ 9 ตำบลสมมุติ".into()),
        ..PersonInput::default()
    }
}

pub fn case_for(client_id: &str) -> CaseInput {
    CaseInput {
        client_id: client_id.into(),
        source: Source::HospitalEr,
        categories: vec![Category::ViolenceChild],
        violence_types: vec![casebook::records::case::ViolenceType::Physical],
        risk: Risk::Red,
        case_manager_id: None,
        incident_at: Some("2026-11-01T10:00:00+07:00".into()),
        consent: Some("guardian".into()),
        legal_basis: Some("pdpa_s26".into()),
    }
}
