//! Each printed document built from a real book, typeset, and read back with poppler: the Thai
//! words it must carry, what a masked document must not, and the exports it audits.

mod common;

use casebook::dates::today;
use casebook::dates::{BE_OFFSET, be_year, thai_long};
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::care::Domain;
use casebook::records::conference::{ActionItem, ActionStatus, Attendee, Conference, ConferenceStatus};
use casebook::records::letter_template::LetterKind;
use casebook::records::signer::{Signer, Standing};
use casebook::statistics::Period;
use casebook::{Casebook, Role};
use common::{AGENCY_NAME, CLIENT_NAME, PASSPHRASE, desk, exports, pages, text};
use documents::LetterRequest;

/// A supervisor added to the desk's book (who keeps signers and templates).
fn supervisor(desk: &mut common::Desk) -> casebook::Session {
    casebook::Session {
        user_id: desk
            .book
            .add_user(&desk.admin, "supervisor", "หัวหน้า ทดสอบ", Role::Supervisor, PASSPHRASE)
            .unwrap(),
        username: "supervisor".into(),
        role: Role::Supervisor,
    }
}

fn has_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

#[test]
fn the_recovery_sheet_carries_the_code_and_the_unit() {
    let desk = desk("recovery");
    let sheet = documents::recovery_sheet(&desk.book, "7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G".into()).unwrap();
    assert_eq!(sheet.file_name(), "recovery-sheet.pdf");
    has_all(
        &text(&sheet),
        &["ใบรหัสกู้คืนสมุดรายกรณี", "(CPN)", "7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G"],
    );
}

#[test]
fn a_referral_letter_is_previewed_without_a_number_then_issued_with_its_form() {
    let mut desk = desk("referral");
    let request = LetterRequest {
        referral_id: desk.referral_id.clone(),
        subject: "ขอส่งต่อผู้รับบริการ".into(),
        body: "ด้วยศูนย์พึ่งได้ขอส่งต่อผู้รับบริการ\n\nจึงเรียนมาเพื่อโปรดพิจารณา".into(),
        signer_id: None,
    };
    let preview = documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).unwrap();
    assert_eq!(preview.file_name(), "preview-letter.pdf");
    let letter = text(&preview);
    has_all(
        &letter,
        &[
            "CPN/……",
            "ขอส่งต่อผู้รับบริการ",
            &format!("ผู้อำนวยการ{AGENCY_NAME}"),
            "ขอแสดงความนับถือ",
        ],
    );
    assert!(!letter.contains("ขวัญใจ"), "the letter names the agency, not the client");
    assert_eq!(exports(&desk), 1);

    let issued = documents::issue_referral_letter(&mut desk.book, &desk.worker, &request).unwrap();
    assert_eq!(issued.letter_number, "CPN/1");
    let year = be_year(today());
    assert_eq!(issued.letter.file_name(), format!("CPN-{year}-1-letter.pdf"));
    assert_eq!(issued.form.file_name(), format!("CPN-{year}-1-form.pdf"));
    has_all(&text(&issued.letter), &["ที่ CPN/1", "ด่วนมาก", "จึงเรียนมาเพื่อโปรดพิจารณา"]);
    has_all(
        &text(&issued.form),
        &[
            "แบบส่งต่อผู้รับบริการ",
            AGENCY_NAME,
            CLIENT_NAME,
            "คุ้มครองชั่วคราว",
            "แบบตอบรับการส่งต่อ",
            // Languages by name, never their codes.
            "ไทย, พม่า",
        ],
    );
    assert!(!text(&issued.form).contains("th, my"));
    assert_eq!(exports(&desk), 2);

    // The unit sets whom letters to the agency go to and how: the next letter says so.
    let mut agency = desk.book.agency(&desk.worker, &desk.agency_id).unwrap().record;
    agency.addressee = Some("ผู้ปกครองสถานสงเคราะห์เด็กสมมุติ".into());
    agency.salutation = casebook::records::agency::Salutation::Highest;
    desk.book.update_agency(&desk.worker, &desk.agency_id, &agency).unwrap();
    let again = documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).unwrap();
    has_all(
        &text(&again),
        &["กราบเรียน", "ผู้ปกครองสถานสงเคราะห์เด็กสมมุติ", "ขอแสดงความนับถืออย่างยิ่ง"],
    );
}

