//! The register of letters received (ทะเบียนหนังสือรับ): a returned reply slip answers its
//! referral, numbers run on per laptop and year, the scan is kept encrypted, bad input names
//! its field and rule, and the letters travel to the unit's other laptops like any record.

mod common;

use casebook::records::agency::{Agency, AgencyType};
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::received::ReceivedLetterInput;
use casebook::records::referral::{Referral, ReferralStatus};
use casebook::sync::receive::Incoming;
use casebook::{Casebook, Error, Rule, Session};
use common::*;

/// A scanned reply slip (a PDF is kept as it is), with a marker to look for on disk.
const SLIP: &[u8] = b"%PDF-1.4\n% reply slip of a fictional referral: ReplySlipMarker7731\n";

/// A case of a synthetic client with a referral to a shelter marked sent; the referral's id.
fn sent_referral(book: &mut Casebook, worker: &Session) -> (String, String) {
    let (client, _) = book.create_person(worker, &person("เด็กหญิงทดลอง สมมุติ")).unwrap();
    let case = book.create_case(worker, &case_for(&client)).unwrap();
    let shelter = book
        .add_agency(worker, &Agency::new("บ้านพักเด็กและครอบครัวสมมุติ", AgencyType::Shelter))
        .unwrap();
    let basis = BasisGiven {
        basis: Basis::VitalInterest,
        reason: "ความปลอดภัยของเด็ก".into(),
    };
    let referral = Referral::draft(&case.id, &shelter, "ต้องการที่พักปลอดภัย");
    let id = book.create_referral(worker, &referral, Some(&basis)).unwrap();
    book.update_referral(worker, &id, ReferralStatus::Sent, None).unwrap();
    (id, shelter)
}

/// The returned slip of `referral` from `agency`: accepted, with what it says.
fn reply_slip(referral: &str, agency: &str) -> ReceivedLetterInput {
    let today = casebook::dates::today();
    ReceivedLetterInput {
        received_on: today.to_string(),
        their_number: Some("บพ 0001/77".into()),
        their_date: Some((today - chrono::Duration::days(2)).to_string()),
        sender_agency_id: Some(agency.into()),
        sender: None,
        subject: "แบบตอบรับการส่งต่อ".into(),
        referral_id: Some(referral.into()),
        reply_status: Some(ReferralStatus::Accepted),
        reply: Some("รับเข้าบ้านพักแล้ว นัดประเมินวันจันทร์".into()),
        case_id: None,
    }
}

/// A partner's letter about no referral, from a sender typed by hand.
fn letter_from(sender: &str) -> ReceivedLetterInput {
    ReceivedLetterInput {
        received_on: casebook::dates::today().to_string(),
        their_number: None,
        their_date: None,
        sender_agency_id: None,
        sender: Some(sender.into()),
        subject: "เชิญประชุมเครือข่าย".into(),
        referral_id: None,
        reply_status: None,
        reply: None,
        case_id: None,
    }
}

