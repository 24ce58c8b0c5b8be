//! The records around a case: parties, incidents, care plan, agencies and referrals, the
//! letter register, attachments, PDPA duties; all through the audited, logged write path.

mod common;

use casebook::pdpa::RequestKind;
use casebook::records::agency::{Agency, AgencyType, Contact};
use casebook::records::care::{
    CarePlanGoal, CaseParty, Domain, GoalStatus, Incident, PartyRole, PlaceKind, Relationship,
};
use casebook::records::case::ViolenceType;
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::referral::{Referral, ReferralStatus};
use casebook::{Error, Rule};
use common::*;

#[test]
fn a_case_with_parties_incident_plan_and_referral_round_trips_and_rebuilds() {
    let dir = Dir::new("records");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("เด็กชายสมมุติ ทดลอง")).unwrap();
    let (stepfather, _) = book.create_person(&worker, &person("นายสมมุติ ผู้ถูกกล่าวหา")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();

    book.add_party(
        &worker,
        &CaseParty {
            case_id: case.id.clone(),
            person_id: stepfather.clone(),
            role: PartyRole::AllegedPerpetrator,
            relationship: Some(Relationship::StepParent),
        },
    )
    .unwrap();
    book.record_incident(
        &worker,
        &Incident {
            case_id: case.id.clone(),
            occurred_at: Some("2026-10-30T21:00:00+07:00".into()),
            place_kind: Some(PlaceKind::Home),
            area_code: Some("860101".into()),
            description: Some("ถูกทำร้ายร่างกายที่บ้าน".into()),
            violence_types: vec![ViolenceType::Physical],
        },
    )
    .unwrap();
    let goal = CarePlanGoal {
        case_id: case.id.clone(),
        domain: Domain::Safety,
        goal: "ย้ายไปอยู่กับยาย".into(),
        agency_id: None,
        due_date: Some("2569-12-15".into()),
        status: GoalStatus::Open,
        outcome: None,
        review_on: None,
    };
    let goal_id = book.add_goal(&worker, &goal).unwrap();
    book.update_goal(
        &worker,
        &goal_id,
        &CarePlanGoal {
            status: GoalStatus::Achieved,
            ..goal.clone()
        },
    )
    .unwrap();
    let bad = book
        .add_goal(
            &worker,
            &CarePlanGoal {
                goal: " ".into(),
                ..goal.clone()
            },
        )
        .unwrap_err();
    assert!(matches!(bad, Error::Invalid(ref i) if i.field == "goal.goal" && i.rule == Rule::Required));

    let agency = book
        .add_agency(
            &worker,
            &Agency {
                name: "สถานีตำรวจภูธรเมืองสมมุติ".into(),
                agency_type: AgencyType::Police,
                address: Some("ถนนสมมุติ อำเภอเมือง".into()),
                contacts: vec![Contact {
                    name: "ร.ต.อ. ทดสอบ".into(),
                    position: Some("พนักงานสอบสวน".into()),
                    phone: None,
                    email: None,
                }],
                services: vec!["สอบสวน".into()],
                mission: Some("คุ้มครองเด็กร่วมกัน".into()),
                hub_unit: None,
                addressee: None,
                salutation: Default::default(),
                retired: false,
            },
        )
        .unwrap();
    let referral = book
        .create_referral(
            &worker,
            &Referral {
                services: vec!["สอบสวน".into()],
                ..Referral::draft(&case.id, &agency, "ดำเนินคดีผู้กระทำ")
            },
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    book.update_referral(
        &worker,
        &referral,
        ReferralStatus::Accepted,
        Some("รับเรื่องแล้ว นัดสอบปากคำ"),
    )
    .unwrap();

    assert_eq!(
        book.open_case(&worker, &case.id).unwrap().parties[0].relationship,
        Some(Relationship::StepParent)
    );
    assert_eq!(
        book.incidents(&worker, &case.id).unwrap()[0].record.place_kind,
        Some(PlaceKind::Home)
    );
    let plan = book.care_plan(&worker, &case.id).unwrap();
    assert_eq!(
        (plan[0].record.status, plan[0].record.due_date.as_deref()),
        (GoalStatus::Achieved, Some("2026-12-15"))
    );
    let referrals = book.referrals(&worker, &case.id).unwrap();
    assert_eq!(referrals[0].record.status, ReferralStatus::Accepted);
    assert_eq!(referrals[0].record.reply.as_deref(), Some("รับเรื่องแล้ว นัดสอบปากคำ"));
    assert_eq!(book.agencies(&worker).unwrap()[0].record.contacts.len(), 1);
    // The stepfather is a party: searching his name leads to the case.
    assert_eq!(book.search_cases(&worker, "ผู้ถูกกล่าวหา", 10).unwrap()[0].id, case.id);

    let before = book.state_hash().unwrap();
    book.rebuild_from_log().unwrap();
    assert_eq!(book.state_hash().unwrap(), before);
}

#[test]
fn letter_numbers_are_sequential_and_a_cancelled_one_is_never_reused() {
    let dir = Dir::new("register");
    let (book, worker, admin, _) = book_with_worker(dir.path());
    let mut book = book;
    book.add_user(&admin, "chief", "หัวหน้า สมมุติ", casebook::Role::Supervisor, WORKER_PASS)
        .unwrap();
    let first = book
        .issue_letter_number(&worker, "ส่งต่อผู้รับบริการ", Some("โรงเรียนสมมุติ"), None, None)
        .unwrap();
    let second = book
        .issue_letter_number(&worker, "ขอความอนุเคราะห์", None, None, None)
        .unwrap();
    // Cancelling is a supervisor's decision.
    assert!(matches!(
        book.cancel_letter(&worker, &second.id, "พิมพ์ผิด"),
        Err(casebook::Error::Forbidden(_))
    ));
    drop(book);
    let (mut book, chief) = casebook::Casebook::unlock(dir.path(), "chief", WORKER_PASS).unwrap();
    book.cancel_letter(&chief, &second.id, "พิมพ์ผิด").unwrap();
    let third = book
        .issue_letter_number(&chief, "ส่งต่อผู้รับบริการ", None, None, None)
        .unwrap();
    assert_eq!(
        (first.record.number, second.record.number, third.record.number),
        (Some(1), Some(2), Some(3))
    );
    let page = book.letter_register(&chief, first.record.be_year).unwrap();
    assert_eq!(page.entries.len(), 3);
    assert!(page.entries[1].record.cancelled);
    assert_eq!(page.entries[1].record.cancel_reason.as_deref(), Some("พิมพ์ผิด"));
    assert_eq!(page.entries[0].record.issued_by, worker.user_id);
    assert_eq!(page.entries[0].record.addressee.as_deref(), Some("โรงเรียนสมมุติ"));
    assert_eq!(page.entries[0].record.device_id.as_deref(), Some(book.device_id()));
    // A book that syncs with no hub is its unit's only laptop: nothing is reserved.
    assert!(page.reserved.is_empty());
}

#[test]
fn an_entry_and_its_photos_are_saved_together_cleaned_and_inside_the_encrypted_file() {
    use casebook::records::evidence::fixtures::{GPS_LATITUDE, jpeg_with_exif};
    use casebook::records::timeline::EntryKind;
    let dir = Dir::new("attach");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("ผู้รับบริการ ภาพถ่าย")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    // A phone photo with its GPS tag, sideways (orientation 6), large.
    let photo = jpeg_with_exif(3000, 1000, 6, true);
    assert!(photo.windows(6).any(|w| w == b"Exif\0\0"));
    let scan = b"%PDF-1.4\n% a returned reply slip, synthetic\n%%EOF\n".to_vec();
    let now = casebook::dates::now_iso();

    // A file that is neither a photo nor a PDF: nothing of the entry is saved.
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    let refused = book.add_timeline_entry_with_files(
        &worker,
        &case.id,
        EntryKind::HomeVisit,
        "เยี่ยมบ้าน",
        &now,
        &[photo.clone(), heic],
    );
    assert!(matches!(refused, Err(Error::Invalid(ref i)) if i.field == "attachment.file"));
    assert!(book.open_case(&worker, &case.id).unwrap().timeline.is_empty());

    let visit = book
        .add_timeline_entry_with_files(
            &worker,
            &case.id,
            EntryKind::HomeVisit,
            "เยี่ยมบ้าน ถ่ายภาพสภาพบ้าน",
            &now,
            &[photo.clone(), scan.clone(), photo.clone()],
        )
        .unwrap();
    let listed = book.entry_attachments(&worker, &visit).unwrap();
    assert_eq!(
        listed.iter().map(|a| a.mime.as_str()).collect::<Vec<_>>(),
        ["image/jpeg", "application/pdf"],
        "the same photo twice is one attachment"
    );
    let (mime, stored) = book.attachment(&worker, &listed[0].sha256).unwrap();
    assert_eq!(mime, "image/jpeg");
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "EXIF removed");
    assert!(
        !stored.windows(GPS_LATITUDE.len()).any(|w| w == GPS_LATITUDE),
        "GPS removed"
    );
    let stored_image = image::load_from_memory(&stored).unwrap();
    assert_eq!(
        (stored_image.width(), stored_image.height()),
        (683, 2048),
        "upright, long edge 2048"
    );
    assert_eq!(book.attachment(&worker, &listed[1].sha256).unwrap().1, scan);
    let thumbnail = book.attachment_thumbnail(&worker, &listed[0].sha256).unwrap().unwrap();
    assert_eq!(image::load_from_memory(&thumbnail).unwrap().height(), 320);
    assert_eq!(book.attachment_thumbnail(&worker, &listed[1].sha256).unwrap(), None);
    // Each look at a photo, small or full, is in the audit trail.
    let looks = book.audit_trail(&admin, Some(&listed[0].sha256), 10).unwrap();
    let actions: Vec<&str> = looks.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"attachment.view") && actions.contains(&"attachment.thumbnail"));

    drop(book);
    let bytes = std::fs::read(dir.path().join(casebook::store::DB_FILE)).unwrap();
    assert!(!bytes.windows(17).any(|w| w == b"a returned reply "));
}

