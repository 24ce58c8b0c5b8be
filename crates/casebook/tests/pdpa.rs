//! PDPA duties on a real encrypted book: a data-subject request answered within its 30 days,
//! a breach with its 72-hour clock marked notified, and a case purged after its retention
//! date by a supervisor (with its referral, consent ledger and signed form, assessment,
//! interpreted session and merged records): gone from the tables, the search, the files and
//! the event log, with only a
//! tombstone left in the audit log, the chain whole.

mod common;

use casebook::pdpa::{DutyStatus, RequestKind};
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::assessment::{Assessment, Stage};
use casebook::records::care::Domain;
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::interpreter::{InterpreterSession, Language};
use casebook::records::referral::{Referral, ReferralStatus, Urgency};
use casebook::{Casebook, Role};
use common::*;

const SUPERVISOR_PASS: &str = "หัวหน้า-passphrase-77";

#[test]
fn requests_breaches_and_a_purge_after_the_retention_date() {
    let dir = Dir::new("pdpa");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    book.add_user(&admin, "head", "หัวหน้า สมมุติ", Role::Supervisor, SUPERVISOR_PASS)
        .unwrap();
    let (client, _) = book.create_person(&worker, &person("ผู้ขอลบ ข้อมูลสมมุติ")).unwrap();
    let purged = book.create_case(&worker, &case_for(&client)).unwrap();
    book.add_timeline_entry(
        &worker,
        &purged.id,
        casebook::records::timeline::EntryKind::Note,
        "บันทึกที่ต้องลบ ลับมาก",
        &casebook::dates::now_iso(),
    )
    .unwrap();
    // What a case holds since consent and outcomes: a referral resting on a legal basis (a
    // ledger row), a signed consent form's scan, an assessment, an interpreted session, and
    // a second record of the client merged into hers.
    let agency = book
        .add_agency(&worker, &Agency::new("บ้านพักสมมุติ", AgencyType::Shelter))
        .unwrap();
    let basis = BasisGiven {
        basis: Basis::VitalInterest,
        reason: "เหตุผลที่ต้องลบ ลับมาก".into(),
    };
    let referral = book
        .create_referral(
            &worker,
            &Referral {
                urgency: Urgency::Normal,
                ..Referral::draft(&purged.id, &agency, "ส่งต่อที่ต้องลบ")
            },
            Some(&basis),
        )
        .unwrap();
    let ledger = book.consents(&worker, &purged.id).unwrap();
    let scan = b"%PDF-1.4\n% signed form of the purged client, synthetic: PurgedFormMarker\n".to_vec();
    let form = book.put_attachment(&worker, &scan).unwrap();
    book.attach_consent_form(&worker, &ledger[0].id, &form).unwrap();
    // The agency's reply slip, logged in the register of letters received with its scan.
    let slip = b"%PDF-1.4\n% reply slip about the purged client, synthetic: PurgedSlipMarker\n".to_vec();
    book.log_received_letter(
        &worker,
        &casebook::records::received::ReceivedLetterInput {
            received_on: casebook::dates::today().to_string(),
            their_number: None,
            their_date: None,
            sender_agency_id: Some(agency.clone()),
            sender: None,
            subject: "แบบตอบรับที่ต้องลบ".into(),
            referral_id: Some(referral),
            reply_status: Some(ReferralStatus::Accepted),
            reply: Some("คำตอบที่ต้องลบ".into()),
            case_id: None,
        },
        Some(&slip),
    )
    .unwrap();
    let slip = book
        .received_letters(&worker, i64::from(casebook::dates::be_year(casebook::dates::today())))
        .unwrap()[0]
        .record
        .scan_sha256
        .clone()
        .unwrap();
    book.record_assessment(
        &worker,
        &Assessment {
            case_id: purged.id.clone(),
            stage: Stage::Baseline,
            assessed_on: casebook::dates::today().to_string(),
            levels: [(Domain::Food, 1)].into_iter().collect(),
            note: Some("การประเมินที่ต้องลบ".into()),
            author_id: None,
        },
    )
    .unwrap();
    book.record_interpreter_session(
        &worker,
        &InterpreterSession {
            case_id: purged.id.clone(),
            held_on: casebook::dates::today().to_string(),
            language: Language::Burmese,
            language_other: None,
            interpreter: "ล่ามที่ต้องลบ".into(),
            agency: None,
            pledged: true,
            author_id: None,
        },
    )
    .unwrap();
    let mut spelling = person("ผู้ขอลบ สะกดอื่น");
    spelling.id_number = None;
    spelling.id_kind = Some(casebook::records::person::IdKind::None);
    let (second_record, _) = book.create_person(&worker, &spelling).unwrap();
    let (other, _) = book.create_person(&worker, &person("ผู้รับบริการ คงอยู่")).unwrap();
    let kept = book.create_case(&worker, &case_for(&other)).unwrap();
    drop(book);
    {
        let (mut book, head) = Casebook::unlock(dir.path(), "head", SUPERVISOR_PASS).unwrap();
        book.merge_people(&head, &client, &second_record, "คนเดียวกัน").unwrap();
    }
    let (mut book, head) = Casebook::unlock(dir.path(), "head", SUPERVISOR_PASS).unwrap();

    // A request names the person by a case number.
    assert_eq!(
        book.client_of_case_number(&head, &kept.case_number).unwrap().as_deref(),
        Some(other.as_str())
    );
    assert_eq!(book.client_of_case_number(&head, "CPN-2569-9999").unwrap(), None);

    // An access request: due in 30 days, answered.
    let today = casebook::dates::today();
    let request = book
        .log_data_subject_request(&head, Some(&other), RequestKind::Access, &today.to_string(), None)
        .unwrap();
    assert_eq!(request.record.due_on, (today + chrono::Duration::days(30)).to_string());
    assert!(matches!(
        book.answer_data_subject_request(&head, &request.id, DutyStatus::Done, " ").unwrap_err(),
        casebook::Error::Invalid(i) if i.field == "dsr.notes"
    ));
    book.answer_data_subject_request(&head, &request.id, DutyStatus::Done, "ส่งสำเนาให้แล้ว")
        .unwrap();
    let answered = &book.data_subject_requests(&head).unwrap()[0];
    assert_eq!(answered.record.status, DutyStatus::Done);
    assert_eq!(answered.record.answered_on.as_deref(), Some(today.to_string().as_str()));
    // Social workers do not handle these duties.
    assert!(matches!(
        book.breaches(&worker).unwrap_err(),
        casebook::Error::Forbidden(_)
    ));

    // A breach: notify within 72 hours, then marked notified.
    let breach = book
        .record_breach(&head, "2026-11-20T08:00:00+07:00", "โน้ตบุ๊กสูญหาย (เข้ารหัสไว้)")
        .unwrap();
    assert_eq!(breach.record.notify_by, "2026-11-23T01:00:00+00:00");
    book.breach_notified(&head, &breach.id).unwrap();
    let notified = &book.breaches(&head).unwrap()[0];
    assert_eq!(notified.record.status, DutyStatus::Done);
    assert!(notified.record.notified_at.is_some());

    // Retention: not yet due, the purge is refused and nothing changes.
    let next_year = format!("{}-01-01", chrono::Datelike::year(&today) + 544);
    book.set_retention_date(&head, &purged.id, &next_year).unwrap();
    assert!(book.due_for_purge(&head).unwrap().is_empty());
    assert!(matches!(
        book.purge_case(&head, &purged.id, "ครบกำหนด").unwrap_err(),
        casebook::Error::Invalid(i) if i.rule == casebook::Rule::NotYetDue
    ));
    // Due yesterday: listed, and only a supervisor may purge, with a reason.
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    book.set_retention_date(&head, &purged.id, &yesterday).unwrap();
    let due = book.due_for_purge(&head).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].case_number, purged.case_number);
    assert!(matches!(
        book.purge_case(&head, &purged.id, "  ").unwrap_err(),
        casebook::Error::Invalid(i) if i.field == "purge.reason"
    ));
    book.purge_case(&head, &purged.id, "ครบกำหนดเก็บรักษา 10 ปี").unwrap();

    // Gone: the case, its note, its client; the other case stays.
    drop(book);
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert!(book.open_case(&worker, &purged.id).is_err());
    assert!(book.search_cases(&worker, "ผู้ขอลบ", 10).unwrap().is_empty());
    assert!(book.search_cases(&worker, "ต้องลบ", 10).unwrap().is_empty());
    assert_eq!(book.search_cases(&worker, "คงอยู่", 10).unwrap().len(), 1);
    assert!(book.open_case(&worker, &kept.id).is_ok());
    // The event log keeps its sequence but no value of the purged records.
    let log = serde_json::to_string(&book.unpushed(100_000).unwrap()).unwrap();
    for secret in ["ผู้ขอลบ", "ต้องลบ", "1103702345679", "สะกดอื่น"] {
        if secret == "1103702345679" {
            // The other client has the same fictional ID: it must still be there once.
            assert_eq!(log.matches(secret).count(), 1);
        } else {
            assert!(!log.contains(secret), "{secret} still in the event log");
        }
    }
    // The signed form's scan went with its case.
    assert!(
        book.attachment(&worker, &form).is_err(),
        "the consent form's scan survived the purge"
    );
    // And the reply slip logged about it, with its scan.
    assert!(
        book.attachment(&worker, &slip).is_err(),
        "the reply slip's scan survived the purge"
    );
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    assert!(book.received_letters(&worker, year).unwrap().is_empty());
    // Rebuilding from the log does not bring it back.
    book.rebuild_from_log().unwrap();
    assert!(book.open_case(&worker, &purged.id).is_err());
    assert!(book.open_case(&worker, &kept.id).is_ok());
    drop(book);

    // The tombstone: number, reason and who; the audit chain is whole.
    let (mut book, head) = Casebook::unlock(dir.path(), "head", SUPERVISOR_PASS).unwrap();
    let figures = book.processing_figures(&head).unwrap();
    assert_eq!(
        (figures.open_cases, figures.closed_cases, figures.purged_cases),
        (1, 0, 1)
    );
    assert_eq!(
        (figures.requests_open, figures.requests_answered, figures.breaches),
        (0, 1, 1)
    );
    assert_eq!(figures.legal_bases, [("pdpa_s26".to_owned(), 1)]);
    let tombstones = book.purge_log(&head).unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        tombstones[0].detail.as_deref(),
        Some(format!("{}: ครบกำหนดเก็บรักษา 10 ปี", purged.case_number).as_str())
    );
    assert_eq!(tombstones[0].user_id.as_deref(), Some(head.user_id.as_str()));
    assert!(book.verify_audit().unwrap().is_ok());
    assert!(book.integrity_ok().unwrap());
}