fn invalid(result: casebook::Result<String>) -> (String, Rule) {
    match result {
        Err(Error::Invalid(i)) => (i.field, i.rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn a_received_letter_updates_its_referral() {
    let dir = Dir::new("received");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (referral, shelter) = sent_referral(&mut book, &worker);

    let id = book
        .log_received_letter(&worker, &reply_slip(&referral, &shelter), Some(SLIP))
        .unwrap();

    // The referral is answered, in the same step.
    let answered = book.referral(&worker, &referral).unwrap().record;
    assert_eq!(answered.status, ReferralStatus::Accepted);
    assert_eq!(answered.reply.as_deref(), Some("รับเข้าบ้านพักแล้ว นัดประเมินวันจันทร์"));
    // The register: the first of the year on this laptop, in the referral's case.
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    let register = book.received_letters(&worker, year).unwrap();
    assert_eq!(register.len(), 1);
    let logged = &register[0].record;
    assert_eq!((register[0].id.as_str(), logged.number), (id.as_str(), 1));
    assert_eq!(logged.case_id, Some(answered.case_id.clone()));
    assert_eq!(logged.author_id.as_deref(), Some(worker.user_id.as_str()));
    assert_eq!(logged.reply_status, Some(ReferralStatus::Accepted));

    // The next ones number on; one about no referral stands outside any case.
    book.log_received_letter(&worker, &letter_from("สำนักงานพัฒนาสังคมจังหวัดสมมุติ"), None)
        .unwrap();
    book.log_received_letter(&worker, &letter_from("โรงเรียนบ้านสมมุติ"), None)
        .unwrap();
    let register = book.received_letters(&worker, year).unwrap();
    let numbers: Vec<i64> = register.iter().map(|l| l.record.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(register[1].record.case_id, None);
    assert_eq!(register[1].record.sender.as_deref(), Some("สำนักงานพัฒนาสังคมจังหวัดสมมุติ"));
    // A court's request about the case answers no referral: it lives in the case, and the
    // referral keeps its answer.
    let request = ReceivedLetterInput {
        case_id: Some(answered.case_id.clone()),
        subject: "ขอข้อมูลประกอบการพิจารณาคดี".into(),
        ..letter_from("ศาลเยาวชนและครอบครัวจังหวัดสมมุติ")
    };
    book.log_received_letter(&worker, &request, None).unwrap();
    let register = book.received_letters(&worker, year).unwrap();
    assert_eq!(register[3].record.case_id, Some(answered.case_id.clone()));
    assert_eq!(register[3].record.reply_status, None);
    assert_eq!(
        book.referral(&worker, &referral).unwrap().record.status,
        ReferralStatus::Accepted
    );
    let unknown = ReceivedLetterInput {
        case_id: Some("no-such-case".into()),
        ..letter_from("ศาลสมมุติ")
    };
    assert!(
        book.log_received_letter(&worker, &unknown, None).is_err(),
        "a case this book does not hold"
    );

    // The scan comes back whole, and is nowhere on disk in clear.
    let scan = logged.scan_sha256.clone().expect("the scan is attached");
    assert_eq!(
        book.attachment(&worker, &scan).unwrap(),
        ("application/pdf".to_owned(), SLIP.to_vec())
    );
    // The register tells a PDF (to the viewer) from a photo (in the page) without a second
    // look at it.
    let info = book.attachment_info(&worker, &scan).unwrap();
    assert_eq!((info.mime.as_str(), info.size), ("application/pdf", SLIP.len() as i64));
    book.maintain().unwrap();
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(20).any(|w| w == b"ReplySlipMarker7731\n"),
            "the scan is in clear on disk"
        );
    }

    // A worker cannot cancel a letter logged; a supervisor can, with a reason.
    assert!(matches!(
        book.cancel_received_letter(&worker, &register[2].id, "ลงซ้ำ"),
        Err(Error::Forbidden(_))
    ));
    book.add_user(
        &admin,
        "head",
        "หัวหน้า สมมุติ",
        casebook::Role::Supervisor,
        "หัวหน้า-passphrase-9",
    )
    .unwrap();
    drop(book);
    let (mut book, head) = Casebook::unlock(dir.path(), "head", "หัวหน้า-passphrase-9").unwrap();
    assert!(matches!(
        book.cancel_received_letter(&head, &register[2].id, " "),
        Err(Error::Invalid(i)) if i.field == "received_letter.cancel_reason" && i.rule == Rule::Required
    ));
    book.cancel_received_letter(&head, &register[2].id, "ลงทะเบียนซ้ำ")
        .unwrap();
    let cancelled = &book.received_letters(&head, year).unwrap()[2].record;
    assert!(cancelled.cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("ลงทะเบียนซ้ำ"));
    // A cancelled number is never given again.
    book.log_received_letter(&head, &letter_from("ศาลเยาวชนและครอบครัวจังหวัดสมมุติ"), None)
        .unwrap();
    assert_eq!(book.received_letters(&head, year).unwrap()[4].record.number, 5);
    // Logging, the referral's answer and the cancel are in the audit, by id only.
    let audit = book
        .audit_log(&head, &casebook::book::audit_view::AuditFilter::default(), 200)
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|row| row.action.as_str()).collect();
    for action in ["received_letter.log", "referral.update", "received_letter.cancel"] {
        assert!(actions.contains(&action), "{action} not audited: {actions:?}");
    }
    let looks = actions.iter().filter(|a| **a == "attachment.view").count();
    assert_eq!(looks, 1, "the scan was seen once: {actions:?}");
    assert!(
        audit
            .iter()
            .all(|row| !row.detail.as_deref().unwrap_or("").contains("รับเข้าบ้านพัก"))
    );
    assert!(book.verify_audit().unwrap().is_ok());
}

#[test]
fn bad_input_names_its_field_and_rule() {
    let dir = Dir::new("received-invalid");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (referral, shelter) = sent_referral(&mut book, &worker);
    let slip = reply_slip(&referral, &shelter);
    let tomorrow = (casebook::dates::today() + chrono::Duration::days(1)).to_string();
    let cases: Vec<(ReceivedLetterInput, &str, Rule)> = vec![
        (
            ReceivedLetterInput {
                received_on: "31/02/2569".into(),
                ..slip.clone()
            },
            "received_letter.received_on",
            Rule::NotADate,
        ),
        (
            ReceivedLetterInput {
                received_on: tomorrow.clone(),
                ..slip.clone()
            },
            "received_letter.received_on",
            Rule::InFuture,
        ),
        (
            // Dated after it came.
            ReceivedLetterInput {
                their_date: Some(tomorrow),
                ..slip.clone()
            },
            "received_letter.their_date",
            Rule::InFuture,
        ),
        (
            ReceivedLetterInput {
                sender_agency_id: None,
                sender: Some("  ".into()),
                ..slip.clone()
            },
            "received_letter.sender",
            Rule::Required,
        ),
        (
            ReceivedLetterInput {
                subject: " ".into(),
                ..slip.clone()
            },
            "received_letter.subject",
            Rule::Required,
        ),
        (
            ReceivedLetterInput {
                reply_status: None,
                ..slip.clone()
            },
            "received_letter.reply_status",
            Rule::Required,
        ),
        (
            // Sent is the unit's own step, not an agency's reply.
            ReceivedLetterInput {
                reply_status: Some(ReferralStatus::Sent),
                ..slip.clone()
            },
            "received_letter.reply_status",
            Rule::OutOfRange,
        ),
    ];
    for (input, field, rule) in cases {
        assert_eq!(
            invalid(book.log_received_letter(&worker, &input, None)),
            (field.to_owned(), rule)
        );
    }
    // A scan that is neither a photo nor a PDF: refused, nothing logged, the referral as it was.
    assert_eq!(
        invalid(book.log_received_letter(&worker, &slip, Some(b"GIF89a not a scan"))),
        ("attachment.file".to_owned(), Rule::NotAPhotoOrPdf)
    );
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    assert!(book.received_letters(&worker, year).unwrap().is_empty());
    assert_eq!(
        book.referral(&worker, &referral).unwrap().record.status,
        ReferralStatus::Sent
    );
}

/// What laptop `from` wrote, as the hub would deliver it from unit CPN.
fn delivered(from: &Casebook) -> Vec<Incoming> {
    from.events()
        .unwrap()
        .into_iter()
        .map(|event| Incoming::Event {
            event,
            writer: Some("CPN".into()),
        })
        .collect()
}

#[test]
fn letters_received_travel_to_the_units_other_laptops_with_their_scans() {
    let (dir_a, dir_b) = (Dir::new("received-a"), Dir::new("received-b"));
    let (mut a, _, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let (referral, shelter) = sent_referral(&mut a, &wa);
    a.log_received_letter(&wa, &reply_slip(&referral, &shelter), Some(SLIP))
        .unwrap();
    a.log_received_letter(&wa, &letter_from("สถานีตำรวจภูธรสมมุติ"), None)
        .unwrap();
    // Laptop b logs its own, numbered by itself.
    b.log_received_letter(&wb, &letter_from("เทศบาลตำบลสมมุติ"), None)
        .unwrap();

    let report = b.receive(delivered(&a), 1).unwrap();
    assert_eq!(report.quarantined, 0);
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    let register = b.received_letters(&wb, year).unwrap();
    let mut numbers: Vec<(String, i64)> = register
        .iter()
        .map(|l| (l.record.device_id.clone(), l.record.number))
        .collect();
    numbers.sort();
    let mut expected = vec![
        (a.device_id().to_owned(), 1),
        (a.device_id().to_owned(), 2),
        (b.device_id().to_owned(), 1),
    ];
    expected.sort();
    assert_eq!(numbers, expected, "each laptop's own numbers, none given twice");
    assert_eq!(
        b.referral(&wb, &referral).unwrap().record.status,
        ReferralStatus::Accepted
    );
    // A letter logged outside any case stays outside: a later event moving it into a case is
    // set aside, as is an edit by another unit.
    let outside = register
        .iter()
        .find(|l| l.record.case_id.is_none() && l.record.device_id == a.device_id())
        .unwrap();
    let created = a
        .events()
        .unwrap()
        .into_iter()
        .find(|e| e.entity_id == outside.id)
        .unwrap();
    let seq = a.events().unwrap().len() as i64;
    let forged = |n: i64, field: &str, value: serde_json::Value, writer: &str| {
        let mut event = created.clone();
        event.event_id = format!("{}-forged-{n}", event.event_id);
        event.device_seq = seq + n;
        event.hlc = event.hlc.replacen("-00000-", &format!("-{n:05}-"), 1);
        event.fields = [(field.to_owned(), value)].into_iter().collect();
        // Written in no user's name: only the unit decides.
        event.user_id = None;
        Incoming::Event {
            event,
            writer: Some(writer.into()),
        }
    };
    let case_id = serde_json::json!(register.iter().find_map(|l| l.record.case_id.clone()).unwrap());
    let report = b
        .receive(
            vec![
                forged(1, "case_id", case_id, "CPN"),
                forged(2, "subject", serde_json::json!("แก้โดยหน่วยอื่น"), "BKK"),
            ],
            2,
        )
        .unwrap();
    assert_eq!(report.quarantined, 2);
    let kept = b.received_letters(&wb, year).unwrap();
    let kept = kept.iter().find(|l| l.id == outside.id).unwrap();
    assert_eq!(
        (kept.record.case_id.clone(), kept.record.subject.as_str()),
        (None, "เชิญประชุมเครือข่าย")
    );
    // A letter in a case stays in it: naming no case (null) is set aside. A letter logged
    // outside any case may not answer a referral: it would outlive the case's erasure.
    let slip = register.iter().find(|l| l.record.case_id.is_some()).unwrap();
    let slip_created = a
        .events()
        .unwrap()
        .into_iter()
        .find(|e| e.entity_id == slip.id)
        .unwrap();
    let mut out_of_case = slip_created.clone();
    out_of_case.event_id = format!("{}-forged-3", out_of_case.event_id);
    out_of_case.device_seq = seq + 3;
    out_of_case.hlc = out_of_case.hlc.replacen("-00000-", "-00003-", 1);
    out_of_case.fields = [("case_id".to_owned(), serde_json::Value::Null)].into_iter().collect();
    out_of_case.user_id = None;
    let mut stray = created.clone();
    stray.event_id = format!("{}-forged-4", stray.event_id);
    stray.entity_id = "forged-letter".into();
    stray.device_seq = seq + 4;
    stray.hlc = stray.hlc.replacen("-00000-", "-00004-", 1);
    stray.fields.insert("referral_id".into(), serde_json::json!(referral));
    stray.fields.insert("number".into(), serde_json::json!(99));
    let report = b
        .receive(
            [out_of_case, stray]
                .into_iter()
                .map(|event| Incoming::Event {
                    event,
                    writer: Some("CPN".into()),
                })
                .collect(),
            3,
        )
        .unwrap();
    assert_eq!(report.quarantined, 2);
    let kept = b.received_letters(&wb, year).unwrap();
    assert_eq!(
        kept.len(),
        3,
        "no letter came in answering a referral from outside its case"
    );
    assert_eq!(
        kept.iter().find(|l| l.id == slip.id).unwrap().record.case_id,
        slip.record.case_id
    );

    // The scan is fetched like a note's photo.
    let scan = register.iter().find_map(|l| l.record.scan_sha256.clone()).unwrap();
    assert_eq!(b.missing_blobs(10).unwrap(), std::slice::from_ref(&scan));
    let (_, bytes) = a.blob(&scan).unwrap().unwrap();
    assert!(b.take_blob(&scan, &bytes).unwrap());
    assert_eq!(
        b.attachment(&wb, &scan).unwrap(),
        ("application/pdf".to_owned(), SLIP.to_vec()),
        "typed by its bytes: the register opens it as a PDF"
    );
}
