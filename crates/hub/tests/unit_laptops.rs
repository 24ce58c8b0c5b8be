//! A unit with three laptops and the real hub process: each laptop opens cases and issues
//! numbered letters offline, past the numbers it holds, then all sync in shuffled orders
//! through a proxy that drops, repeats and replays requests. Every case and letter number is
//! then unique in the unit and final, a provisional number still finds its case, every laptop
//! holds every case and letter and the same state, and nothing waits or is set aside. The
//! letters received each laptop logs offline keep their own laptop's numbers, and the letter
//! template all three save offline ends the same everywhere. A device
//! that lies about numbers is refused. Runs on SQLite, and on PostgreSQL when
//! `OSCC_TEST_POSTGRES` is set.

mod common;

use casebook::book::audit_view::AuditFilter;

use casebook::records::case_list::CaseFilter;
use casebook::records::letter_template::LetterKind;
use casebook::records::numbers::{BLOCK, Number, parse_case_number};
use casebook::records::received::ReceivedLetterInput;
use casebook::records::timeline::EntryKind;
use casebook::synth::Rng;
use casebook::{Casebook, Session};
use common::proxy::proxy;
use common::{Hub, databases, enrolled_laptop, sync_until_done, temp};
use oscc_sync::Client;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

/// Cases and letters each laptop makes offline between syncs: more than the block a sync
/// gives it, so some are provisional.
const EACH: i64 = BLOCK + 3;
const ROUNDS: usize = 3;

struct Laptop {
    book: Mutex<Casebook>,
    worker: Session,
    client: Client,
}

#[tokio::test(flavor = "current_thread")]
async fn three_laptops_of_one_unit_never_give_one_number_twice() {
    common::on_each_database("unit-laptops", three_laptops).await;
}