#[test]
fn the_case_summary_is_masked_unless_asked_in_full() {
    let mut desk = desk("summary");
    let case_id = desk.case.id.clone();
    desk.book
        .change_status(
            &desk.worker,
            &case_id,
            casebook::records::case::Status::Assessment,
            "พบผู้ปกครองแล้ว",
        )
        .unwrap();
    // A home visit with a photo, and the baseline of the client's outcomes.
    desk.book
        .add_timeline_entry_with_files(
            &desk.worker,
            &case_id,
            casebook::records::timeline::EntryKind::HomeVisit,
            "ถ่ายภาพสภาพบ้าน",
            &casebook::dates::now_iso(),
            &[casebook::records::evidence::fixtures::jpeg_with_exif(64, 48, 1, true)],
        )
        .unwrap();
    desk.book
        .record_assessment(
            &desk.worker,
            &casebook::records::assessment::Assessment {
                case_id: case_id.clone(),
                stage: casebook::records::assessment::Stage::Baseline,
                assessed_on: today().to_string(),
                levels: [(Domain::Food, 2), (Domain::Safety, 1)].into_iter().collect(),
                note: None,
                author_id: None,
            },
        )
        .unwrap();
    let masked = documents::case_summary(&mut desk.book, &desk.worker, &case_id, false).unwrap();
    assert_eq!(masked.file_name(), format!("summary-{case_id}-masked.pdf"));
    let words = text(&masked);
    has_all(
        &words,
        &[
            "สรุปรายกรณี",
            &desk.case.case_number,
            "ปิดบังข้อมูลระบุตัวตน",
            "ผู้รับบริการ",
            "ประเด็นปัญหา",
            "เยี่ยมบ้าน ผู้รับบริการปลอดภัย",
            "ย้ายไปอยู่กับยาย",
            // A status change reads in Thai, with its reason.
            "จาก รับเรื่อง เป็น ประเมิน · พบผู้ปกครองแล้ว",
            &format!("{AGENCY_NAME}: คุ้มครองชั่วคราว"),
            // The ledger row the referral rests on, the assessment, the attached photo.
            "ความยินยอมและฐานทางกฎหมาย",
            "ส่งต่อหน่วยงาน: พ.ร.บ.คุ้มครองเด็ก พ.ศ. 2546",
            "แรกรับ (ก่อนช่วยเหลือ): อาหาร 2, ความปลอดภัย 1",
            "เอกสารแนบ",
            "เยี่ยมบ้าน: ถ่ายภาพสภาพบ้าน · ภาพถ่าย",
        ],
    );
    assert!(!words.contains("ขวัญใจ") && !words.contains("1103702345679"), "{words}");
    // Dates in the Buddhist era, never ISO (`2026-11-28`).
    let iso = |w: &str| w.len() >= 10 && w.as_bytes()[4] == b'-' && w[..4].bytes().all(|b| b.is_ascii_digit());
    assert!(!words.split_whitespace().any(iso), "an ISO date: {words}");

    let full = documents::case_summary(&mut desk.book, &desk.worker, &case_id, true).unwrap();
    assert_eq!(full.file_name(), format!("summary-{case_id}-full.pdf"));
    has_all(
        &text(&full),
        &["ข้อมูลระบุตัวตนฉบับเต็ม", CLIENT_NAME, "1103702345679", "0899990000"],
    );
    assert_eq!(exports(&desk), 2);
}

#[test]
fn the_masked_case_summary_blacks_out_whom_a_note_names_as_the_projector_does() {
    let mut desk = desk("summary-redacted");
    let case_id = desk.case.id.clone();
    desk.book
        .add_timeline_entry(
            &desk.worker,
            &case_id,
            casebook::records::timeline::EntryKind::Call,
            "แม่ของขวัญใจ ทดสอบดี โทรจาก 0899990000 แจ้งเลขบัตร 1103702345679 นัด 3 วัน",
            &casebook::dates::now_iso(),
        )
        .unwrap();
    let masked = text(&documents::case_summary(&mut desk.book, &desk.worker, &case_id, false).unwrap());
    for identifier in ["ขวัญใจ", "ทดสอบดี", "0899990000", "1103702345679"] {
        assert!(!masked.contains(identifier), "{identifier} in:\n{masked}");
    }
    // The note itself stays, its identifiers blacked out, short numbers kept.
    has_all(&masked, &["แม่ของ[ปิดบัง]", "นัด 3 วัน"]);
    // In full (an audited reveal) the note is as written.
    let full = text(&documents::case_summary(&mut desk.book, &desk.worker, &case_id, true).unwrap());
    has_all(&full, &["แม่ของขวัญใจ ทดสอบดี", "1103702345679"]);
}

#[test]
fn a_letter_signed_for_the_head_carries_the_acting_for_lines_and_the_form_the_workers_position() {
    let mut desk = desk("signers");
    let supervisor = supervisor(&mut desk);
    let signer = |name: &str, position: &str, standing| Signer {
        name: name.into(),
        position: position.into(),
        standing,
        retired: false,
    };
    let head = "ผู้อำนวยการโรงพยาบาลสมมุติ";
    // A deputy cannot sign for a head the unit has not named.
    let deputy = desk
        .book
        .add_signer(
            &supervisor,
            &signer("นายรอง สมมุติ", "รองผู้อำนวยการฝ่ายการแพทย์", Standing::ForHead),
        )
        .unwrap();
    let mut request = LetterRequest {
        referral_id: desk.referral_id.clone(),
        subject: "ขอส่งต่อผู้รับบริการ".into(),
        body: "จึงเรียนมาเพื่อโปรดพิจารณา".into(),
        signer_id: Some(deputy.clone()),
    };
    let no_head = documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).unwrap_err();
    assert!(no_head.to_string().contains("signer.head"), "{no_head}");
    // While no head is listed, the worker signs under their own position, which the form
    // names too.
    desk.book
        .set_own_position(&desk.worker, "นักสังคมสงเคราะห์ปฏิบัติการ")
        .unwrap();
    let own = LetterRequest {
        signer_id: None,
        ..request.clone()
    };
    let issued = documents::issue_referral_letter(&mut desk.book, &desk.worker, &own).unwrap();
    has_all(&text(&issued.letter), &["(นักสังคม สมมุติ) นักสังคมสงเคราะห์ปฏิบัติการ"]);
    has_all(&text(&issued.form), &["นักสังคม สมมุติ (นักสังคมสงเคราะห์ปฏิบัติการ)"]);
    // The worker may not keep the list of signers.
    assert!(
        desk.book
            .add_signer(&desk.worker, &signer("x", "y", Standing::Head))
            .is_err()
    );
    desk.book
        .add_signer(&supervisor, &signer("นางหัวหน้า สมมุติ", head, Standing::Head))
        .unwrap();
    // In order: the name in brackets, the deputy's position and the words, the head's position.
    let letter = text(&documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).unwrap());
    has_all(
        &letter,
        &[&format!("(นายรอง สมมุติ) รองผู้อำนวยการฝ่ายการแพทย์ ปฏิบัติราชการแทน {head}")],
    );
    // The head signs under their own position alone; a retired signer signs nothing.
    let acting = desk
        .book
        .add_signer(
            &supervisor,
            &signer("นายรักษา สมมุติ", "หัวหน้ากลุ่มงาน", Standing::ActingHead),
        )
        .unwrap();
    request.signer_id = Some(acting.clone());
    let letter = text(&documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).unwrap());
    has_all(&letter, &["(นายรักษา สมมุติ)", "หัวหน้ากลุ่มงาน รักษาราชการแทน"]);
    let mut retired = signer("นายรักษา สมมุติ", "หัวหน้ากลุ่มงาน", Standing::ActingHead);
    retired.retired = true;
    desk.book.update_signer(&supervisor, &acting, &retired).unwrap();
    assert!(documents::preview_referral_letter(&mut desk.book, &desk.worker, &request).is_err());

    // Once the unit lists its head, an external letter is the head's or signed for the head:
    // the worker alone signs none, and takes no number trying.
    request.signer_id = None;
    let refused = documents::issue_referral_letter(&mut desk.book, &desk.worker, &request).unwrap_err();
    assert!(refused.to_string().contains("letter.signer"), "{refused}");
    let year = i64::from(be_year(today()));
    assert_eq!(desk.book.letter_register(&desk.worker, year).unwrap().entries.len(), 1);
}

