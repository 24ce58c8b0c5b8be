//! Search, masking, permissions and auditing, as a social worker would meet them.

mod common;

use casebook::records::case::Risk;
use casebook::records::case_list::CaseFilter;
use casebook::records::timeline::EntryKind;
use casebook::{Error, Role};
use common::*;

/// The case numbers a search shows, in its order.
fn found_case_numbers(book: &mut casebook::Casebook, session: &casebook::Session, query: &str) -> Vec<String> {
    book.search_cases(session, query, 20)
        .unwrap()
        .into_iter()
        .map(|r| r.case_number)
        .collect()
}

#[test]
fn thai_name_fragments_ids_phones_case_numbers_and_notes_are_found() {
    let dir = Dir::new("search");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (somsri, _) = book.create_person(&worker, &person("นางสมศรีใจดี")).unwrap();
    let mut other = person("นายมานะ อดทน");
    other.id_number = Some("3100100234562".into());
    other.id_kind = Some(casebook::records::person::IdKind::ThaiCitizen);
    let (mana, _) = book.create_person(&worker, &other).unwrap();
    let a = book.create_case(&worker, &case_for(&somsri)).unwrap();
    let b = book.create_case(&worker, &case_for(&mana)).unwrap();
    book.add_timeline_entry(
        &worker,
        &b.id,
        EntryKind::Call,
        "โทรนัดหมายเยี่ยมบ้านที่ตลาดน้ำ",
        "2026-11-05T10:00:00+07:00",
    )
    .unwrap();

    let numbers = |book: &mut casebook::Casebook, q: &str| found_case_numbers(book, &worker, q);
    assert_eq!(numbers(&mut book, "สมศรี"), vec![a.case_number.clone()]);
    assert_eq!(numbers(&mut book, "ใจดี"), vec![a.case_number.clone()]);
    assert_eq!(numbers(&mut book, "ตลาดน้ำ"), vec![b.case_number.clone()]);
    assert_eq!(numbers(&mut book, "0023456"), vec![b.case_number.clone()]);
    assert_eq!(numbers(&mut book, &b.case_number), vec![b.case_number.clone()]);
    // Two letters: too short for trigrams, still found.
    assert_eq!(numbers(&mut book, "มา"), vec![b.case_number.clone()]);
    assert!(numbers(&mut book, "ไม่มีใครชื่อนี้").is_empty());
    // Idle-time housekeeping (checkpoint, index merge) changes no answer.
    book.maintain().unwrap();
    assert_eq!(numbers(&mut book, "สมศรี"), vec![a.case_number.clone()]);
    assert_eq!(numbers(&mut book, "ตลาดน้ำ"), vec![b.case_number.clone()]);
    // Quotes and FTS syntax in the query are just text.
    assert!(numbers(&mut book, "\"สมศรี OR *").is_empty());
}

/// Search rows wait in a queue and move into the index in batches: whichever side a record's
/// row is on, a renamed client is found by the new name only.
#[test]
fn a_renamed_client_is_found_by_the_new_name_only_before_and_after_indexing() {
    let dir = Dir::new("rename");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("นางบุษบา ทดลองชื่อ")).unwrap();
    let case = book.create_case(&worker, &case_for(&pid)).unwrap();
    let found = |book: &mut casebook::Casebook, q: &str| -> usize { book.search_cases(&worker, q, 20).unwrap().len() };
    book.maintain().unwrap(); // the old name is now in the index
    book.update_person(&worker, &pid, &person("นางการะเกด ทดลองชื่อ"))
        .unwrap();
    assert_eq!(
        found(&mut book, "บุษบา"),
        0,
        "the indexed old name is hidden by the queued new one"
    );
    assert_eq!(found(&mut book, "การะเกด"), 1);
    book.update_person(&worker, &pid, &person("นางจำปา ทดลองชื่อ")).unwrap();
    assert_eq!(found(&mut book, "การะเกด"), 0, "only the newest queued row counts");
    assert_eq!(found(&mut book, "จำปา"), 1);
    assert_eq!(found(&mut book, "จำ"), 1, "short queries read the queue too");
    // Three hundred notes fill the queue past its limit: it moves into the index on its own.
    for i in 0..300 {
        book.add_timeline_entry(
            &worker,
            &case.id,
            EntryKind::Note,
            &format!("บันทึกลำดับ{i:03}"),
            "2026-11-05T10:00:00+07:00",
        )
        .unwrap();
    }
    assert_eq!(found(&mut book, "บันทึกลำดับ007"), 1);
    assert_eq!(found(&mut book, "บันทึกลำดับ299"), 1);
    assert_eq!(found(&mut book, "จำปา"), 1);
    book.maintain().unwrap();
    assert_eq!(found(&mut book, "บุษบา") + found(&mut book, "การะเกด"), 0);
    assert_eq!(found(&mut book, "จำปา"), 1);
    assert_eq!(found(&mut book, "บันทึกลำดับ299"), 1);
}