async fn three_laptops(root: &std::path::Path, database: &str) {
    let hub = Hub::start_plain(database, root);
    let proxy = proxy(hub.addr.clone(), 5).await;
    let url = format!("http://{}", proxy.addr);
    let mut laptops = Vec::new();
    for name in ["a", "b", "c"] {
        let (book, worker, client) = enrolled_laptop(&root.join(name), "CPN", name, &hub, &url).await;
        laptops.push(Laptop {
            book: Mutex::new(book),
            worker,
            client,
        });
    }
    let mut rng = Rng::new(20);
    let mut provisional = Vec::new();
    for round in 0..ROUNDS {
        // Offline: every laptop opens cases and issues letters. Before the first sync none
        // holds a number, so all are provisional; later, the last few of each round are.
        for (n, l) in laptops.iter().enumerate() {
            let mut book = l.book.lock().unwrap();
            for i in 0..EACH {
                let (client, _) = book
                    .create_person(&l.worker, &casebook::synth::person(&mut rng, i as u64))
                    .unwrap();
                let case = book
                    .create_case(&l.worker, &casebook::synth::walk_in_case(&client))
                    .unwrap();
                if matches!(
                    parse_case_number("CPN", &case.case_number),
                    Some((_, Number::Provisional(_)))
                ) {
                    provisional.push((case.id.clone(), case.case_number.clone()));
                }
                let subject = format!("หนังสือ {round}-{n}-{i}");
                book.issue_letter_number(&l.worker, &subject, Some("หน่วยงานสมมุติ"), None, None)
                    .unwrap();
                // The court asks about the case: a letter received, in the case.
                let received = ReceivedLetterInput {
                    received_on: casebook::dates::today().to_string(),
                    their_number: Some(format!("ศย {round}/{n}{i}")),
                    their_date: None,
                    sender_agency_id: None,
                    sender: Some("ศาลเยาวชนและครอบครัวจังหวัดสมมุติ".into()),
                    subject: format!("ขอข้อมูล {round}-{n}-{i}"),
                    referral_id: None,
                    reply_status: None,
                    reply: None,
                    case_id: Some(case.id.clone()),
                };
                book.log_received_letter(&l.worker, &received, None).unwrap();
            }
            // Each laptop's supervisor rewords the invitation offline: one wording wins.
            let supervisor = Session {
                role: casebook::Role::Supervisor,
                ..l.worker.clone()
            };
            let mut template = book.letter_template(&supervisor, LetterKind::Invitation).unwrap();
            template.subject = format!("ขอเชิญประชุม ({round}-{n})");
            book.save_letter_template(&supervisor, &template).unwrap();
        }
        // Everyone syncs, in a shuffled order, twice: the second pass brings each laptop what
        // the others pushed after it.
        for _ in 0..2 {
            let mut order = vec![0, 1, 2];
            for i in (1..3).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            for i in order {
                sync_until_done(&laptops[i].book, &laptops[i].client).await;
            }
        }
    }
    // A third pass: the provisional numbers made final by the last laptop reach the others.
    for l in &laptops {
        sync_until_done(&l.book, &l.client).await;
    }
    // Before the first sync every number is provisional; after it, one laptop or another ran
    // past the numbers it held.
    assert!(
        provisional.len() as i64 > 3 * EACH,
        "too few provisional numbers to prove anything: {}",
        provisional.len()
    );
    let total = 3 * ROUNDS * EACH as usize;
    let hashes: HashSet<String> = laptops
        .iter()
        .map(|l| l.book.lock().unwrap().state_hash().unwrap())
        .collect();
    assert_eq!(hashes.len(), 1, "the laptops' states differ");
    let logs: HashSet<usize> = laptops
        .iter()
        .map(|l| l.book.lock().unwrap().events().unwrap().len())
        .collect();
    assert_eq!(logs.len(), 1, "the laptops' logs differ: {logs:?}");
    // The audit went round too, through the same faults: each laptop holds each other one's
    // whole chain, every link checked.
    let admin = |l: &Laptop| casebook::Session {
        role: casebook::Role::Administrator,
        ..l.worker.clone()
    };
    let everything = AuditFilter::default();
    for l in &laptops {
        let book = l.book.lock().unwrap();
        let rows = book.audit_log(&admin(l), &everything, i64::MAX).unwrap();
        for other in laptops.iter().filter(|o| !std::ptr::eq(*o, l)) {
            let other_book = other.book.lock().unwrap();
            let own = other_book.audit_log(&admin(other), &everything, i64::MAX).unwrap();
            let own_count = own.iter().filter(|r| r.device_id.is_none()).count();
            let held = rows
                .iter()
                .filter(|r| r.device_id.as_deref() == Some(other_book.device_id()))
                .count();
            assert_eq!(held, own_count, "a laptop misses audit entries of another");
        }
        let check = book.verify_audit_chains(&admin(l)).unwrap();
        assert!(check.broken.is_none() && check.laptops == 2, "{check:?}");
    }
    for l in &laptops {
        let mut book = l.book.lock().unwrap();
        let filter = CaseFilter {
            limit: Some(10_000),
            ..CaseFilter::default()
        };
        let numbers: Vec<String> = book
            .list_cases(&l.worker, &filter)
            .unwrap()
            .into_iter()
            .map(|c| c.case_number)
            .collect();
        assert_eq!(numbers.len(), total, "every laptop holds every case");
        assert_eq!(
            numbers.iter().collect::<HashSet<_>>().len(),
            total,
            "a case number given twice"
        );
        assert!(
            numbers
                .iter()
                .all(|n| matches!(parse_case_number("CPN", n), Some((_, Number::Final(_))))),
            "a provisional case number left"
        );
        let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
        let register = book.letter_register(&l.worker, year).unwrap();
        assert_eq!(register.entries.len(), total, "the register lists every letter");
        let letters: HashSet<i64> = register.entries.iter().filter_map(|e| e.record.number).collect();
        assert_eq!(
            letters.len(),
            total,
            "a letter number given twice, or one left provisional"
        );
        // Each number of the unit's blocks is on a letter or listed as reserved, once.
        assert!(register.reserved.iter().all(|r| !letters.contains(&r.number)));
        // Letters received: every laptop's, each under its own laptop's series, none twice.
        let received = book.received_letters(&l.worker, year).unwrap();
        assert_eq!(received.len(), total, "every laptop holds every letter received");
        let series: HashSet<(String, i64)> = received
            .iter()
            .map(|r| (r.record.device_id.clone(), r.record.number))
            .collect();
        assert_eq!(
            series.len(),
            total,
            "a receiving number given twice in a laptop's series"
        );

        let position = book.sync_position().unwrap();
        assert_eq!(
            (
                position.pending,
                position.waiting,
                position.set_aside,
                position.refused,
                position.needs_attention
            ),
            (0, 0, 0, 0, 0),
            "something waits or was set aside"
        );
        // A provisional number once printed still finds its case, whose timeline says why.
        let (case_id, old) = &provisional[rng.below(provisional.len() as u64) as usize];
        let found = book.search_cases(&l.worker, old, 10).unwrap();
        assert_eq!(found.iter().map(|c| &c.id).collect::<Vec<_>>(), [case_id]);
        let view = book.open_case(&l.worker, case_id).unwrap();
        assert!(view.case.former_numbers.contains(old));
        assert!(view.timeline.iter().any(|e| e.kind == EntryKind::Renumbered
            && e.body.contains(old)
            && e.body.contains(&view.case.case_number)));
    }
    // The template three laptops saved offline: one wording won, the same everywhere.
    let wordings: HashSet<String> = laptops
        .iter()
        .map(|l| {
            let book = l.book.lock().unwrap();
            book.letter_template(&l.worker, LetterKind::Invitation).unwrap().subject
        })
        .collect();
    assert_eq!(wordings.len(), 1, "{wordings:?}");
    assert!(wordings.iter().all(|w| w.starts_with("ขอเชิญประชุม (")), "{wordings:?}");
    let local = laptops[0].book.lock().unwrap().events().unwrap().len() as i64;
    assert_eq!(hub.events_held(), local, "the hub holds every event once");
    // The province's reports count each case once, whichever laptop opened it and however
    // often its number changed.
    let year = casebook::dates::be_year(casebook::dates::today()).to_string();
    let statistics = hub.cli(&["report", "--year", &year]);
    assert!(
        statistics.contains(&format!("total\tall\t{total}\t{total}")),
        "{statistics}"
    );
    let report = hub.cli(&["report"]);
    assert!(report.contains(&format!("CPN\tno\t3\t{total}\t")), "{report}");
    let faults = proxy.faults.load(Ordering::Relaxed);
    println!(
        "{database}: {total} cases and {total} letters, {} provisional numbers, {faults} requests faulted",
        provisional.len()
    );
    assert!(faults > 20, "too few faults to prove anything");
}

