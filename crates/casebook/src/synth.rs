//! Deterministic synthetic case books for tests and benchmarks: Thai-looking fictional people
//! built from syllables, never real people's names. The same seed gives the same book.

use crate::book::Casebook;
use crate::book::permissions::Session;
use crate::error::Result;
use crate::records::case::{CaseInput, Category, Risk, Source, ViolenceType};
use crate::records::person::{IdKind, PersonInput, Sex};
use crate::records::thai_id;
use crate::records::timeline::EntryKind;

/// SplitMix64: tiny, fast and deterministic; nothing here needs cryptographic randomness.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SYLLABLES: &[&str] = &[
    "กา",
    "ขวัญ",
    "จัน",
    "ทร์",
    "ดา",
    "รุ่ง",
    "ศรี",
    "สม",
    "ใจ",
    "มณี",
    "พร",
    "ทิพ",
    "วรร",
    "ณา",
    "ปิ",
    "ยะ",
    "นุช",
    "แก้ว",
    "ทอง",
    "บุญ",
    "ชัย",
    "วัฒ",
    "นา",
    "กุล",
    "ประ",
    "เสริฐ",
    "อุ",
    "ไร",
    "ลำ",
    "ดวง",
];
const SURNAME_ENDINGS: &[&str] = &["วงศ์", "สกุล", "ศักดิ์", "พันธ์", "รักษ์", "ธรรม"];
const PREFIXES: &[(&str, Sex, i64, i64)] = &[
    ("เด็กหญิง", Sex::Female, 3, 14),
    ("เด็กชาย", Sex::Male, 3, 14),
    ("นางสาว", Sex::Female, 15, 40),
    ("นาง", Sex::Female, 25, 80),
    ("นาย", Sex::Male, 18, 85),
];
const NOTES: &[&str] = &[
    "เยี่ยมบ้าน พบผู้รับบริการและมารดา สภาพบ้านปลอดภัย",
    "โทรติดตามอาการ นัดพบนักจิตวิทยาสัปดาห์หน้า",
    "ประสานโรงเรียนเรื่องการกลับเข้าเรียน",
    "ส่งต่อสถานีตำรวจเพื่อดำเนินคดี",
    "ให้คำปรึกษาครอบครัว ตกลงแผนความปลอดภัย",
];

