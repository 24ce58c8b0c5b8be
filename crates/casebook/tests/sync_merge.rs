//! The merge, as a property: three devices edit the same records offline; whatever order their
//! events arrive in, however often, and in whatever batches, every replica ends with the same
//! state (hashed), the same log (counted), and the same open conflicts.

mod common;

use casebook::log::events::Event;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::care::{CarePlanGoal, Domain, GoalStatus};
use casebook::sync::receive::Incoming;
use casebook::synth::Rng;
use casebook::{Casebook, Session};
use common::*;

const ROUNDS: u64 = 200;

struct Replica {
    book: Casebook,
    worker: Session,
    _dir: Dir,
}

fn replica(name: &str) -> Replica {
    let dir = Dir::new(name);
    let (book, _, worker) = casebook::synth::unit_laptop(dir.path(), name, WORKER_PASS).unwrap();
    Replica {
        book,
        worker,
        _dir: dir,
    }
}

fn all_events(replicas: &[Replica]) -> Vec<Event> {
    replicas.iter().flat_map(|r| casebook_events(&r.book)).collect()
}

fn casebook_events(book: &Casebook) -> Vec<Event> {
    book.events().unwrap()
}

/// Delivers `events` to `book` shuffled, with some repeated, in random batches.
fn deliver(book: &mut Casebook, events: &[Event], rng: &mut Rng) {
    let mut order: Vec<Event> = events.to_vec();
    for _ in 0..rng.below(events.len() as u64 / 3 + 1) {
        let i = rng.below(events.len() as u64) as usize;
        order.push(events[i].clone());
    }
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let mut cursor = 0;
    while !order.is_empty() {
        let take = (rng.below(7) as usize + 1).min(order.len());
        let batch: Vec<Incoming> = order
            .drain(..take)
            .map(|event| Incoming::Event { event, writer: None })
            .collect();
        cursor += 1;
        book.receive(batch, cursor).unwrap();
    }
}

#[test]
fn any_delivery_order_and_repeat_converges_with_the_same_conflicts() {
    let mut replicas = vec![replica("merge-a"), replica("merge-b"), replica("merge-c")];
    // Device A creates the shared records; the others receive them.
    let (agency, goal) = {
        let a = &mut replicas[0];
        let agency = a
            .book
            .add_agency(&a.worker, &Agency::new("หน่วยงานร่วม", AgencyType::Ngo))
            .unwrap();
        let (client, _) = a.book.create_person(&a.worker, &person("ผู้รับบริการ ร่วมกัน")).unwrap();
        let case = a.book.create_case(&a.worker, &case_for(&client)).unwrap();
        let goal = a
            .book
            .add_goal(
                &a.worker,
                &CarePlanGoal {
                    case_id: case.id,
                    domain: Domain::Safety,
                    goal: "เป้าหมายร่วม".into(),
                    agency_id: None,
                    due_date: None,
                    status: GoalStatus::Open,
                    outcome: None,
                    review_on: None,
                },
            )
            .unwrap();
        (agency, goal)
    };
    let mut rng = Rng::new(7);
    let start = all_events(&replicas);
    for r in replicas.iter_mut() {
        deliver(&mut r.book, &start, &mut rng);
    }

    let mut delivered: std::collections::BTreeSet<String> = start.iter().map(|e| e.event_id.clone()).collect();
    let mut saw_conflict = false;
    for round in 0..ROUNDS {
        // Offline: each device edits (or not) the agency and the goal.
        for (n, r) in replicas.iter_mut().enumerate() {
            if rng.below(3) > 0 {
                let mut current = r.book.agencies(&r.worker).unwrap()[0].record.clone();
                match rng.below(3) {
                    0 => current.name = format!("ชื่อ {round}-{n}"),
                    1 => current.mission = Some(format!("พันธกิจ {round}-{n}")),
                    _ => current.services = vec![format!("บริการ {}", rng.below(4))],
                }
                r.book.update_agency(&r.worker, &agency, &current).unwrap();
            }
            if rng.below(4) == 0 {
                let plan_goal = find_goal(&r.book, &r.worker, &goal);
                let status = [GoalStatus::Open, GoalStatus::InProgress, GoalStatus::Achieved][rng.below(3) as usize];
                r.book
                    .update_goal(&r.worker, &goal, &CarePlanGoal { status, ..plan_goal })
                    .unwrap();
            }
        }
        // Online again: this round's events (and a few old ones again) reach everyone,
        // shuffled, repeated and in random batches.
        let everything = all_events(&replicas);
        let previous: Vec<Event> = everything
            .iter()
            .filter(|e| delivered.contains(&e.event_id))
            .cloned()
            .collect();
        let mut events: Vec<Event> = everything
            .into_iter()
            .filter(|e| delivered.insert(e.event_id.clone()))
            .collect();
        for _ in 0..3 {
            let again = previous[rng.below(previous.len() as u64) as usize].clone();
            events.push(again);
        }
        for r in replicas.iter_mut() {
            deliver(&mut r.book, &events, &mut rng);
        }
        let hashes: Vec<String> = replicas.iter().map(|r| r.book.state_hash().unwrap()).collect();
        assert!(
            hashes.windows(2).all(|w| w[0] == w[1]),
            "round {round}: replicas differ"
        );
        let logs: Vec<Vec<Event>> = replicas.iter().map(|r| r.book.events().unwrap()).collect();
        let counts: Vec<usize> = logs.iter().map(Vec::len).collect();
        assert!(
            counts.windows(2).all(|w| w[0] == w[1]),
            "round {round}: logs differ {counts:?}"
        );
        let unique: std::collections::BTreeSet<&String> = logs[0].iter().map(|e| &e.event_id).collect();
        assert_eq!(unique.len(), counts[0], "round {round}: an event is duplicated");
        let conflicts: Vec<Vec<String>> = replicas
            .iter()
            .map(|r| {
                let mut ids: Vec<String> = r.book.conflicts(&r.worker).unwrap().into_iter().map(|c| c.id).collect();
                ids.sort();
                ids
            })
            .collect();
        assert!(
            conflicts.windows(2).all(|w| w[0] == w[1]),
            "round {round}: conflicts differ {conflicts:#?}"
        );
        saw_conflict |= !conflicts[0].is_empty();

        // Sometimes a person settles the open conflicts on one device; the choice travels.
        if rng.below(4) == 0 {
            let r = &mut replicas[rng.below(3) as usize];
            // Choosing settles the field, so other open conflicts on it go too.
            while let Some(c) = r.book.conflicts(&r.worker).unwrap().into_iter().next() {
                r.book.resolve_conflict(&r.worker, &c.id, rng.below(2) == 0).unwrap();
            }
            assert_eq!(r.book.sync_position().unwrap().conflicts, 0);
        }
    }
    assert!(
        saw_conflict,
        "the edits never conflicted: the test proved nothing about conflicts"
    );
}