#[test]
fn the_administrator_sets_the_letters_emblem_and_nobody_else_can() {
    let dir = Dir::new("emblem");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    assert_eq!(book.emblem().unwrap(), None);
    let png = b"\x89PNG\r\n\x1a\n a stand-in emblem".to_vec();
    assert!(matches!(
        book.set_emblem(&worker, Some(&png)).unwrap_err(),
        Error::Forbidden(_)
    ));
    match book.set_emblem(&admin, Some(b"GIF89a")).unwrap_err() {
        Error::Invalid(invalid) => assert_eq!((invalid.field.as_str(), invalid.rule), ("unit.emblem", Rule::NotPng)),
        other => panic!("{other:?}"),
    }
    book.set_emblem(&admin, Some(&png)).unwrap();
    assert_eq!(book.emblem().unwrap(), Some(png));
    assert_eq!(
        book.unit().unwrap().name,
        "ศูนย์พึ่งได้ โรงพยาบาลทดสอบ",
        "the rest of the unit kept"
    );
    book.set_emblem(&admin, None).unwrap();
    assert_eq!(book.emblem().unwrap(), None);
    let actions: Vec<String> = book
        .audit_trail(&admin, None, 50)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "unit.emblem").count(), 2);
}

#[test]
fn pdpa_clocks_are_set_by_the_book_and_only_supervisors_keep_them() {
    let dir = Dir::new("pdpa");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    assert!(matches!(
        book.log_data_subject_request(&worker, None, RequestKind::Access, "2026-11-01", None)
            .unwrap_err(),
        Error::Forbidden(_)
    ));
    book.add_user(
        &admin,
        "head",
        "หัวหน้าศูนย์",
        casebook::Role::Supervisor,
        "supervisor-pass-1",
    )
    .unwrap();
    drop(book);
    let (mut book, head) = casebook::Casebook::unlock(dir.path(), "head", "supervisor-pass-1").unwrap();
    let request = book
        .log_data_subject_request(&head, None, RequestKind::Erasure, "2569-11-01", Some("ขอลบข้อมูล"))
        .unwrap();
    assert_eq!(
        (request.record.received_on.as_str(), request.record.due_on.as_str()),
        ("2026-11-01", "2026-12-01")
    );
    let breach = book
        .record_breach(&head, "2026-11-20T08:00:00+07:00", "โน้ตบุ๊กสูญหาย")
        .unwrap();
    assert_eq!(breach.record.notify_by, "2026-11-23T01:00:00+00:00");
    assert_eq!(book.data_subject_requests(&head).unwrap().len(), 1);
}