#[test]
fn invitations_go_one_to_each_agency_on_its_own_sheet_from_the_units_template() {
    let mut desk = desk("invitations");
    let supervisor = supervisor(&mut desk);
    let conference = desk
        .book
        .plan_conference(
            &desk.worker,
            &Conference {
                held_at: "2026-12-03T13:30:00+07:00".into(),
                venue: Some("ห้องประชุมศาลากลางสมมุติ".into()),
                chair: None,
                minute_taker: None,
                status: ConferenceStatus::Planned,
            },
        )
        .unwrap();
    documents::add_agenda_case(&mut desk.book, &desk.worker, conference.clone(), desk.case.id.clone()).unwrap();
    // A template with a placeholder the invitation does not fill is refused; a long one is
    // kept and flows onto a second sheet.
    let mut template = desk.book.letter_template(&supervisor, LetterKind::Invitation).unwrap();
    let built_in = template.clone();
    template.body.push_str(" {นามสมมุติ}");
    let refused = desk.book.save_letter_template(&supervisor, &template).unwrap_err();
    assert!(refused.to_string().contains("template.body"), "{refused}");
    assert!(
        desk.book.save_letter_template(&desk.worker, &built_in).is_err(),
        "a supervisor's task"
    );
    template.body = format!(
        "{}\n\n{}",
        built_in.body,
        "ทั้งนี้ ขอให้ผู้แทนนำข้อมูลการช่วยเหลือที่เกี่ยวข้องมาประกอบการพิจารณาด้วย ".repeat(40)
    );
    desk.book.save_letter_template(&supervisor, &template).unwrap();

    let draft = documents::invitation_draft(&desk.book, &desk.worker, &conference).unwrap();
    assert_eq!(draft.subject, "ขอเชิญประชุมทีมสหวิชาชีพ");
    has_all(
        &draft.body,
        &[
            "3 ธันวาคม 2569",
            "13:30 น.",
            "ห้องประชุมศาลากลางสมมุติ",
            "{หน่วยงานผู้รับ}",
            "ในวันที่ 3 ธันวาคม 2569",
            "(1) พิจารณาแผนการช่วยเหลือ ",
        ],
    );
    assert!(!draft.body.contains(CLIENT_NAME), "the agenda names no client");
    let names = ["สถานีตำรวจภูธรสมมุติ", "องค์การบริหารส่วนตำบลสมมุติ", "โรงเรียนบ้านสมมุติ"];
    let kinds = [AgencyType::Police, AgencyType::LocalGovernment, AgencyType::School];
    let agency_ids: Vec<String> = names
        .iter()
        .zip(kinds)
        .map(|(name, kind)| desk.book.add_agency(&desk.worker, &Agency::new(name, kind)).unwrap())
        .collect();
    // The police station ticked twice gets one letter.
    let request = documents::InvitationRequest {
        conference_id: conference.clone(),
        agency_ids: [agency_ids.clone(), vec![agency_ids[0].clone()]].concat(),
        subject: draft.subject,
        body: draft.body,
        signer_id: None,
    };
    let issued = documents::issue_invitations(&mut desk.book, &desk.worker, &request).unwrap();
    assert_eq!(issued.numbers, ["CPN/1", "CPN/2", "CPN/3"]);
    let mut counted = Vec::new();
    issued
        .letters
        .render_counting(|done, total| counted.push((done, total)))
        .unwrap();
    assert_eq!(counted, [(1, 3), (2, 3), (3, 3)]);
    // Each letter is two sheets (the long text flows on); each letter's sheets name its agency
    // and no other, and its own number.
    let pages = pages(&issued.letters);
    assert_eq!(pages.len(), 6, "{pages:#?}");
    let heads = [
        "ผู้กำกับการสถานีตำรวจภูธรสมมุติ",
        "นายกองค์การบริหารส่วนตำบลสมมุติ",
        "ผู้อำนวยการโรงเรียนบ้านสมมุติ",
    ];
    for (i, name) in names.iter().enumerate() {
        let (first, second) = (&pages[2 * i], &pages[2 * i + 1]);
        has_all(
            first,
            &[
                &format!("ที่ CPN/{}", i + 1),
                heads[i],
                "ขอเชิญประชุมทีมสหวิชาชีพ",
                &format!("มอบหมายผู้แทน{name}"),
            ],
        );
        assert!(second.starts_with("- 2"), "the second sheet is numbered: {second}");
        has_all(second, &["ขอแสดงความนับถือ", "(นักสังคม สมมุติ)"]);
        for other in names.iter().filter(|n| *n != name) {
            assert!(
                !first.contains(other) && !second.contains(other),
                "{other} on {name}'s letter"
            );
        }
    }
    // No agency: nothing issued, no number taken.
    let none = documents::InvitationRequest {
        agency_ids: vec![],
        ..request
    };
    assert!(documents::issue_invitations(&mut desk.book, &desk.worker, &none).is_err());
    let year = i64::from(be_year(today()));
    assert_eq!(desk.book.letter_register(&desk.worker, year).unwrap().entries.len(), 3);
    // Back to the built-in template.
    desk.book
        .reset_letter_template(&supervisor, LetterKind::Invitation)
        .unwrap();
    assert_eq!(
        desk.book.letter_template(&desk.worker, LetterKind::Invitation).unwrap(),
        built_in
    );
}