/// A sync leaves what it takes in queued for the index (`catch_up_search` moves it later):
/// the laptop finds those cases at once, by their newest text only, and the same afterwards.
#[test]
fn cases_a_sync_takes_in_are_found_before_and_after_the_index_catches_up() {
    let (dir_a, dir_b) = (Dir::new("synced-a"), Dir::new("synced-b"));
    let (mut a, _, worker_a) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, worker_b) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let (pid, _) = a.create_person(&worker_a, &person("นางกุหลาบ ทดสอบ")).unwrap();
    let case = a.create_case(&worker_a, &case_for(&pid)).unwrap();
    a.update_person(&worker_a, &pid, &person("นางพิกุล ทดสอบ")).unwrap();
    a.add_timeline_entry(
        &worker_a,
        &case.id,
        EntryKind::HomeVisit,
        "เยี่ยมบ้านริมคลองแสนแสบ",
        "2026-11-05T10:00:00+07:00",
    )
    .unwrap();
    let incoming = a
        .events()
        .unwrap()
        .into_iter()
        .map(|event| casebook::sync::receive::Incoming::Event { event, writer: None })
        .collect();
    b.receive(incoming, 1).unwrap();

    let found = |book: &mut casebook::Casebook, q: &str| found_case_numbers(book, &worker_b, q);
    let expect = vec![case.case_number.clone()];
    for step in ["queued", "indexed"] {
        assert_eq!(found(&mut b, "พิกุล"), expect, "{step}: the new name");
        assert!(found(&mut b, "กุหลาบ").is_empty(), "{step}: the old name");
        assert_eq!(found(&mut b, "ริมคลอง"), expect, "{step}: the note");
        assert_eq!(found(&mut b, &case.case_number), expect, "{step}: the case number");
        assert!(!b.catch_up_search().unwrap(), "a few rows move in one step");
    }
}

#[test]
fn lists_are_masked_and_revealing_identity_needs_a_reason_and_is_audited() {
    let dir = Dir::new("reveal");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("เด็กหญิงดาวเรือง สมมุติ")).unwrap();
    let case = book.create_case(&worker, &case_for(&pid)).unwrap();

    let rows = book.list_cases(&worker, &CaseFilter::default()).unwrap();
    let shown = serde_json::to_string(&rows).unwrap();
    assert!(!shown.contains("ดาวเรือง") && !shown.contains("1103702345679"));
    assert_eq!(rows[0].age_band.as_deref(), Some("12-17"));
    let view = book.open_case(&worker, &case.id).unwrap();
    assert_eq!(view.client.name, "เ••• ส•••");
    assert_eq!(view.client.id_number.as_deref(), Some("••••••••••679"));

    assert!(matches!(
        book.reveal_person(&worker, &pid, "  ").unwrap_err(),
        Error::Invalid(_)
    ));
    let full = book.reveal_person(&worker, &pid, "ยืนยันตัวตนกับตำรวจ").unwrap();
    assert_eq!(full.id_number.as_deref(), Some("1103702345679"));

    let trail = book.audit_trail(&admin, Some(&pid), 10).unwrap();
    assert_eq!(trail[0].action, "identity.reveal");
    assert_eq!(trail[0].user_id.as_deref(), Some(worker.user_id.as_str()));
    assert_eq!(trail[0].detail.as_deref(), Some("ยืนยันตัวตนกับตำรวจ"));
    book.record_export(&worker, &case.id, "referral_letter").unwrap();
    let case_trail = book.audit_trail(&admin, Some(&case.id), 10).unwrap();
    assert_eq!(case_trail[0].action, "case.export");
    assert_eq!(case_trail[0].detail.as_deref(), Some("referral_letter"));
    assert!(case_trail.iter().any(|e| e.action == "case.view"));
}

#[test]
fn roles_are_enforced_in_the_crate() {
    let dir = Dir::new("roles");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("ผู้รับบริการ สิทธิ์")).unwrap();
    let case = book.create_case(&worker, &case_for(&pid)).unwrap();
    // The administrator manages users and sees no case.
    assert!(matches!(
        book.list_cases(&admin, &CaseFilter::default()).unwrap_err(),
        Error::Forbidden(_)
    ));
    assert!(matches!(
        book.open_case(&admin, &case.id).unwrap_err(),
        Error::Forbidden(_)
    ));
    assert!(matches!(
        book.create_person(&admin, &person("x")).unwrap_err(),
        Error::Forbidden(_)
    ));
    // A facilitator sees the list but cannot reveal identity or edit.
    book.add_user(
        &admin,
        "facil",
        "ผู้ดำเนินการประชุม",
        Role::Facilitator,
        "facilitator-pass-1",
    )
    .unwrap();
    drop(book);
    let (mut book, facil) = casebook::Casebook::unlock(dir.path(), "facil", "facilitator-pass-1").unwrap();
    assert_eq!(
        book.list_cases(
            &facil,
            &CaseFilter {
                risk: Some(Risk::Red),
                ..CaseFilter::default()
            }
        )
        .unwrap()
        .len(),
        1
    );
    assert!(matches!(
        book.reveal_person(&facil, &pid, "อยากรู้").unwrap_err(),
        Error::Forbidden(_)
    ));
    assert!(matches!(
        book.add_timeline_entry(&facil, &case.id, EntryKind::Note, "x", "2026-11-05T10:00:00Z")
            .unwrap_err(),
        Error::Forbidden(_)
    ));
}