fn word(rng: &mut Rng, syllables: u64) -> String {
    (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect()
}

/// A fictional person; `i` makes ID numbers unique.
pub fn person(rng: &mut Rng, i: u64) -> PersonInput {
    let (prefix, sex, min_age, max_age) = *rng.pick(PREFIXES);
    let given_len = 2 + rng.below(2);
    let given = word(rng, given_len);
    let family = format!("{}{}", word(rng, 2), rng.pick(SURNAME_ENDINGS));
    let age = min_age + rng.below((max_age - min_age) as u64) as i64;
    let (id_kind, id_number) = match rng.below(10) {
        0 => (IdKind::PinkCard, Some(format!("00{:011}", i))),
        1 => (IdKind::None, None),
        _ => {
            let mut first12 = [0u8; 12];
            first12[0] = 1 + rng.below(8) as u8;
            let mut n = i;
            for d in first12[1..].iter_mut().rev() {
                *d = (n % 10) as u8;
                n /= 10;
            }
            let check = thai_id::check_digit(&first12);
            let digits: String = first12
                .iter()
                .chain(std::iter::once(&check))
                .map(|d| char::from(b'0' + d))
                .collect();
            (IdKind::ThaiCitizen, Some(digits))
        }
    };
    PersonInput {
        name_th: Some(format!("{prefix}{given} {family}")),
        id_kind: Some(id_kind),
        id_number,
        estimated_age: Some(age),
        sex: Some(sex),
        languages: vec![if id_kind == IdKind::PinkCard {
            "my".into()
        } else {
            "th".into()
        }],
        needs_interpreter: id_kind == IdKind::PinkCard,
        phone: Some(format!("08{:08}", rng.below(100_000_000))),
        ..PersonInput::default()
    }
}

/// Adds `cases` cases (1.5 people and `notes_per_case` timeline entries each) through the
/// ordinary write path, `chunk` cases per transaction. `progress` hears the count so far.
pub fn populate(
    book: &mut Casebook,
    session: &Session,
    seed: u64,
    cases: u64,
    notes_per_case: u64,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let mut rng = Rng::new(seed);
    let chunk = 500;
    let mut done = 0;
    while done < cases {
        let upto = (done + chunk).min(cases);
        book.batch(|book| {
            for i in done..upto {
                let (client, _) = book.create_person(session, &person(&mut rng, i * 2))?;
                let case = book.create_case(
                    session,
                    &CaseInput {
                        client_id: client.clone(),
                        source: *rng.pick(&[
                            Source::Hotline1300,
                            Source::WalkIn,
                            Source::HospitalEr,
                            Source::Police,
                            Source::School,
                        ]),
                        categories: vec![*rng.pick(&[
                            Category::ViolenceChild,
                            Category::ViolenceWoman,
                            Category::TeenPregnancy,
                            Category::ViolenceElderly,
                            Category::Trafficking,
                        ])],
                        violence_types: vec![*rng.pick(&[
                            ViolenceType::Physical,
                            ViolenceType::Sexual,
                            ViolenceType::Psychological,
                            ViolenceType::Neglect,
                        ])],
                        risk: *rng.pick(&[Risk::Red, Risk::Yellow, Risk::Green]),
                        case_manager_id: None,
                        incident_at: None,
                        consent: None,
                        legal_basis: None,
                    },
                )?;
                if i % 2 == 0 {
                    book.create_person(session, &person(&mut rng, i * 2 + 1))?;
                }
                for _ in 0..notes_per_case {
                    book.add_timeline_entry(
                        session,
                        &case.id,
                        *rng.pick(&[EntryKind::Note, EntryKind::Call, EntryKind::HomeVisit]),
                        rng.pick::<&str>(NOTES),
                        "2026-01-15T09:00:00Z",
                    )?;
                }
            }
            Ok(())
        })?;
        done = upto;
        progress(done);
    }
    Ok(())
}

/// A walk-in case of violence against a woman, yellow risk, for `client_id`: the plainest
/// case to open in tests and benchmarks.
pub fn walk_in_case(client_id: &str) -> CaseInput {
    CaseInput {
        client_id: client_id.to_owned(),
        source: Source::WalkIn,
        categories: vec![Category::ViolenceWoman],
        violence_types: vec![],
        risk: Risk::Yellow,
        case_manager_id: None,
        incident_at: None,
        consent: None,
        legal_basis: None,
    }
}

/// One laptop of a fictional unit `CPN`, for tests and demos: a new book in `dir` with an
/// administrator `admin{suffix}` and a social worker `worker{suffix}` (both `passphrase`),
/// opened as the social worker. Usernames carry the suffix because a unit's laptops share
/// their users once they sync.
pub fn unit_laptop(dir: &std::path::Path, suffix: &str, passphrase: &str) -> Result<(Casebook, Session, Session)> {
    unit_book(dir, "CPN", suffix, passphrase)
}

/// `unit_laptop` of a unit that prints its documents in Thai digits (๐–๙), as the first run
/// offers.
pub fn unit_laptop_in_thai_digits(
    dir: &std::path::Path,
    suffix: &str,
    passphrase: &str,
) -> Result<(Casebook, Session, Session)> {
    laptop(dir, "CPN", suffix, passphrase, true)
}

/// `unit_laptop` for the unit `unit_code`.
pub fn unit_book(
    dir: &std::path::Path,
    unit_code: &str,
    suffix: &str,
    passphrase: &str,
) -> Result<(Casebook, Session, Session)> {
    laptop(dir, unit_code, suffix, passphrase, false)
}

fn laptop(
    dir: &std::path::Path,
    unit_code: &str,
    suffix: &str,
    passphrase: &str,
    thai_digits: bool,
) -> Result<(Casebook, Session, Session)> {
    let new = crate::book::NewBook {
        unit_code: unit_code.into(),
        thai_digits,
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        admin_username: format!("admin{suffix}"),
        admin_display_name: "ผู้ดูแล สมมุติ".into(),
        admin_passphrase: passphrase.into(),
        ..crate::book::NewBook::default()
    };
    let (mut book, admin, _) = Casebook::create(dir, &new, crate::store::keys::KdfParams::fast())?;
    book.set_kdf(crate::store::keys::KdfParams::fast());
    let worker = format!("worker{suffix}");
    add_user_signed_in(
        &mut book,
        &admin,
        &worker,
        "นักสังคม สมมุติ",
        crate::book::permissions::Role::SocialWorker,
        passphrase,
    )?;
    drop(book);
    let (book, session) = Casebook::unlock(dir, &worker, passphrase)?;
    Ok((book, admin, session))
}

/// A user added by the administrator who has since signed in and chosen `passphrase` (the
/// one the administrator set must be changed at the first sign-in).
pub fn add_user_signed_in(
    book: &mut Casebook,
    admin: &Session,
    username: &str,
    display_name: &str,
    role: crate::book::permissions::Role,
    passphrase: &str,
) -> Result<String> {
    let set_by_admin = format!("{passphrase} (set by the administrator)");
    let user_id = book.add_user(admin, username, display_name, role, &set_by_admin)?;
    let (mut theirs, session) = Casebook::unlock(book.dir(), username, &set_by_admin)?;
    theirs.set_kdf(book.kdf);
    theirs.change_passphrase(&session, &set_by_admin, passphrase)?;
    Ok(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people_and_valid_ids() {
        let a: Vec<_> = {
            let mut r = Rng::new(7);
            (0..50).map(|i| person(&mut r, i).name_th).collect()
        };
        let b: Vec<_> = {
            let mut r = Rng::new(7);
            (0..50).map(|i| person(&mut r, i).name_th).collect()
        };
        assert_eq!(a, b);
        let mut r = Rng::new(9);
        for i in 0..200 {
            let p = person(&mut r, i);
            if p.id_kind == Some(IdKind::ThaiCitizen) {
                let (_, check) = thai_id::validate("id", p.id_number.as_deref().unwrap()).unwrap();
                assert_eq!(check, thai_id::IdCheck::Valid);
            }
        }
    }
}
