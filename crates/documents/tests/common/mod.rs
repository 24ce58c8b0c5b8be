//! A unit's book with one case worked on, in a temp folder (the real OS keyring: a throw-away
//! gnome-keyring under `cargo xtask test`), and the text poppler reads back from a document.

use casebook::records::agency::{Agency, AgencyType};
use casebook::records::care::{CarePlanGoal, Domain, GoalStatus};
use casebook::records::case::{Case, CaseInput, Category, Risk, Source, ViolenceType};
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::records::referral::{Referral, Urgency};
use casebook::records::timeline::EntryKind;
use casebook::{Casebook, Session};

// What the letters crate's tests read PDFs with: one reader of PDFs for every crate.
#[path = "../../../letters/tests/common/mod.rs"]
mod pdf;

pub const PASSPHRASE: &str = "ทดสอบเอกสาร-passphrase-1";
pub const CLIENT_NAME: &str = "ด.ญ. ขวัญใจ ทดสอบดี";
pub const AGENCY_NAME: &str = "บ้านพักเด็กและครอบครัวจังหวัดสมมุติ";

pub struct Desk {
    pub book: Casebook,
    pub admin: Session,
    pub worker: Session,
    pub case: Case,
    /// The partner agency the referral goes to.
    pub agency_id: String,
    /// A draft referral of the case to the agency above.
    pub referral_id: String,
    /// Last, so that the book is closed before its folder goes.
    pub dir: pdf::Scratch,
}

/// A new book opened as its social worker, with one case: client, a timeline note, a care-plan
/// goal and a referral.
pub fn desk(name: &str) -> Desk {
    desk_of(name, false)
}

/// `desk` of a unit that prints its documents in Thai digits.
pub fn thai_digits_desk(name: &str) -> Desk {
    desk_of(name, true)
}

fn desk_of(name: &str, thai_digits: bool) -> Desk {
    let dir = pdf::Scratch::new(name);
    let laptop = match thai_digits {
        true => casebook::synth::unit_laptop_in_thai_digits,
        false => casebook::synth::unit_laptop,
    };
    let (mut book, admin, worker) = laptop(&dir.0, "", PASSPHRASE).unwrap();
    let client = PersonInput {
        name_th: Some(CLIENT_NAME.into()),
        id_kind: Some(IdKind::ThaiCitizen),
        id_number: Some("1103702345679".into()),
        birth_date: Some("2555-06-01".into()),
        sex: Some(Sex::Female),
        phone: Some("0899990000".into()),
        languages: vec!["th".into(), "my".into()],
        ..PersonInput::default()
    };
    let (client_id, _) = book.create_person(&worker, &client).unwrap();
    let case = book
        .create_case(
            &worker,
            &CaseInput {
                client_id,
                source: Source::School,
                violence_types: vec![ViolenceType::Physical],
                categories: vec![Category::ViolenceChild],
                risk: Risk::Red,
                case_manager_id: None,
                incident_at: None,
                consent: None,
                legal_basis: None,
            },
        )
        .unwrap();
    book.add_timeline_entry(
        &worker,
        &case.id,
        EntryKind::HomeVisit,
        "เยี่ยมบ้าน ผู้รับบริการปลอดภัย",
        "2026-01-15T09:00:00Z",
    )
    .unwrap();
    book.add_goal(
        &worker,
        &CarePlanGoal {
            case_id: case.id.clone(),
            domain: Domain::Safety,
            goal: "ย้ายไปอยู่กับยาย".into(),
            agency_id: None,
            due_date: None,
            status: GoalStatus::Open,
            outcome: None,
            review_on: None,
        },
    )
    .unwrap();
    let agency_id = book
        .add_agency(
            &worker,
            &Agency {
                name: AGENCY_NAME.into(),
                agency_type: AgencyType::Shelter,
                address: None,
                contacts: vec![],
                services: vec!["ที่พักชั่วคราว".into()],
                mission: None,
                hub_unit: None,
                addressee: None,
                salutation: Default::default(),
                retired: false,
            },
        )
        .unwrap();
    let referral_id = book
        .create_referral(
            &worker,
            &Referral {
                services: vec!["ที่พักชั่วคราว".into()],
                urgency: Urgency::VeryUrgent,
                ..Referral::draft(&case.id, &agency_id, "คุ้มครองชั่วคราว")
            },
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    Desk {
        book,
        admin,
        worker,
        case,
        agency_id,
        referral_id,
        dir,
    }
}

/// The document's text as poppler reads it from the file, its spaces collapsed to one.
pub fn text(document: &documents::Document) -> String {
    let bytes = document.render().unwrap();
    let text = if document.file_name().ends_with(".pdf") {
        pdf::pdftotext(&bytes)
    } else {
        String::from_utf8(bytes).unwrap()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A PDF document's text page by page, each page's words joined by single spaces.
pub fn pages(document: &documents::Document) -> Vec<String> {
    pdf::pdftotext(&document.render().unwrap())
        .split('\x0c')
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|page| !page.is_empty())
        .collect()
}

/// How many exports of the case the audit log holds.
pub fn exports(desk: &Desk) -> usize {
    let trail = desk.book.case_audit(&desk.worker, &desk.case.id).unwrap();
    trail.iter().filter(|e| e.action == "case.export").count()
}