#[test]
fn late_entries_are_marked_and_future_ones_refused() {
    let dir = Dir::new("late");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (pid, _) = book.create_person(&worker, &person("ผู้รับบริการ บันทึกย้อนหลัง")).unwrap();
    let case = book.create_case(&worker, &case_for(&pid)).unwrap();
    book.add_timeline_entry(
        &worker,
        &case.id,
        EntryKind::HomeVisit,
        "เยี่ยมบ้านเมื่อสัปดาห์ก่อน",
        "2026-11-01T09:00:00+07:00",
    )
    .unwrap();
    let now = casebook::dates::now_iso();
    book.add_timeline_entry(&worker, &case.id, EntryKind::Call, "โทรติดตาม", &now)
        .unwrap();
    let err = book
        .add_timeline_entry(&worker, &case.id, EntryKind::Call, "อนาคต", "2999-01-01T00:00:00Z")
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(ref i) if i.field == "timeline.occurred_at"));
    let timeline = book.open_case(&worker, &case.id).unwrap().timeline;
    assert_eq!(timeline.iter().map(|e| e.late).collect::<Vec<_>>(), vec![true, false]);
}

#[test]
fn all_administrative_areas_are_there_with_postcodes() {
    let dir = Dir::new("areas");
    let (book, _, _, _) = book_with_worker(dir.path());
    let provinces = book.areas(None).unwrap();
    assert_eq!(provinces.len(), 77);
    let chumphon = provinces.iter().find(|p| p.name_th == "ชุมพร").unwrap();
    let districts = book.areas(Some(&chumphon.code)).unwrap();
    assert!(districts.iter().any(|d| d.name_th == "เมืองชุมพร"), "{districts:?}");
    let mueang = districts.iter().find(|d| d.name_th == "เมืองชุมพร").unwrap();
    let subdistricts = book.areas(Some(&mueang.code)).unwrap();
    assert!(!subdistricts.is_empty());
    assert!(
        subdistricts
            .iter()
            .all(|s| s.postcode.as_deref().is_some_and(|p| p.starts_with("86"))),
        "{subdistricts:?}"
    );
    let district_total: usize = provinces.iter().map(|p| book.areas(Some(&p.code)).unwrap().len()).sum();
    assert_eq!(district_total, 928);
}

/// A note longer than a field takes is refused when it is typed, naming the field, and nothing
/// is written: it would otherwise be refused by the hub at sync, out of the worker's sight.
#[test]
fn a_note_too_long_for_sync_is_refused_when_typed() {
    let dir = Dir::new("too-long");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let (client, _) = book.create_person(&worker, &person("นางทดสอบ ยาวมาก")).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    let events = book.events().unwrap().len();
    // 22,000 Thai characters: 66,000 bytes, over the 64 KiB a field takes.
    let long = "ก".repeat(22_000);
    let refused = book.add_timeline_entry(&worker, &case.id, EntryKind::Note, &long, "2026-11-05T10:00:00+07:00");
    assert!(
        matches!(&refused, Err(Error::Invalid(i)) if i.field == "timeline.body" && i.rule == casebook::error::Rule::TooLong),
        "{refused:?}"
    );
    assert_eq!(book.events().unwrap().len(), events, "something was written");
    // 20,000 characters, what the text box lets one type, are taken.
    let longest = "ก".repeat(20_000);
    book.add_timeline_entry(
        &worker,
        &case.id,
        EntryKind::Note,
        &longest,
        "2026-11-05T10:00:00+07:00",
    )
    .unwrap();
}

/// What this app writes always passes the check other laptops and the hub make of values
/// (`casebook::values`): a synthetic book's every event.
#[test]
fn every_value_a_synthetic_book_writes_is_one_its_column_takes() {
    let dir = Dir::new("values");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    casebook::synth::populate(&mut book, &worker, 2569, 40, 3, |_| {}).unwrap();
    let events = book.events().unwrap();
    assert!(events.len() > 200);
    for event in &events {
        assert_eq!(
            casebook::values::out_of_range(event),
            None,
            "{:?} {}",
            event.entity,
            event.entity_id
        );
    }
}