/// Two laptops of one unit that worked on their own before they were enrolled both gave
/// `CPN-<year>-0001` to `-0003` and letter 1. The first to sync keeps its numbers (the hub
/// grants them to it); the second's become provisional and then final, above every number
/// given before, and its paper's numbers still find its case and letter.
#[tokio::test(flavor = "current_thread")]
async fn numbers_given_before_enrollment_still_find_their_records() {
    let root = temp("before-hub");
    let hub = Hub::start_plain(&databases(&root, "before-hub")[0], &root);
    let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
    let mut rng = Rng::new(3);
    let mut laptops = Vec::new();
    for name in ["a", "b"] {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let (mut book, admin, worker) = casebook::synth::unit_book(&dir, "CPN", name, common::PASS).unwrap();
        let mut given = Vec::new();
        for i in 0..3 {
            let (client, _) = book
                .create_person(&worker, &casebook::synth::person(&mut rng, i))
                .unwrap();
            given.push(
                book.create_case(&worker, &casebook::synth::walk_in_case(&client))
                    .unwrap(),
            );
        }
        let letter = book
            .issue_letter_number(&worker, "ก่อนเชื่อมศูนย์", None, None, None)
            .unwrap();
        assert_eq!(given[0].case_number, format!("CPN-{year}-0001"));
        assert_eq!(letter.record.number, Some(1));
        let client = common::enroll(&hub, &hub.url, "CPN", &mut book, &admin, name).await;
        laptops.push((Mutex::new(book), worker, client, given, letter.id));
    }
    for _ in 0..2 {
        for (book, _, client, _, _) in &laptops {
            sync_until_done(book, client).await;
        }
    }
    let mut all = HashSet::new();
    for (first, (book, worker, _, given, letter)) in [true, false].into_iter().zip(&laptops) {
        let mut book = book.lock().unwrap();
        let position = book.sync_position().unwrap();
        assert_eq!(
            (position.refused, position.needs_attention),
            (0, 0),
            "a number was refused"
        );
        for case in given {
            let now = book.open_case(worker, &case.id).unwrap().case;
            let Some((_, Number::Final(n))) = parse_case_number("CPN", &now.case_number) else {
                panic!("not final: {}", now.case_number);
            };
            if first {
                assert_eq!(now.case_number, case.case_number, "the first laptop's number changed");
            } else {
                assert!(n > 3, "a number given before enrollment was given again: {n}");
                assert!(now.former_numbers.contains(&case.case_number));
            }
            assert!(all.insert(now.case_number.clone()));
        }
        let entry = book
            .letter_register(worker, year)
            .unwrap()
            .entries
            .into_iter()
            .find(|e| &e.id == letter)
            .unwrap();
        if first {
            assert_eq!((entry.record.number, entry.record.former_numbers.len()), (Some(1), 0));
        } else {
            assert!(entry.record.number.is_some_and(|n| n > 1));
            assert_eq!(entry.record.former_numbers.first().map(String::as_str), Some("1"));
        }
    }
    // Both laptops' paper says CPN-<year>-0001: the search finds both cases, and only them.
    let (book, worker, _, _, _) = &laptops[0];
    let found = book
        .lock()
        .unwrap()
        .search_cases(worker, &format!("CPN-{year}-0001"), 10)
        .unwrap();
    let firsts: HashSet<&String> = laptops.iter().map(|l| &l.3[0].id).collect();
    assert_eq!(found.iter().map(|c| &c.id).collect::<HashSet<_>>(), firsts);
    drop(laptops);
    drop(hub);
    let _ = std::fs::remove_dir_all(&root);
}