#[test]
fn a_conference_records_decisions_and_open_actions_carry_over() {
    use casebook::records::conference::{ActionItem, ActionStatus, Attendee, Conference, ConferenceStatus};
    let dir = Dir::new("conference");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("เด็กหญิงประชุม สมมุติ")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let plan = |when: &str| Conference {
        held_at: when.into(),
        venue: Some("ที่ทำการ อบต. สมมุติ".into()),
        chair: None,
        minute_taker: None,
        status: ConferenceStatus::Planned,
    };
    let first = book
        .plan_conference(&worker, &plan("2026-11-10T09:00:00+07:00"))
        .unwrap();
    book.add_attendee(
        &worker,
        &Attendee {
            conference_id: first.clone(),
            name: "ผู้แทนตำรวจ".into(),
            agency_id: None,
            agency_name: Some("สภ.เมือง".into()),
            role: Some("พนักงานสอบสวน".into()),
            confidentiality_ack: true,
        },
    )
    .unwrap();
    let agenda = book
        .add_agenda_case(&worker, &first_on_agenda(first.clone(), &case.id, "ด.ญ. ก. อายุ 14 ปี"))
        .unwrap();
    book.record_decisions(&worker, &agenda, None, Some("สูง"), "ให้ย้ายไปอยู่บ้านพักเด็กชั่วคราว")
        .unwrap();
    let action = |task: &str| ActionItem {
        conference_case_id: agenda.clone(),
        case_id: case.id.clone(),
        task: task.into(),
        agency_id: None,
        agency_name: Some("บ้านพักเด็กฯ".into()),
        person: None,
        due_date: Some("2569-11-20".into()),
        status: ActionStatus::Open,
        domain: Domain::Shelter,
        goal_id: None,
    };
    let done = book.add_action_item(&worker, &action("รับเด็กเข้าบ้านพัก")).unwrap();
    book.add_action_item(&worker, &action("ประสานโรงเรียนใหม่")).unwrap();
    book.set_action_status(&worker, &done, ActionStatus::Done).unwrap();
    book.set_conference_status(&worker, &first, ConferenceStatus::Closed)
        .unwrap();

    let open = book.open_actions(&worker, &case.id).unwrap();
    assert_eq!(
        open.iter().map(|a| a.record.task.as_str()).collect::<Vec<_>>(),
        vec!["ประสานโรงเรียนใหม่"]
    );
    assert_eq!(
        book.agenda(&worker, &first).unwrap()[0].record.decisions.as_deref(),
        Some("ให้ย้ายไปอยู่บ้านพักเด็กชั่วคราว")
    );
    assert!(book.attendees(&worker, &first).unwrap()[0].record.confidentiality_ack);

    // Each action item became a care-plan goal that follows it; closing wrote the decisions
    // and action items into the case's timeline.
    let plan = book.care_plan(&worker, &case.id).unwrap();
    let goal = |task: &str| plan.iter().find(|g| g.record.goal == task).unwrap().record.clone();
    assert_eq!(goal("รับเด็กเข้าบ้านพัก").status, GoalStatus::Achieved);
    assert_eq!(goal("ประสานโรงเรียนใหม่").status, GoalStatus::Open);
    assert_eq!(goal("ประสานโรงเรียนใหม่").due_date.as_deref(), Some("2026-11-20"));
    assert_eq!(goal("ประสานโรงเรียนใหม่").domain, Domain::Shelter);
    let timeline = book.open_case(&worker, &case.id).unwrap().timeline;
    let minutes = timeline
        .iter()
        .find(|e| e.kind == casebook::records::timeline::EntryKind::ConferenceDecision)
        .expect("a conference entry in the timeline");
    assert!(minutes.body.contains("มติ: ให้ย้ายไปอยู่บ้านพักเด็กชั่วคราว"), "{}", minutes.body);
    assert!(
        minutes
            .body
            .contains("มอบหมาย: ประสานโรงเรียนใหม่ (บ้านพักเด็กฯ) ภายใน 20 พฤศจิกายน 2569"),
        "{}",
        minutes.body
    );

    // The next conference sees the open action item carried over, and the overdue view lists it.
    let second = book
        .plan_conference(&worker, &plan_at("2026-11-24T09:00:00+07:00"))
        .unwrap();
    let next = book
        .add_agenda_case(&worker, &first_on_agenda(second.clone(), &case.id, "ด.ญ. ก. อายุ 14 ปี"))
        .unwrap();
    // The conference page shows the case by number, with the action item carried and none of its own yet.
    let detail = book.conference_detail(&worker, &second).unwrap();
    assert_eq!(detail.agenda.len(), 1);
    assert_eq!(detail.agenda[0].case_number, case.case_number);
    assert!(detail.agenda[0].actions.is_empty());
    assert_eq!(
        detail.agenda[0]
            .carried
            .iter()
            .map(|a| a.record.task.as_str())
            .collect::<Vec<_>>(),
        vec!["ประสานโรงเรียนใหม่"]
    );
    let view = book.projector_view(&worker, &next, None).unwrap();
    assert_eq!(
        view.carried.iter().map(|a| a.task.as_str()).collect::<Vec<_>>(),
        vec!["ประสานโรงเรียนใหม่"]
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let overdue = book.overdue_actions(&worker, today).unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0].days_overdue, overdue[0].case_number.as_str()),
        (3, case.case_number.as_str())
    );
    assert!(
        book.overdue_actions(&worker, chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap())
            .unwrap()
            .is_empty()
    );
}