fn find_goal(book: &Casebook, session: &Session, id: &str) -> CarePlanGoal {
    let case_id = book
        .events()
        .unwrap()
        .into_iter()
        .find(|e| e.entity_id == id)
        .and_then(|e| e.fields.get("case_id").and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap();
    book.care_plan(session, &case_id)
        .unwrap()
        .into_iter()
        .find(|g| g.id == id)
        .unwrap()
        .record
}

/// A laptop used before it was enrolled takes the id the hub gives it: its unsent events move
/// to that id with their clocks, and the clocks its records' fields hold follow, so a change it
/// makes afterwards reaches another laptop as one that saw the value it replaces (no conflict).
#[test]
fn a_book_taking_the_hubs_device_id_keeps_its_work_and_merges_cleanly() {
    let dir = Dir::new("take-id-a");
    let (mut a, admin, worker) = casebook::synth::unit_laptop(dir.path(), "a", WORKER_PASS).unwrap();
    let mut b = replica("take-id-b");
    let agency = a
        .add_agency(&worker, &Agency::new("หน่วยงานก่อนลงทะเบียน", AgencyType::Ngo))
        .unwrap();
    a.update_agency(&worker, &agency, &Agency::new("ชื่อที่สอง", AgencyType::Ngo))
        .unwrap();
    let made = a.device_id().to_owned();
    let before = a.state_hash().unwrap();
    a.take_device_id(&worker, "hub-given").unwrap_err();
    a.take_device_id(&admin, "hub given").unwrap_err();
    a.take_device_id(&admin, "hub-given").unwrap();
    assert_eq!(a.device_id(), "hub-given");
    assert_eq!(a.state_hash().unwrap(), before, "taking the id changed a record");
    let events = a.events().unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.device_id == "hub-given" && !e.hlc.contains(&made))
    );
    assert!(
        events
            .iter()
            .all(|e| e.bases.values().all(|hlc| !hlc.to_string().contains(&made)))
    );
    assert_eq!(a.sync_position().unwrap().pending, events.len() as i64);
    // Changed once more after enrollment, then taken in by another laptop.
    a.update_agency(&worker, &agency, &Agency::new("ชื่อที่สาม", AgencyType::Ngo))
        .unwrap();
    let events = a.events().unwrap();
    let last = events.iter().max_by_key(|e| e.device_seq).unwrap();
    assert_eq!(last.device_seq, events.len() as i64);
    let batch = events
        .into_iter()
        .map(|event| Incoming::Event { event, writer: None })
        .collect();
    b.book.receive(batch, 1).unwrap();
    assert!(
        b.book.conflicts(&b.worker).unwrap().is_empty(),
        "the clocks did not follow the id"
    );
    let names: Vec<String> = b
        .book
        .agencies(&b.worker)
        .unwrap()
        .into_iter()
        .map(|a| a.record.name)
        .collect();
    assert_eq!(names, ["ชื่อที่สาม"]);
}