/// Users belong to the unit: a user added on laptop A signs in on laptop B once B's
/// administrator sets up their first sign-in there (no passphrase leaves a laptop); a role
/// changed on A reaches B; a user disabled on B can no longer sign in on A and is signed out
/// there, and enabled again signs in again; and two laptops that add the same username offline
/// end with two users of distinct names, the later renamed before its record left its laptop,
/// each signing in as themselves.
#[tokio::test(flavor = "current_thread")]
async fn users_of_the_unit_work_on_every_laptop() {
    common::on_each_database("unit-users", users).await;
}

async fn users(root: &std::path::Path, database: &str) {
    use casebook::{Error, Role};
    const FIRST: &str = "synthetic-first-sign-in";
    let hub = Hub::start_plain(database, root);
    let open = async |name: &str| {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let (mut book, admin, _) = casebook::synth::unit_book(&dir, "CPN", name, common::PASS).unwrap();
        let client = common::enroll(&hub, &hub.url, "CPN", &mut book, &admin, name).await;
        (dir, Mutex::new(book), admin, client)
    };
    let (a_dir, a, a_admin, a_client) = open("a").await;
    let (b_dir, b, b_admin, b_client) = open("b").await;
    let sync_both = async || {
        for _ in 0..2 {
            sync_until_done(&a, &a_client).await;
            sync_until_done(&b, &b_client).await;
        }
    };
    // Offline, both laptops add a user called somchai (two people), and A adds malee.
    a.lock()
        .unwrap()
        .add_user(&a_admin, "somchai", "สมชาย หนึ่ง", Role::SocialWorker, common::PASS)
        .unwrap();
    b.lock()
        .unwrap()
        .add_user(&b_admin, "somchai", "สมชาย สอง", Role::Supervisor, FIRST)
        .unwrap();
    a.lock()
        .unwrap()
        .add_user(&a_admin, "malee", "มาลี สมมุติ", Role::SocialWorker, common::PASS)
        .unwrap();
    sync_both().await;

    // A synced first: B's somchai is renamed, signs in with the new name and the same
    // passphrase, and the administrator's screen says so.
    let tag = casebook::records::numbers::laptop_tag(b.lock().unwrap().device_id()).to_lowercase();
    let renamed = format!("somchai.{tag}");
    assert_eq!(
        b.lock().unwrap().renamed_users().unwrap(),
        [("somchai".to_owned(), renamed.clone())]
    );
    let reopen = |book: &Mutex<Casebook>, dir: &std::path::Path, user: &str, pass: &str| {
        let (opened, session) = Casebook::unlock(dir, user, pass)?;
        *book.lock().unwrap() = opened;
        Ok::<Session, Error>(session)
    };
    assert_eq!(reopen(&b, &b_dir, &renamed, FIRST).unwrap().role, Role::Supervisor);
    // On B, somchai is A's user, who has no sign-in there yet: B's own somchai's passphrase
    // opens nothing under the name. B's administrator sets one up; both then sign in, each
    // as themselves.
    assert!(matches!(reopen(&b, &b_dir, "somchai", FIRST), Err(Error::UnknownUser)));
    b.lock()
        .unwrap()
        .reset_passphrase(&b_admin, "somchai", common::PASS)
        .unwrap();
    assert_eq!(
        reopen(&b, &b_dir, "somchai", common::PASS).unwrap().role,
        Role::SocialWorker
    );
    assert_eq!(reopen(&b, &b_dir, &renamed, FIRST).unwrap().role, Role::Supervisor);
    assert!(reopen(&b, &b_dir, "somchai", FIRST).is_err());

    // malee, added on A, is a user of B too; B's administrator sets up her sign-in there.
    let listed = b.lock().unwrap().users(&b_admin).unwrap();
    let malee = listed.iter().find(|u| u.username == "malee").expect("malee reached B");
    assert!(!malee.signs_in_here);
    assert!(matches!(
        reopen(&b, &b_dir, "malee", common::PASS),
        Err(Error::UnknownUser)
    ));
    b.lock().unwrap().reset_passphrase(&b_admin, "malee", FIRST).unwrap();
    assert_eq!(reopen(&b, &b_dir, "malee", FIRST).unwrap().role, Role::SocialWorker);
    let names: HashSet<String> = b
        .lock()
        .unwrap()
        .users(&b_admin)
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert!(names.is_superset(&HashSet::from(["somchai".into(), renamed.clone(), "malee".into()])));

    // A role changed on A reaches B.
    a.lock().unwrap().set_role(&a_admin, "malee", Role::Supervisor).unwrap();
    sync_both().await;
    assert_eq!(reopen(&b, &b_dir, "malee", FIRST).unwrap().role, Role::Supervisor);

    // Disabled on B, malee can no longer sign in on A, and her session open there ends.
    let malee_on_a = reopen(&a, &a_dir, "malee", common::PASS).unwrap();
    assert_eq!(malee_on_a.role, Role::Supervisor);
    b.lock().unwrap().remove_user(&b_admin, "malee").unwrap();
    sync_both().await;
    assert!(matches!(
        a.lock().unwrap().current_session(&malee_on_a),
        Err(Error::UnknownUser)
    ));
    assert!(reopen(&a, &a_dir, "malee", common::PASS).is_err());
    // Enabled again (a mistake, or a revoked device's doing, undone): she signs in on A with
    // the passphrase she had there.
    b.lock().unwrap().enable_user(&b_admin, "malee").unwrap();
    sync_both().await;
    assert_eq!(
        reopen(&a, &a_dir, "malee", common::PASS).unwrap().role,
        Role::Supervisor
    );

    for book in [&a, &b] {
        let position = book.lock().unwrap().sync_position().unwrap();
        assert_eq!((position.refused, position.needs_attention), (0, 0));
    }
}