#[test]
fn a_follow_up_refers_to_the_referral_letter_and_a_reply_to_the_letter_received() {
    let mut desk = desk("case-letters");
    let referral = LetterRequest {
        referral_id: desk.referral_id.clone(),
        subject: "ขอส่งต่อผู้รับบริการ".into(),
        body: "จึงเรียนมาเพื่อโปรดพิจารณา".into(),
        signer_id: None,
    };
    documents::issue_referral_letter(&mut desk.book, &desk.worker, &referral).unwrap();
    let today = thai_long(today());
    let earlier = documents::earlier_letters(&desk.book, &desk.worker, &desk.case.id).unwrap();
    assert_eq!(earlier.len(), 1);
    let sent = format!("หนังสือศูนย์พึ่งได้ โรงพยาบาลสมมุติ ที่ CPN/1 ลงวันที่ {today}");
    assert_eq!(earlier[0].reference, sent);
    assert_eq!(earlier[0].referral_id.as_deref(), Some(desk.referral_id.as_str()));

    // What may go with it: a copy of the referral form issued, of the consent form signed
    // (its scan kept), and the masked summary.
    let ledger = desk.book.consents(&desk.worker, &desk.case.id).unwrap();
    let form = desk
        .book
        .put_attachment(&desk.worker, b"%PDF-1.4\n% a signed form, synthetic\n")
        .unwrap();
    desk.book
        .attach_consent_form(&desk.worker, &ledger[0].id, &form)
        .unwrap();
    let enclosures = documents::enclosures(&desk.book, &desk.worker, &desk.case.id).unwrap();
    assert_eq!(
        enclosures,
        [
            "สำเนาแบบส่งต่อผู้รับบริการ (หนังสือที่ CPN/1) จำนวน 1 ชุด".to_owned(),
            format!("สำเนาหนังสือแสดงความยินยอม (ส่งต่อหน่วยงาน) ลงวันที่ {today} จำนวน 1 ฉบับ"),
            "สรุปข้อมูลรายกรณี (ปิดบังข้อมูลระบุตัวตน) จำนวน 1 ชุด".to_owned(),
        ]
    );

    // The follow-up: its text from the template, อ้างถึง the referral letter.
    let mut request = documents::CaseLetterRequest {
        kind: LetterKind::FollowUp,
        case_id: desk.case.id.clone(),
        agency_id: desk.agency_id.clone(),
        referral_id: Some(desk.referral_id.clone()),
        reference: Some(sent.clone()),
        enclosures: vec![enclosures[0].clone(), " ".into()],
        subject: String::new(),
        body: String::new(),
        signer_id: None,
    };
    let draft = documents::case_letter_draft(&desk.book, &desk.worker, &request).unwrap();
    assert_eq!(draft.subject, "ติดตามผลการส่งต่อผู้รับบริการ");
    let reply_by = desk
        .book
        .referral(&desk.worker, &desk.referral_id)
        .unwrap()
        .record
        .reply_by
        .unwrap();
    let reply_by = thai_long(casebook::dates::parse_date(&reply_by).unwrap());
    has_all(&draft.body, &["ตามหนังสือที่อ้างถึง", &format!("ภายในวันที่ {reply_by}")]);
    assert!(
        !draft.body.contains('{') && !draft.body.contains(CLIENT_NAME),
        "{}",
        draft.body
    );
    (request.subject, request.body) = (draft.subject, draft.body);
    let actions = |desk: &common::Desk| -> Vec<String> {
        let about_the_case = casebook::book::audit_view::AuditFilter {
            case_id: Some(desk.case.id.clone()),
            ..Default::default()
        };
        let rows = desk.book.audit_log(&desk.admin, &about_the_case, 1000).unwrap();
        rows.into_iter().map(|row| row.action).collect()
    };
    let before = actions(&desk);
    let (number, letter) = documents::issue_case_letter(&mut desk.book, &desk.worker, &request).unwrap();
    assert_eq!(number, "CPN/2");
    // The supervisor's audit reads one export of the case, not a look at the case page.
    let after = actions(&desk);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(
        after.iter().filter(|a| *a == "case.view").count(),
        before.iter().filter(|a| *a == "case.view").count()
    );
    has_all(
        &text(&letter),
        &[
            "ที่ CPN/2",
            "ติดตามผลการส่งต่อผู้รับบริการ",
            &format!("อ้างถึง {sent}"),
            "สิ่งที่ส่งมาด้วย สำเนาแบบส่งต่อผู้รับบริการ (หนังสือที่ CPN/1) จำนวน 1 ชุด",
        ],
    );
    assert!(!text(&letter).contains("2."), "the blank enclosure line is dropped");

    // The agency's letter comes back; the reply refers to it.
    desk.book
        .log_received_letter(
            &desk.worker,
            &casebook::records::received::ReceivedLetterInput {
                received_on: casebook::dates::today().to_string(),
                their_number: Some("ตช 0018.1/77".into()),
                their_date: Some(casebook::dates::today().to_string()),
                sender_agency_id: Some(desk.agency_id.clone()),
                sender: None,
                subject: "ขอข้อมูลประกอบการดำเนินการ".into(),
                referral_id: Some(desk.referral_id.clone()),
                reply_status: Some(casebook::records::referral::ReferralStatus::Received),
                reply: None,
                case_id: None,
            },
            None,
        )
        .unwrap();
    let earlier = documents::earlier_letters(&desk.book, &desk.worker, &desk.case.id).unwrap();
    let theirs = format!("หนังสือ{AGENCY_NAME} ที่ ตช 0018.1/77 ลงวันที่ {today}");
    assert_eq!(
        earlier.iter().map(|e| e.reference.as_str()).collect::<Vec<_>>(),
        [
            sent.as_str(),
            &format!("หนังสือศูนย์พึ่งได้ โรงพยาบาลสมมุติ ที่ CPN/2 ลงวันที่ {today}"),
            &theirs
        ]
    );
    let reply = documents::CaseLetterRequest {
        kind: LetterKind::Reply,
        referral_id: None,
        reference: Some(theirs.clone()),
        enclosures: vec![],
        subject: "ตอบข้อหารือ".into(),
        body: "ขอเรียนข้อมูลเท่าที่จำเป็น".into(),
        ..request.clone()
    };
    let preview = documents::preview_case_letter(&mut desk.book, &desk.worker, &reply).unwrap();
    has_all(&text(&preview), &["ที่ CPN/……", &format!("อ้างถึง {theirs}")]);
    // A referral and an invitation have letters of their own.
    let wrong = documents::CaseLetterRequest {
        kind: LetterKind::Invitation,
        ..reply
    };
    assert!(documents::issue_case_letter(&mut desk.book, &desk.worker, &wrong).is_err());
}