/// An event taken in comes again after later events changed what its checks see (here: its
/// author turned out to be another unit's user): it is a repeat, counted as such, not set
/// aside as a suspect.
#[test]
fn an_event_taken_before_that_comes_again_is_a_repeat_not_a_suspect() {
    let mut province = replica("repeat-province");
    let dir = Dir::new("repeat-bkk");
    let (mut bkk, _, bkk_worker) = casebook::synth::unit_book(dir.path(), "BKK", "b", WORKER_PASS).unwrap();
    let agency = bkk
        .add_agency(&bkk_worker, &Agency::new("หน่วยงานของกรุงเทพ", AgencyType::Ngo))
        .unwrap();
    let events = bkk.events().unwrap();
    let made = events.iter().find(|e| e.entity_id == agency).unwrap().clone();
    // The author's creation, as the hub might later hand it over, naming another unit.
    let mut author = events
        .iter()
        .find(|e| e.entity_id == bkk_worker.user_id && e.fields.contains_key("username"))
        .unwrap()
        .clone();
    author.event_id = format!("{}-again", author.event_id);
    author.device_seq += 1000;
    author.fields.insert("unit_code".into(), "CPN".into());
    let take = |book: &mut Casebook, event: &Event, writer: &str, cursor: i64| {
        book.receive(
            vec![Incoming::Event {
                event: event.clone(),
                writer: Some(writer.into()),
            }],
            cursor,
        )
        .unwrap()
    };
    assert_eq!(take(&mut province.book, &made, "BKK", 1).applied, 1);
    assert_eq!(take(&mut province.book, &author, "CPN", 2).applied, 1);
    let again = take(&mut province.book, &made, "BKK", 3);
    assert_eq!((again.duplicates, again.quarantined), (1, 0));
    assert_eq!(province.book.sync_position().unwrap().set_aside, 0);
}

/// Two laptops of one unit that never synced with a hub both give their first case the same
/// number: the one taken in cannot be written, and instead of waiting in silence it is listed
/// for the supervisor with its reason, and counted on the Sync screen.
#[test]
fn a_record_that_cannot_be_written_is_listed_not_parked_in_silence() {
    let dir = Dir::new("wait-a");
    let (mut book, admin, worker) = casebook::synth::unit_laptop(dir.path(), "a", WORKER_PASS).unwrap();
    book.add_user(&admin, "chief", "หัวหน้า สมมุติ", casebook::Role::Supervisor, WORKER_PASS)
        .unwrap();
    let mut b = replica("wait-b");
    let (client, _) = book.create_person(&worker, &person("ผู้รับบริการ หนึ่ง")).unwrap();
    let mine = book.create_case(&worker, &case_for(&client)).unwrap();
    let (client, _) = b.book.create_person(&b.worker, &person("ผู้รับบริการ สอง")).unwrap();
    let theirs = b.book.create_case(&b.worker, &case_for(&client)).unwrap();
    assert_eq!(mine.case_number, theirs.case_number);

    let incoming: Vec<Incoming> = casebook_events(&b.book)
        .into_iter()
        .map(|event| Incoming::Event { event, writer: None })
        .collect();
    book.receive(incoming, 1).unwrap();
    book.count_sync_for_waiting().unwrap();
    let position = book.sync_position().unwrap();
    assert_eq!((position.waiting, position.needs_attention), (1, 1));
    drop(book);
    let (book, chief) = Casebook::unlock(dir.path(), "chief", WORKER_PASS).unwrap();
    let listed = book.waiting_records(&chief).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].entity.as_str(),
            listed[0].entity_id.as_str(),
            listed[0].reason.as_str()
        ),
        ("case", theirs.id.as_str(), "duplicate")
    );
    assert_eq!(listed[0].case_number.as_deref(), Some(theirs.case_number.as_str()));
    assert!(matches!(
        book.waiting_records(&worker),
        Err(casebook::Error::Forbidden(_))
    ));
}