/// A laptop is lost; its backup, restored on a new laptop with the recovery code, is a new
/// laptop to the hub: it is not enrolled, names the old device to revoke, works offline, is
/// enrolled again, and syncs with no stall, getting back what the old laptop sent after the
/// backup; the old device, revoked, gets 401.
#[tokio::test(flavor = "current_thread")]
async fn a_restored_book_is_a_new_laptop_that_syncs_on() {
    use casebook::{KdfParams, NewBook, Role};
    const NEW_PASS: &str = "synthetic-new-laptop-pass";
    let root = temp("restored");
    let hub = Hub::start_plain(&databases(&root, "restored")[0], &root);
    let a_dir = root.join("a");
    let new = NewBook {
        unit_code: "CPN".into(),
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        admin_username: "admina".into(),
        admin_display_name: "ผู้ดูแล สมมุติ".into(),
        admin_passphrase: common::PASS.into(),
        ..NewBook::default()
    };
    let (mut book, admin, recovery) = Casebook::create(&a_dir, &new, KdfParams::fast()).unwrap();
    book.set_kdf(KdfParams::fast());
    book.add_user(&admin, "workera", "นักสังคม สมมุติ", Role::SocialWorker, common::PASS)
        .unwrap();
    let client = common::enroll(&hub, &hub.url, "CPN", &mut book, &admin, "a").await;
    drop(book);
    let (book, worker) = Casebook::unlock(&a_dir, "workera", common::PASS).unwrap();
    let a = Mutex::new(book);
    let mut rng = Rng::new(9);
    let open_case = |book: &Mutex<Casebook>, worker: &Session, rng: &mut Rng| {
        let mut book = book.lock().unwrap();
        let (client, _) = book.create_person(worker, &casebook::synth::person(rng, 1)).unwrap();
        book.create_case(worker, &casebook::synth::walk_in_case(&client))
            .unwrap()
            .id
    };
    let before = open_case(&a, &worker, &mut rng);
    sync_until_done(&a, &client).await;
    let old_device = a.lock().unwrap().device_id().to_owned();
    let usb = root.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let folder = a.lock().unwrap().backup_to(&admin, &usb, |_| {}).unwrap();
    // After the backup the laptop works on, and syncs, before it is lost.
    let after = open_case(&a, &worker, &mut rng);
    sync_until_done(&a, &client).await;
    // The laptop is lost (its book stays open here only to try the old device's token).

    let b_dir = root.join("b");
    let (mut restored, rescuer) = Casebook::restore(&folder, &b_dir, &recovery.display()).unwrap();
    assert_eq!(
        restored.replaced_device().unwrap().as_deref(),
        Some(old_device.as_str())
    );
    assert_ne!(restored.device_id(), old_device);
    assert!(
        restored.hub().unwrap().is_none(),
        "a restored book must be enrolled again"
    );
    restored.reset_passphrase(&rescuer, "workera", NEW_PASS).unwrap();
    drop(restored);
    let (restored, worker) = Casebook::unlock(&b_dir, "workera", NEW_PASS).unwrap();
    let b = Mutex::new(restored);
    // Offline before it is enrolled again, the new laptop opens a case.
    let offline = open_case(&b, &worker, &mut rng);
    let mut restored = b.into_inner().unwrap();
    let b_client = common::enroll(&hub, &hub.url, "CPN", &mut restored, &rescuer, "b").await;
    let b = Mutex::new(restored);
    // Revoked with the province key: the laptops learn of it too.
    let revoked = common::admin(&hub.database, &hub.tls_dir, &["revoke", &old_device]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    assert!(matches!(
        oscc_sync::sync_once(&a, &client, casebook::store::schema_version()).await,
        Err(oscc_sync::SyncError::Unauthorized)
    ));
    let runs = sync_until_done(&b, &b_client).await;
    assert_eq!(runs, 1, "the restored laptop's sync stalled");
    let book = b.lock().unwrap();
    for case in [&before, &after, &offline] {
        let number = book.case_number(&worker, case).unwrap();
        assert!(
            matches!(parse_case_number("CPN", &number), Some((_, Number::Final(_)))),
            "{number}"
        );
    }
    let position = book.sync_position().unwrap();
    assert_eq!(
        (position.pending, position.refused, position.needs_attention),
        (0, 0, 0)
    );
    assert_eq!(
        book.replaced_device().unwrap(),
        None,
        "the old device is revoked: nothing more to ask"
    );
    assert_eq!(hub.events_held(), book.events().unwrap().len() as i64);
    drop(book);
    let _ = std::fs::remove_dir_all(&root);
}