/// The projector never shows the client's name, ID or phone, even when someone types them into
/// the summary or the decisions being written.
#[test]
fn the_projector_view_blacks_out_what_identifies_the_client() {
    use casebook::records::conference::ConferenceStatus;
    let dir = Dir::new("projector");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let mut input = person("เด็กหญิงลับเฉพาะ นามสมมุติ");
    input.phone = Some("0812345678".into());
    let (client, _) = book.create_person(&worker, &input).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let conference = book
        .plan_conference(&worker, &plan_at("2026-11-24T09:00:00+07:00"))
        .unwrap();
    let pseudonym = book.agenda_pseudonym(&worker, &case.id, 0).unwrap();
    let agenda = book
        .add_agenda_case(
            &worker,
            &first_on_agenda(
                conference.clone(),
                &case.id,
                format!("{pseudonym} ชื่อจริง เด็กหญิงลับเฉพาะ นามสมมุติ โทร 081 234 5678"),
            ),
        )
        .unwrap();
    book.project_case(&worker, &agenda).unwrap();
    let view = book
        .projector_view(&worker, &agenda, Some("ให้ลับเฉพาะพักที่บ้านพัก เลข 1103702345679"))
        .unwrap();
    let shown = format!("{} {} {}", view.summary, view.decisions, view.risk_assessment);
    for secret in ["ลับเฉพาะ", "นามสมมุติ", "1103702345679", "081 234 5678"] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(shown.starts_with(&pseudonym), "{shown}");
    assert!(shown.contains("พักที่บ้านพัก"));
    assert_eq!((view.position, view.total), (1, 1));
    book.set_conference_status(&worker, &conference, ConferenceStatus::InSession)
        .unwrap();
}