#[test]
fn the_register_page_lists_the_letters_issued_this_year() {
    let mut desk = desk("register");
    let request = LetterRequest {
        referral_id: desk.referral_id.clone(),
        subject: "ขอส่งต่อผู้รับบริการ".into(),
        body: String::new(),
        signer_id: None,
    };
    documents::issue_referral_letter(&mut desk.book, &desk.worker, &request).unwrap();
    let year = be_year(today());
    let page = documents::register_page(&desk.book, &desk.worker, i64::from(year)).unwrap();
    assert_eq!(page.file_name(), format!("register-{year}.pdf"));
    has_all(
        &text(&page),
        &[
            &format!("ทะเบียนหนังสือส่ง ปี {year}"),
            // The day in Thailand the letter was issued, as it carries it.
            &format!("CPN/1 {} เครื่อง", thai_long(today())),
            // The line may break after ขอ.
            "ส่งต่อผู้รับบริการ",
            "ถึง บ้านพักเด็ก",
            "ผู้ออก นักสังคม สมมุติ",
        ],
    );
}

#[test]
fn the_minutes_carry_the_pseudonymized_agenda_decisions_and_action_items() {
    let mut desk = desk("minutes");
    let conference_id = desk
        .book
        .plan_conference(
            &desk.worker,
            &Conference {
                held_at: "2026-11-10T09:00:00+07:00".into(),
                venue: Some("ห้องประชุมโรงพยาบาลสมมุติ".into()),
                chair: Some("นายแพทย์ ประธาน".into()),
                minute_taker: None,
                status: ConferenceStatus::Planned,
            },
        )
        .unwrap();
    desk.book
        .add_attendee(
            &desk.worker,
            &Attendee {
                conference_id: conference_id.clone(),
                name: "นางสาว ครูแนะแนว".into(),
                agency_id: None,
                agency_name: Some("โรงเรียนบ้านสมมุติ".into()),
                role: Some("ครูแนะแนว".into()),
                confidentiality_ack: true,
            },
        )
        .unwrap();
    let agenda_case_id = documents::add_agenda_case(
        &mut desk.book,
        &desk.worker,
        conference_id.clone(),
        desk.case.id.clone(),
    )
    .unwrap();
    let agenda_case = desk.book.agenda(&desk.worker, &conference_id).unwrap().remove(0);
    assert_eq!(agenda_case.id, agenda_case_id);
    let summary = agenda_case.record.summary.unwrap_or_default();
    has_all(&summary, &["ความรุนแรงต่อเด็ก", "ความเสี่ยงแดง"]);
    assert!(!summary.contains("ขวัญใจ"), "{summary}");
    desk.book
        .record_decisions(&desk.worker, &agenda_case_id, None, None, "ส่งเข้าบ้านพักชั่วคราว")
        .unwrap();
    desk.book
        .add_action_item(
            &desk.worker,
            &ActionItem {
                conference_case_id: agenda_case_id.clone(),
                case_id: desk.case.id.clone(),
                task: "จัดหาที่พักชั่วคราว".into(),
                agency_id: None,
                agency_name: Some("บ้านพักเด็กฯ".into()),
                person: None,
                due_date: Some("2569-11-20".into()),
                status: ActionStatus::Open,
                domain: Domain::Shelter,
                goal_id: None,
            },
        )
        .unwrap();

    let minutes = documents::conference_minutes(&mut desk.book, &desk.worker, &conference_id).unwrap();
    assert!(minutes.file_name().starts_with("minutes-") && minutes.file_name().ends_with(".pdf"));
    let words = text(&minutes);
    has_all(
        &words,
        &[
            "รายงานการประชุมทีมสหวิชาชีพ",
            "ห้องประชุมโรงพยาบาลสมมุติ",
            "นางสาว ครูแนะแนว",
            "(รับทราบการรักษาความลับแล้ว)",
            "รายกรณีที่ 1",
            "มติที่ประชุม: ส่งเข้าบ้านพักชั่วคราว",
            "1.1 จัดหาที่พักชั่วคราว",
            "20 พฤศจิกายน 2569",
            "(นายแพทย์ ประธาน)",
        ],
    );
    assert!(!words.contains("ขวัญใจ"), "{words}");
    assert_eq!(exports(&desk), 1);

    // Closed, the conference writes its decisions into the case's timeline: the case summary
    // then prints its date and the action's due date in the Buddhist era, never ISO.
    desk.book
        .set_conference_status(&desk.worker, &conference_id, ConferenceStatus::Closed)
        .unwrap();
    let summary = documents::case_summary(&mut desk.book, &desk.worker, &desk.case.id, false).unwrap();
    let words = text(&summary);
    has_all(
        &words,
        &[
            "ประชุมทีมสหวิชาชีพ 10 พฤศจิกายน 2569 เวลา 09:00 น.",
            "ภายใน 20 พฤศจิกายน 2569",
        ],
    );
    let iso = |w: &str| w.len() >= 10 && w.as_bytes()[4] == b'-' && w[..4].bytes().all(|b| b.is_ascii_digit());
    assert!(!words.split_whitespace().any(iso), "an ISO date: {words}");
}

