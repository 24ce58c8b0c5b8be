//! Daily case work after intake: corrections that merge field by field, re-triage with a
//! reason, the status workflow, handover and the inbox, Today, and drafts kept through a lock.

mod common;

use casebook::log::events::Event;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::care::{PartyRole, Relationship};
use casebook::records::case::{Risk, Status, ViolenceType};
use casebook::records::case_list::{CaseFilter, CaseSort};
use casebook::records::case_update::CaseUpdate;
use casebook::records::clinical::{Clock, ClockMark};
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::inbox::InboxKind;
use casebook::records::party::PartyInput;
use casebook::records::referral::{Referral, ReferralStatus};
use casebook::records::status::Closing;
use casebook::records::timeline::EntryKind;
use casebook::records::today::QUIET_DAYS;
use casebook::sync::receive::Incoming;
use casebook::{Casebook, Error, Role, Session};
use common::*;

fn update_of(case: &casebook::records::case::Case) -> CaseUpdate {
    CaseUpdate {
        source: case.source,
        categories: case.categories.clone(),
        violence_types: case.violence_types.clone(),
        risk: case.risk,
        risk_reason: None,
        incident_at: case.incident_at.clone(),
        place_kind: None,
        incident_description: None,
        consent: case.consent.clone(),
        legal_basis: case.legal_basis.clone(),
    }
}

fn rule(err: Error) -> casebook::error::Rule {
    match err {
        Error::Invalid(invalid) => invalid.rule,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A referral sent to `agency_id`, its reply expected by `reply_by` (else by its urgency).
fn sent_referral(case_id: &str, agency_id: &str, reply_by: Option<&str>) -> Referral {
    Referral {
        status: ReferralStatus::Sent,
        reply_by: reply_by.map(str::to_owned),
        ..Referral::draft(case_id, agency_id, "ที่พักชั่วคราว")
    }
}

/// A supervisor added by the administrator, signed in on the same book.
fn with_supervisor(dir: &std::path::Path, book: Casebook, admin: &Session) -> (Casebook, Session, Session) {
    let mut book = book;
    book.add_user(admin, "super", "หัวหน้างาน สมมุติ", Role::Supervisor, WORKER_PASS)
        .unwrap();
    let worker2 = book
        .add_user(admin, "worker2", "นักสังคม คนที่สอง", Role::SocialWorker, WORKER_PASS)
        .unwrap();
    drop(book);
    let (book, supervisor) = Casebook::unlock(dir, "super", WORKER_PASS).unwrap();
    let worker2 = Session {
        user_id: worker2,
        username: "worker2".into(),
        role: Role::SocialWorker,
    };
    (book, supervisor, worker2)
}

#[test]
fn a_case_is_corrected_field_by_field_and_a_risk_change_needs_a_reason_kept_in_its_history() {
    let dir = Dir::new("update-case");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("เด็กหญิงแก้ไข ข้อมูล")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();

    let mut update = update_of(&case);
    update.risk = Risk::Yellow;
    assert_eq!(
        rule(book.update_case(&worker, &case.id, &update).unwrap_err()),
        casebook::error::Rule::Required,
        "a risk change without a reason is refused"
    );
    update.risk_reason = Some("ย้ายไปอยู่กับยาย ปลอดภัยขึ้น".into());
    update.incident_description = Some("ถูกทำร้ายที่บ้าน".into());
    update.place_kind = Some(casebook::records::care::PlaceKind::Home);
    book.update_case(&worker, &case.id, &update).unwrap();

    let view = book.open_case(&worker, &case.id).unwrap();
    assert_eq!(view.case.risk, Risk::Yellow);
    assert_eq!(
        view.incident.as_ref().and_then(|i| i.record.description.as_deref()),
        Some("ถูกทำร้ายที่บ้าน")
    );
    let history: Vec<_> = view
        .timeline
        .iter()
        .filter(|e| e.change_field.as_deref() == Some("risk"))
        .collect();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].change_from.as_deref(), Some("red"));
    assert_eq!(history[0].change_to.as_deref(), Some("yellow"));
    assert_eq!(history[0].body, "ย้ายไปอยู่กับยาย ปลอดภัยขึ้น");
    assert_eq!(history[0].author_name.as_deref(), Some("นักสังคมสงเคราะห์ สมมุติ"));

    // The edit named only what changed: the event carries risk, not the untouched fields.
    let last_case_event = book
        .events()
        .unwrap()
        .into_iter()
        .rfind(|e| e.entity_id == case.id)
        .unwrap();
    assert!(last_case_event.fields.contains_key("risk"));
    assert!(!last_case_event.fields.contains_key("source"));
    assert!(!last_case_event.fields.contains_key("consent"));

    // Saving the form unchanged writes nothing.
    let before = book.events().unwrap().len();
    let view = book.open_case(&worker, &case.id).unwrap();
    let same = CaseUpdate {
        place_kind: view.incident.as_ref().and_then(|i| i.record.place_kind),
        incident_description: view.incident.as_ref().and_then(|i| i.record.description.clone()),
        ..update_of(&view.case)
    };
    book.update_case(&worker, &case.id, &same).unwrap();
    assert_eq!(book.events().unwrap().len(), before);
}