/// The first case on a conference's agenda, with its summary.
fn first_on_agenda(
    conference_id: String,
    case_id: &str,
    summary: impl Into<String>,
) -> casebook::records::conference::AgendaCase {
    casebook::records::conference::AgendaCase {
        conference_id,
        case_id: case_id.to_owned(),
        position: 1,
        summary: Some(summary.into()),
        risk_assessment: None,
        decisions: None,
    }
}

fn plan_at(when: &str) -> casebook::records::conference::Conference {
    casebook::records::conference::Conference {
        held_at: when.into(),
        venue: Some("ที่ทำการ อบต. สมมุติ".into()),
        chair: None,
        minute_taker: None,
        status: casebook::records::conference::ConferenceStatus::Planned,
    }
}

#[test]
fn the_administrator_edits_lookups_and_deactivated_ones_disappear_from_pickers() {
    use casebook::records::lookup::Lookup;
    let dir = Dir::new("lookups");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let reason = |code: &str, th: &str, active: bool| Lookup {
        kind: "referral_destination".into(),
        code: code.into(),
        label_th: th.into(),
        label_en: code.into(),
        active,
    };
    book.set_lookup(&admin, &reason("safe", "ปลอดภัยแล้ว", true)).unwrap();
    book.set_lookup(&admin, &reason("moved", "ย้ายออกนอกพื้นที่", true)).unwrap();
    assert!(matches!(
        book.set_lookup(&worker, &reason("x", "x", true)).unwrap_err(),
        Error::Forbidden(_)
    ));
    book.set_lookup(&admin, &reason("moved", "ย้ายออกนอกพื้นที่", false))
        .unwrap();
    let labels: Vec<String> = book
        .lookups("referral_destination")
        .unwrap()
        .into_iter()
        .map(|l| l.label_th)
        .collect();
    assert_eq!(labels, vec!["ปลอดภัยแล้ว"]);
}