#[test]
fn the_statistics_go_out_as_a_pdf_and_a_csv_with_thai_labels() {
    let mut desk = desk("statistics");
    let period = Period {
        year: be_year(today()) - BE_OFFSET,
        month: None,
    };
    let year = be_year(today());
    let pdf = documents::statistics_pdf(&mut desk.book, &desk.worker, period).unwrap();
    assert_eq!(pdf.file_name(), format!("statistics-CPN-{year}.pdf"));
    has_all(
        &text(&pdf),
        &[
            &format!("สถิติการให้บริการ ปี {year}"),
            "รายกรณีที่เปิดในช่วงนี้ทั้งหมด 1 ราย",
            "ความรุนแรงต่อเด็ก 1 ราย (100%)",
        ],
    );
    let csv = documents::statistics_csv(&mut desk.book, &desk.worker, period).unwrap();
    assert_eq!(csv.file_name(), format!("statistics-CPN-{year}.csv"));
    has_all(&text(&csv), &["ความรุนแรงต่อเด็ก"]);
    assert!(!text(&csv).contains("ขวัญใจ"));
}

#[test]
fn the_consent_form_prints_every_purpose_and_the_right_to_withdraw_and_no_name() {
    let mut desk = desk("consent");
    let case_id = desk.case.id.clone();
    let form = documents::consent_form(&mut desk.book, &desk.worker, &case_id).unwrap();
    let words = text(&form);
    has_all(
        &words,
        &[
            "หนังสือแสดงความยินยอม",
            &desk.case.case_number,
            "( ) ยินยอม ( ) ไม่ยินยอม การให้บริการ",
            "ส่งต่อหน่วยงาน",
            "ส่งข้อมูลให้ศูนย์อื่น",
            "ถ่ายภาพ",
            "นำเข้าประชุมทีมสหวิชาชีพ",
            "ถอนความยินยอมเมื่อใดก็ได้",
            "เด็กได้รับฟังคำอธิบาย",
            "ผู้ให้ความยินยอม",
        ],
    );
    assert!(!words.contains("ขวัญใจ") && !words.contains("1103702345679"), "{words}");
    assert_eq!(exports(&desk), 1);
}

#[test]
fn the_community_page_names_the_area_and_hides_small_counts() {
    use casebook::community::AreaLevel;
    let mut desk = desk("community");
    let province = desk.book.areas(None).unwrap()[0].clone();
    let district = desk.book.areas(Some(&province.code)).unwrap()[0].clone();
    let subdistrict = desk.book.areas(Some(&district.code)).unwrap()[0].clone();
    // The client lives in the province's first subdistrict.
    let client = casebook::records::person::PersonInput {
        name_th: Some(CLIENT_NAME.into()),
        area_code: Some(subdistrict.code.clone()),
        ..Default::default()
    };
    desk.book
        .update_person(&desk.worker, &desk.case.client_id, &client)
        .unwrap();
    let period = Period {
        year: be_year(today()) - BE_OFFSET,
        month: None,
    };
    let page = documents::community_page(
        &mut desk.book,
        &desk.worker,
        period,
        AreaLevel::District,
        Some(&province.code),
    )
    .unwrap();
    let words = text(&page);
    has_all(
        &words,
        &[
            "ข้อมูลคืนสู่ชุมชน",
            &district.name_th,
            "รายกรณีที่เปิด น้อยกว่า 5",
            "ไม่แสดง เพื่อไม่ให้ระบุตัวบุคคลได้",
        ],
    );
    assert!(!words.contains("ขวัญใจ"), "{words}");
}