#[test]
fn two_laptops_edit_different_fields_of_a_case_and_a_person_and_both_edits_stay() {
    let dir_a = Dir::new("edit-a");
    let dir_b = Dir::new("edit-b");
    let (mut a, _, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let (client, _) = a.create_person(&wa, &person("นางสองเครื่อง แก้ไขพร้อมกัน")).unwrap();
    let case = a.create_case(&wa, &case_for(&client)).unwrap();
    exchange(&mut a, &mut b);

    // Offline at once: A corrects the phone and the consent, B the address and the risk.
    let mut on_a = person("นางสองเครื่อง แก้ไขพร้อมกัน");
    on_a.phone = Some("0811112222".into());
    a.update_person(&wa, &client, &on_a).unwrap();
    let mut case_a = update_of(&case);
    case_a.consent = Some("client_signed".into());
    a.update_case(&wa, &case.id, &case_a).unwrap();
    let mut on_b = person("นางสองเครื่อง แก้ไขพร้อมกัน");
    on_b.address = Some("12 ถนนสมมุติ".into());
    b.update_person(&wb, &client, &on_b).unwrap();
    let mut case_b = update_of(&case);
    case_b.risk = Risk::Green;
    case_b.risk_reason = Some("ปลอดภัยแล้ว".into());
    b.update_case(&wb, &case.id, &case_b).unwrap();
    exchange(&mut a, &mut b);

    for (book, session) in [(&mut a, &wa), (&mut b, &wb)] {
        let shown = book.reveal_person(session, &client, "ตรวจสอบการรวมข้อมูล").unwrap();
        assert_eq!(shown.phone.as_deref(), Some("0811112222"));
        assert_eq!(shown.address.as_deref(), Some("12 ถนนสมมุติ"));
        let view = book.open_case(session, &case.id).unwrap();
        assert_eq!(
            (view.case.risk, view.case.consent.as_deref()),
            (Risk::Green, Some("client_signed"))
        );
        assert!(
            book.conflicts(session).unwrap().is_empty(),
            "different fields never conflict"
        );
    }

    // The same field on both: a conflict shown with its case, both writers and when.
    let mut one = update_of(&a.open_case(&wa, &case.id).unwrap().case);
    one.legal_basis = Some("child_protection_act".into());
    a.update_case(&wa, &case.id, &one).unwrap();
    let mut two = one.clone();
    two.legal_basis = Some("pdpa_s24".into());
    b.update_case(&wb, &case.id, &two).unwrap();
    exchange(&mut a, &mut b);
    let conflicts = a.conflicts(&wa).unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(
        (c.field.as_str(), c.case_number.as_deref()),
        ("legal_basis", Some(case.case_number.as_str()))
    );
    assert!(c.kept_by.is_some() && c.other_by.is_some() && c.kept_at.is_some() && c.other_at.is_some());
}

/// Each book takes in the other's events.
fn exchange(a: &mut Casebook, b: &mut Casebook) {
    let from_a: Vec<Event> = a.events().unwrap();
    let from_b: Vec<Event> = b.events().unwrap();
    let wrap = |events: Vec<Event>| -> Vec<Incoming> {
        events
            .into_iter()
            .map(|event| Incoming::Event { event, writer: None })
            .collect()
    };
    b.receive(wrap(from_a), 1).unwrap();
    a.receive(wrap(from_b), 1).unwrap();
}

#[test]
fn parties_are_added_corrected_and_removed_and_search_follows() {
    let dir = Dir::new("parties");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("เด็กชายคู่กรณี ทดสอบ")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let party = book
        .add_named_party(
            &worker,
            &case.id,
            &PartyInput {
                name_th: Some("นายผู้ถูกกล่าวหา สมมุติขึ้น".into()),
                role: PartyRole::AllegedPerpetrator,
                relationship: Some(Relationship::StepParent),
            },
        )
        .unwrap();
    let found = |book: &mut Casebook, q: &str| book.search_cases(&worker, q, 10).unwrap().len();
    assert_eq!(found(&mut book, "ผู้ถูกกล่าวหา"), 1);
    book.update_party(
        &worker,
        &party,
        &PartyInput {
            name_th: Some("นายเปลี่ยนชื่อ สมมุติขึ้น".into()),
            role: PartyRole::AllegedPerpetrator,
            relationship: Some(Relationship::Neighbour),
        },
    )
    .unwrap();
    let view = book.open_case(&worker, &case.id).unwrap();
    assert_eq!(view.parties[0].relationship, Some(Relationship::Neighbour));
    assert_eq!(found(&mut book, "เปลี่ยนชื่อ"), 1);
    book.remove_party(&worker, &party).unwrap();
    assert!(book.open_case(&worker, &case.id).unwrap().parties.is_empty());
    assert_eq!(
        found(&mut book, "เปลี่ยนชื่อ"),
        0,
        "a removed party no longer leads to the case"
    );
}

#[test]
fn statuses_move_by_allowed_steps_close_with_a_reason_and_outcome_and_reopen() {
    let dir = Dir::new("status");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("นางสถานะ ทดสอบ")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    assert_eq!(
        rule(book.change_status(&worker, &case.id, Status::Closed, "ปิด").unwrap_err()),
        casebook::error::Rule::NotAStep,
        "closing is its own step"
    );
    book.change_status(&worker, &case.id, Status::InService, "เริ่มให้บริการ")
        .unwrap();
    assert_eq!(
        rule(
            book.change_status(&worker, &case.id, Status::Intake, "ย้อน")
                .unwrap_err()
        ),
        casebook::error::Rule::NotAStep,
        "back more than one step is refused"
    );
    book.change_status(&worker, &case.id, Status::Planning, "วางแผนใหม่")
        .unwrap();

    // Open work is shown before closing.
    let agency = book
        .add_agency(&worker, &Agency::new("ตำรวจ สมมุติ", AgencyType::Police))
        .unwrap();
    let referral = book
        .create_referral(
            &worker,
            &sent_referral(&case.id, &agency, None),
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    assert_eq!(book.open_work(&worker, &case.id).unwrap().referrals, ["ตำรวจ สมมุติ"]);
    book.update_referral(&worker, &referral, ReferralStatus::Completed, None)
        .unwrap();
    assert!(book.open_work(&worker, &case.id).unwrap().referrals.is_empty());

    // The reason and outcome come from the unit's lists; one the administrator deactivated is refused.
    let reasons = book.lookups("closure_reason").unwrap();
    assert!(
        reasons.iter().any(|l| l.code == "goals_met"),
        "the built-in list is there"
    );
    book.set_lookup(
        &admin,
        &casebook::records::lookup::Lookup {
            kind: "closure_reason".into(),
            code: "died".into(),
            label_th: "เสียชีวิต".into(),
            label_en: "Died".into(),
            active: false,
        },
    )
    .unwrap();
    let closing = |reason: &str| Closing {
        reason: reason.into(),
        outcome: "safe".into(),
        note: Some("ครบตามแผน".into()),
    };
    assert_eq!(
        rule(book.close_case(&worker, &case.id, &closing("died")).unwrap_err()),
        casebook::error::Rule::Required
    );
    book.close_case(&worker, &case.id, &closing("goals_met")).unwrap();
    let view = book.open_case(&worker, &case.id).unwrap();
    assert_eq!(view.case.status, Status::Closed);
    assert_eq!(
        (view.case.closure_reason.as_deref(), view.case.outcome.as_deref()),
        (Some("goals_met"), Some("safe"))
    );
    let last = view.timeline.last().unwrap();
    assert_eq!(
        (last.change_from.as_deref(), last.change_to.as_deref()),
        (Some("planning"), Some("closed"))
    );

    assert_eq!(
        rule(book.reopen_case(&worker, &case.id, " ").unwrap_err()),
        casebook::error::Rule::Required
    );
    book.reopen_case(&worker, &case.id, "ถูกทำร้ายซ้ำ").unwrap();
    let view = book.open_case(&worker, &case.id).unwrap();
    assert_eq!(view.case.status, Status::Assessment);
    assert_eq!(view.case.closure_reason, None);
    assert_eq!(view.timeline.last().unwrap().body, "ถูกทำร้ายซ้ำ");
}

#[test]
fn a_supervisor_hands_cases_over_and_the_receiver_acknowledges_from_the_inbox() {
    let dir = Dir::new("handover");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("นางส่งต่องาน ทดสอบ")).unwrap();
    let first = book.create_case(&worker, &case_for(&client)).unwrap();
    let second = book.create_case(&worker, &case_for(&client)).unwrap();
    let (mut book, supervisor, worker2) = with_supervisor(dir.path(), book, &admin);

    assert!(matches!(
        book.hand_over(&worker, std::slice::from_ref(&first.id), &worker2.user_id, "ลาคลอด")
            .unwrap_err(),
        Error::Forbidden(_)
    ));
    assert_eq!(
        rule(
            book.hand_over(&supervisor, std::slice::from_ref(&first.id), &admin.user_id, "x")
                .unwrap_err()
        ),
        casebook::error::Rule::NotAWorker,
        "a case never goes to the administrator"
    );
    let moved = book
        .hand_over_all(
            &supervisor,
            &worker.user_id,
            &worker2.user_id,
            "ผู้รับผิดชอบเดิมลาคลอด 3 เดือน",
        )
        .unwrap();
    assert_eq!(moved, 2);
    let inbox = book.inbox(&worker2).unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(inbox.iter().all(|i| i.kind == InboxKind::HandedToMe));
    assert_eq!(inbox[0].note.as_deref(), Some("ผู้รับผิดชอบเดิมลาคลอด 3 เดือน"));
    assert!(book.inbox(&worker).unwrap().is_empty());

    book.acknowledge_handover(&worker2, &first.id).unwrap();
    assert_eq!(book.inbox(&worker2).unwrap().len(), 1);
    assert_eq!(
        rule(book.acknowledge_handover(&worker, &second.id).unwrap_err()),
        casebook::error::Rule::NotAStep,
        "only the receiver acknowledges"
    );
    let view = book.open_case(&worker2, &first.id).unwrap();
    assert_eq!(view.case.case_manager_id.as_deref(), Some(worker2.user_id.as_str()));
    let handover = view
        .timeline
        .iter()
        .rfind(|e| e.change_field.as_deref() == Some("case_manager"))
        .unwrap();
    assert_eq!(handover.change_from.as_deref(), Some(worker.user_id.as_str()));
    assert_eq!(handover.author_name.as_deref(), Some("หัวหน้างาน สมมุติ"));

    // A worker takes only a case without a manager here; co-workers are workers of the unit.
    assert!(matches!(
        book.take_case(&worker, &first.id).unwrap_err(),
        Error::Forbidden(_)
    ));
    book.set_co_workers(&worker2, &first.id, std::slice::from_ref(&worker.user_id))
        .unwrap();
    let view = book.open_case(&worker, &first.id).unwrap();
    assert_eq!(view.co_worker_names, ["นักสังคมสงเคราะห์ สมมุติ"]);
    assert!(
        book.set_co_workers(&worker2, &first.id, std::slice::from_ref(&admin.user_id))
            .is_err()
    );
    // A disabled manager's case is waiting in the inbox for anyone to take.
    book.remove_user(&admin, "worker2").unwrap();
    let waiting = book.inbox(&worker).unwrap();
    assert_eq!(waiting.len(), 2);
    assert!(waiting.iter().all(|i| i.kind == InboxKind::NoManager));
    book.take_case(&worker, &first.id).unwrap();
    assert_eq!(book.inbox(&worker).unwrap().len(), 1);
}

#[test]
fn today_shows_follow_ups_clocks_late_replies_and_quiet_red_cases_and_the_list_sorts_by_them() {
    let dir = Dir::new("today");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("เด็กหญิงวันนี้ ทดสอบ")).unwrap();
    let mut input = case_for(&client);
    input.violence_types = vec![ViolenceType::Sexual];
    input.incident_at = Some((chrono::Utc::now() - chrono::Duration::hours(10)).to_rfc3339());
    let urgent = book.create_case(&worker, &input).unwrap();
    let mut calm = case_for(&client);
    calm.risk = Risk::Green;
    let calm = book.create_case(&worker, &calm).unwrap();

    // PEP and emergency contraception run for a unit that is not a hospital too.
    let today = book.today(&worker, QUIET_DAYS).unwrap();
    let clocks: Vec<Clock> = today.clocks.iter().map(|c| c.clock.clock).collect();
    assert_eq!(clocks, [Clock::Pep, Clock::EmergencyContraception]);
    book.mark_clock(&worker, &urgent.id, Clock::Pep, ClockMark::Given)
        .unwrap();
    let today = book.today(&worker, QUIET_DAYS).unwrap();
    assert_eq!(
        today.clocks.iter().map(|c| c.clock.clock).collect::<Vec<_>>(),
        [Clock::EmergencyContraception]
    );
    let view = book.open_case(&worker, &urgent.id).unwrap();
    let pep = view.clocks.iter().find(|c| c.clock == Clock::Pep).unwrap();
    assert_eq!(pep.mark, Some(ClockMark::Given));
    assert_eq!(pep.marked_by.as_deref(), Some("นักสังคมสงเคราะห์ สมมุติ"));

    // A follow-up due today shows, and gives the case its next due date.
    assert!(today.follow_ups.is_empty());
    let yesterday = (casebook::dates::today() - chrono::Duration::days(1)).to_string();
    book.set_follow_up(&worker, &calm.id, Some(&yesterday)).unwrap();
    let today = book.today(&worker, QUIET_DAYS).unwrap();
    assert_eq!(today.follow_ups.len(), 1);
    assert_eq!(today.follow_ups[0].case_number, calm.case_number);
    let overdue = CaseFilter {
        overdue: true,
        ..CaseFilter::default()
    };
    let rows = book.list_cases(&worker, &overdue).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].next_due_date.as_deref(), Some(yesterday.as_str()));

    // A referral past its expected reply.
    let agency = book
        .add_agency(&worker, &Agency::new("บ้านพัก สมมุติ", AgencyType::Shelter))
        .unwrap();
    book.create_referral(
        &worker,
        &sent_referral(&urgent.id, &agency, Some(&yesterday)),
        Some(&BasisGiven {
            basis: Basis::ChildProtection,
            reason: "เด็กเสี่ยงอันตราย".into(),
        }),
    )
    .unwrap();
    let today = book.today(&worker, QUIET_DAYS).unwrap();
    assert_eq!(today.referrals.len(), 1);
    assert_eq!(today.referrals[0].what.as_deref(), Some("บ้านพัก สมมุติ"));

    // The red case whose last contact was ten days ago is quiet, until a call is recorded.
    let days_ago = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    book.add_timeline_entry(&worker, &urgent.id, EntryKind::HomeVisit, "เยี่ยมบ้าน", &days_ago(10))
        .unwrap();
    let quiet = book.today(&worker, QUIET_DAYS).unwrap().quiet;
    assert_eq!(
        quiet.iter().map(|q| q.case_number.as_str()).collect::<Vec<_>>(),
        [urgent.case_number.as_str()]
    );
    book.add_timeline_entry(&worker, &urgent.id, EntryKind::Call, "โทรติดตาม", &days_ago(0))
        .unwrap();
    assert!(book.today(&worker, QUIET_DAYS).unwrap().quiet.is_empty());
    let sorted = book
        .list_cases(
            &worker,
            &CaseFilter {
                sort: CaseSort::Risk,
                ..CaseFilter::default()
            },
        )
        .unwrap();
    assert_eq!(
        sorted.iter().map(|r| r.risk).collect::<Vec<_>>(),
        [Risk::Red, Risk::Green]
    );
}