#[test]
fn issuing_a_referral_letter_numbers_it_marks_it_sent_and_audits_the_export() {
    let dir = Dir::new("issue");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("ผู้รับบริการ ส่งต่อ")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let agency = book
        .add_agency(&worker, &Agency::new("บ้านพักเด็กฯ สมมุติ", AgencyType::Shelter))
        .unwrap();
    let referral = Referral::draft(&case.id, &agency, "คุ้มครองชั่วคราว");
    let first = book
        .create_referral(
            &worker,
            &referral,
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    let second = book
        .create_referral(
            &worker,
            &referral,
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    let (sent, entry) = book.issue_referral_letter(&worker, &first, "ขอส่งต่อผู้รับบริการ").unwrap();
    assert_eq!(
        (sent.record.status, sent.record.letter_number.as_deref()),
        (ReferralStatus::Sent, Some("CPN/1"))
    );
    assert_eq!(
        (entry.record.number, entry.record.referral_id.as_deref()),
        (Some(1), Some(first.as_str()))
    );
    let (again, _) = book.issue_referral_letter(&worker, &second, "ขอส่งต่อผู้รับบริการ").unwrap();
    assert_eq!(again.record.letter_number.as_deref(), Some("CPN/2"));
    let trail = book.audit_trail(&admin, Some(&case.id), 10).unwrap();
    assert_eq!(trail.iter().filter(|e| e.action == "case.export").count(), 2);
}

/// An enrolled laptop gives numbers from the blocks the hub allotted it, in order, and a
/// provisional one when they are used up; the hub naming the same blocks again at the next
/// sync gives no number a second time.
#[test]
fn numbers_come_from_the_laptops_blocks_and_are_never_given_twice() {
    use casebook::records::numbers::{NumberBlock, NumberKind, NumberWant};
    let dir = Dir::new("blocks");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    book.take_device_id(&admin, "3f9a1c2b00000000").unwrap();
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    let wants = [NumberWant {
        kind: NumberKind::Case,
        be_year: year,
        count: 0,
        above: 0,
    }];
    let blocks = [
        NumberBlock {
            kind: NumberKind::Case,
            be_year: year,
            device_id: "someone-else".into(),
            first: 1,
            last: 2,
        },
        NumberBlock {
            kind: NumberKind::Case,
            be_year: year,
            device_id: "3f9a1c2b00000000".into(),
            first: 3,
            last: 4,
        },
    ];
    book.keep_number_blocks(&wants, &blocks).unwrap();
    let open = |book: &mut casebook::Casebook| {
        let (client, _) = book.create_person(&worker, &person("ผู้รับบริการ ลำดับเลข")).unwrap();
        book.create_case(&worker, &case_for(&client)).unwrap().case_number
    };
    assert_eq!(open(&mut book), format!("CPN-{year}-0003"));
    book.keep_number_blocks(&wants, &blocks).unwrap();
    assert_eq!(open(&mut book), format!("CPN-{year}-0004"));
    assert_eq!(open(&mut book), format!("CPN-{year}-P3F9A1C2B-01"));
    book.keep_number_blocks(&wants, &blocks).unwrap();
    assert_eq!(open(&mut book), format!("CPN-{year}-P3F9A1C2B-02"));
}