#[test]
fn the_record_of_processing_has_the_standing_text_and_todays_figures() {
    let mut desk = desk("processing");
    desk.book
        .add_user(&desk.admin, "supervisor", "หัวหน้า สมมุติ", Role::Supervisor, PASSPHRASE)
        .unwrap();
    let dir = desk.dir.0.clone();
    drop(desk.book);
    let (mut book, supervisor) = Casebook::unlock(&dir, "supervisor", PASSPHRASE).unwrap();
    let record = documents::record_of_processing(&mut book, &supervisor).unwrap();
    assert_eq!(record.file_name(), "record-of-processing.pdf");
    has_all(
        &text(&record),
        &[
            &documents::th("ropa.title"),
            "(CPN)",
            &format!("ณ วันที่ {}", thai_long(today())),
            "บุคคล 1 ราย",
            "รายกรณีเปิดอยู่ 1",
        ],
    );
}

/// Where a document prints a number in Arabic digits, an ISO date, or a code (`violence_child`,
/// a language's `my`, `enum.status.open`) instead of its Thai words: every Latin word a
/// document prints is a name or a code in capitals (CPN, KB, SQLCipher) or a laptop's tag.
fn not_thai_on_paper(words: &str) -> Option<String> {
    let digit = |c: char| c.is_ascii_digit() || ('๐'..='๙').contains(&c);
    let chars: Vec<char> = words.chars().collect();
    if let Some(at) = chars.windows(10).position(|w| {
        w.iter()
            .enumerate()
            .all(|(i, &c)| if i == 4 || i == 7 { c == '-' } else { digit(c) })
    }) {
        return Some(format!(
            "an ISO date: {}",
            chars[at..at + 10].iter().collect::<String>()
        ));
    }
    for word in words.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Some(format!("a code: {word:?}"));
        }
        // Digits glued to capitals are a code typed as is (a laptop's tag); a number is not.
        if word.contains(|c: char| c.is_ascii_digit()) && !word.contains(|c: char| c.is_ascii_uppercase()) {
            return Some(format!("Arabic digits: {word:?}"));
        }
    }
    (!words.chars().any(|c| ('๐'..='๙').contains(&c))).then(|| "no Thai digit at all".into())
}