#[test]
fn a_draft_is_kept_for_its_user_only_and_goes_when_dropped() {
    let dir = Dir::new("drafts");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    book.save_draft(&worker, "intake", r#"{"name_th":"ครึ่งทาง"}"#).unwrap();
    assert_eq!(book.drafts(&worker).unwrap(), ["intake"]);
    assert!(
        book.draft(&admin, "intake").unwrap().is_none(),
        "another user sees no draft"
    );
    drop(book);
    // Through a lock: the book reopened by the same user gives it back.
    let (mut book, worker) = Casebook::unlock(dir.path(), "worker", WORKER_PASS).unwrap();
    assert_eq!(
        book.draft(&worker, "intake").unwrap().as_deref(),
        Some(r#"{"name_th":"ครึ่งทาง"}"#)
    );
    book.drop_draft(&worker, "intake").unwrap();
    assert!(book.drafts(&worker).unwrap().is_empty());
    // Kept only inside the encrypted book: the words are nowhere in the folder's files.
    book.save_draft(&worker, "intake", "คำที่พิมพ์ค้างไว้ลับมาก").unwrap();
    drop(book);
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let needle = "คำที่พิมพ์ค้างไว้ลับมาก".as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds the draft in clear",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_facilitator_sees_the_daily_work_but_changes_nothing_of_a_case() {
    let dir = Dir::new("facilitator");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("นางผู้ประสาน ทดสอบ")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let facilitator = Session {
        role: Role::Facilitator,
        ..worker.clone()
    };
    let forbidden = |result: casebook::Result<()>| assert!(matches!(result, Err(Error::Forbidden(_))), "{result:?}");
    forbidden(book.update_case(&facilitator, &case.id, &update_of(&case)));
    forbidden(book.change_status(&facilitator, &case.id, Status::Assessment, "x"));
    forbidden(book.set_follow_up(&facilitator, &case.id, None));
    forbidden(book.take_case(&facilitator, &case.id));
    forbidden(book.acknowledge_handover(&facilitator, &case.id));
    forbidden(book.set_co_workers(&facilitator, &case.id, &[]));
    forbidden(book.remove_party(&facilitator, "any"));
    forbidden(book.close_case(
        &facilitator,
        &case.id,
        &Closing {
            reason: "goals_met".into(),
            outcome: "safe".into(),
            note: None,
        },
    ));
    assert!(book.today(&facilitator, QUIET_DAYS).is_ok());
    assert!(book.inbox(&facilitator).is_ok());
}

#[test]
fn a_status_moved_on_one_laptop_and_a_risk_changed_on_another_both_stay() {
    let dir_a = Dir::new("status-a");
    let dir_b = Dir::new("status-b");
    let (mut a, _, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let (client, _) = a.create_person(&wa, &person("เด็กชายสองเครื่อง สถานะ")).unwrap();
    let case = a.create_case(&wa, &case_for(&client)).unwrap();
    exchange(&mut a, &mut b);
    a.change_status(&wa, &case.id, Status::Assessment, "เยี่ยมบ้านแล้ว")
        .unwrap();
    a.set_follow_up(&wa, &case.id, Some("2026-12-20")).unwrap();
    let mut retriage = update_of(&case);
    retriage.risk = Risk::Yellow;
    retriage.risk_reason = Some("ผู้กระทำถูกควบคุมตัว".into());
    b.update_case(&wb, &case.id, &retriage).unwrap();
    exchange(&mut a, &mut b);
    for (book, session) in [(&mut a, &wa), (&mut b, &wb)] {
        let view = book.open_case(session, &case.id).unwrap();
        assert_eq!(
            (view.case.status, view.case.risk, view.case.follow_up_on.as_deref()),
            (Status::Assessment, Risk::Yellow, Some("2026-12-20"))
        );
        let changes: Vec<_> = view.timeline.iter().filter_map(|e| e.change_field.as_deref()).collect();
        assert!(changes.contains(&"status") && changes.contains(&"risk"), "{changes:?}");
        assert!(book.conflicts(session).unwrap().is_empty());
    }
}