#[test]
fn a_unit_in_thai_digits_gets_every_document_in_thai_digits_buddhist_dates_and_thai_words() {
    let mut desk = common::thai_digits_desk("thai-digits");
    let (worker, case_id) = (desk.worker.clone(), desk.case.id.clone());
    let book = &mut desk.book;
    book.change_status(
        &worker,
        &case_id,
        casebook::records::case::Status::Assessment,
        "พบผู้ปกครองแล้ว",
    )
    .unwrap();
    // The referral's letter and form, a follow-up, and the agency's reply logged as received.
    let referral = LetterRequest {
        referral_id: desk.referral_id.clone(),
        subject: "ขอส่งต่อผู้รับบริการ".into(),
        body: "ผู้รับบริการอายุ 14 ปี\n\nจึงเรียนมาเพื่อโปรดพิจารณา".into(),
        signer_id: None,
    };
    let preview = documents::preview_referral_letter(book, &worker, &referral).unwrap();
    let issued = documents::issue_referral_letter(book, &worker, &referral).unwrap();
    let sent = documents::earlier_letters(book, &worker, &case_id)
        .unwrap()
        .remove(0)
        .reference;
    let mut follow_up = documents::CaseLetterRequest {
        kind: LetterKind::FollowUp,
        case_id: case_id.clone(),
        agency_id: desk.agency_id.clone(),
        referral_id: Some(desk.referral_id.clone()),
        reference: Some(sent),
        enclosures: vec!["สำเนาแบบส่งต่อผู้รับบริการ จำนวน 1 ชุด".into()],
        subject: String::new(),
        body: String::new(),
        signer_id: None,
    };
    let draft = documents::case_letter_draft(book, &worker, &follow_up).unwrap();
    (follow_up.subject, follow_up.body) = (draft.subject, draft.body);
    let (_, follow_up_letter) = documents::issue_case_letter(book, &worker, &follow_up).unwrap();
    book.log_received_letter(
        &worker,
        &casebook::records::received::ReceivedLetterInput {
            received_on: today().to_string(),
            their_number: Some("ตช 0018.1/77".into()),
            their_date: Some(today().to_string()),
            sender_agency_id: Some(desk.agency_id.clone()),
            sender: None,
            subject: "แจ้งผลการส่งต่อ".into(),
            referral_id: Some(desk.referral_id.clone()),
            reply_status: Some(casebook::records::referral::ReferralStatus::Accepted),
            reply: Some("รับเข้าบ้านพัก 2 สัปดาห์".into()),
            case_id: None,
        },
        None,
    )
    .unwrap();
    // A conference with an action due on a date, closed: the case's timeline gets its dates.
    let conference = book
        .plan_conference(
            &worker,
            &Conference {
                held_at: "2026-11-24T02:30:00Z".into(),
                venue: Some("ห้องประชุม 3".into()),
                chair: Some("นายแพทย์ ประธาน".into()),
                minute_taker: None,
                status: ConferenceStatus::Planned,
            },
        )
        .unwrap();
    let agenda_case = documents::add_agenda_case(book, &worker, conference.clone(), case_id.clone()).unwrap();
    book.add_action_item(
        &worker,
        &ActionItem {
            conference_case_id: agenda_case.clone(),
            case_id: case_id.clone(),
            task: "จัดหาที่พักชั่วคราว".into(),
            agency_id: None,
            agency_name: Some("บ้านพักเด็กฯ".into()),
            person: None,
            due_date: Some("2569-12-20".into()),
            status: ActionStatus::Open,
            domain: Domain::Shelter,
            goal_id: None,
        },
    )
    .unwrap();
    let invitation = documents::invitation_draft(book, &worker, &conference).unwrap();
    let invitations = documents::issue_invitations(
        book,
        &worker,
        &documents::InvitationRequest {
            conference_id: conference.clone(),
            agency_ids: vec![desk.agency_id.clone()],
            subject: invitation.subject,
            body: invitation.body,
            signer_id: None,
        },
    )
    .unwrap();
    book.set_conference_status(&worker, &conference, ConferenceStatus::Closed)
        .unwrap();
    let period = Period {
        year: be_year(today()) - BE_OFFSET,
        month: None,
    };
    let year = be_year(today());
    let province = book.areas(None).unwrap()[0].code.clone();
    let mut printed = vec![
        (
            "recovery sheet",
            documents::recovery_sheet(book, "7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G".into()).unwrap(),
        ),
        ("letter preview", preview),
        ("referral letter", issued.letter),
        ("referral form", issued.form),
        ("follow-up", follow_up_letter),
        ("invitations", invitations.letters),
        (
            "masked summary",
            documents::case_summary(book, &worker, &case_id, false).unwrap(),
        ),
        (
            "full summary",
            documents::case_summary(book, &worker, &case_id, true).unwrap(),
        ),
        (
            "minutes",
            documents::conference_minutes(book, &worker, &conference).unwrap(),
        ),
        (
            "register",
            documents::register_page(book, &worker, i64::from(year)).unwrap(),
        ),
        ("statistics", documents::statistics_pdf(book, &worker, period).unwrap()),
        (
            "consent form",
            documents::consent_form(book, &worker, &case_id).unwrap(),
        ),
        (
            "community page",
            documents::community_page(
                book,
                &worker,
                period,
                casebook::community::AreaLevel::District,
                Some(&province),
            )
            .unwrap(),
        ),
    ];
    desk.book
        .add_user(&desk.admin, "supervisor", "หัวหน้า สมมุติ", Role::Supervisor, PASSPHRASE)
        .unwrap();
    let dir = desk.dir.0.clone();
    drop(desk.book);
    let (mut book, supervisor) = Casebook::unlock(&dir, "supervisor", PASSPHRASE).unwrap();
    printed.push((
        "record of processing",
        documents::record_of_processing(&mut book, &supervisor).unwrap(),
    ));

    let texts: Vec<(&str, String)> = printed.iter().map(|(name, document)| (*name, text(document))).collect();
    for (name, words) in &texts {
        // The recovery code is typed into a laptop as printed, its digits Arabic.
        let words = words.replace("7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G", "");
        if let Some(wrong) = not_thai_on_paper(&words) {
            panic!("the {name} prints {wrong}:\n{words}");
        }
    }
    let find = |name: &str| &texts.iter().find(|(n, _)| *n == name).unwrap().1;
    let today = letters::thai_digits(&thai_long(today()));
    let case_number = letters::thai_digits(&desk.case.case_number);
    has_all(
        find("recovery sheet"),
        &["7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G", &format!("ออกให้เมื่อ {today}")],
    );
    has_all(find("referral letter"), &["ที่ CPN/๑", "อายุ ๑๔ ปี", &today]);
    has_all(find("referral form"), &[&case_number, "ตามหนังสือที่ CPN/๑", "ไทย, พม่า"]);
    has_all(
        find("follow-up"),
        &[
            "ที่ CPN/๒",
            &format!("อ้างถึง หนังสือศูนย์พึ่งได้ โรงพยาบาลสมมุติ ที่ CPN/๑ ลงวันที่ {today}"),
        ],
    );
    has_all(
        find("masked summary"),
        &[
            &case_number,
            "ประชุมทีมสหวิชาชีพ ๒๔ พฤศจิกายน ๒๕๖๙ เวลา ๐๙:๓๐ น.",
            "ภายใน ๒๐ ธันวาคม ๒๕๖๙",
            "จาก รับเรื่อง เป็น ประเมิน",
            &format!(
                "{AGENCY_NAME}: คุ้มครองชั่วคราว ({})",
                documents::th("enum.referral_status.accepted")
            ),
        ],
    );
    has_all(find("full summary"), &["๑๑๐๓๗๐๒๓๔๕๖๗๙", "๐๘๙๙๙๙๐๐๐๐"]);
    has_all(
        find("minutes"),
        &[
            "วันที่ ๒๔ พฤศจิกายน ๒๕๖๙ เวลา ๐๙:๓๐ น.",
            "ห้องประชุม ๓",
            "รายกรณีที่ ๑",
            "๑.๑ จัดหาที่พักชั่วคราว",
        ],
    );
    // A letter's day is the day in Thailand it was issued, as the letter carries it.
    has_all(
        find("register"),
        &[
            &format!("ทะเบียนหนังสือส่ง ปี {}", letters::thai_digits(&year.to_string())),
            &format!("CPN/๑ {today} เครื่อง"),
        ],
    );
    has_all(
        find("statistics"),
        &["รายกรณีที่เปิดในช่วงนี้ทั้งหมด ๑ ราย", "ความรุนแรงต่อเด็ก ๑ ราย (๑๐๐%)"],
    );
    has_all(find("consent form"), &[&case_number, "พ.ศ. ๒๕๖๒"]);
    has_all(find("record of processing"), &[&format!("ณ วันที่ {today}")]);
}
