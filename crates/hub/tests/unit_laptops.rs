//! A unit with three laptops and the real hub process: each laptop opens cases and issues
//! numbered letters offline, past the numbers it holds, then all sync in shuffled orders
//! through a proxy that drops, repeats and replays requests. Every case and letter number is
//! then unique in the unit and final, a provisional number still finds its case, every laptop
//! holds every case and letter and the same state, and nothing waits or is set aside. A device
//! that lies about numbers is refused. Runs on SQLite, and on PostgreSQL when
//! `OSCC_TEST_POSTGRES` is set.

mod common;

use casebook::records::case_list::CaseFilter;
use casebook::records::numbers::{BLOCK, Number, parse_case_number};
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
    let root = temp("unit-laptops");
    for database in databases(&root, "unit-laptops") {
        three_laptops(&root, &database).await;
    }
    let _ = std::fs::remove_dir_all(&root);
}

async fn three_laptops(root: &std::path::Path, database: &str) {
    let root = &root.join(if database.starts_with("postgres") {
        "pg"
    } else {
        "sqlite"
    });
    std::fs::create_dir_all(root).unwrap();
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
                let case = book.create_case(&l.worker, &case_input(&client)).unwrap();
                if matches!(
                    parse_case_number("CPN", &case.case_number),
                    Some((_, Number::Provisional(_)))
                ) {
                    provisional.push((case.id.clone(), case.case_number.clone()));
                }
                let subject = format!("หนังสือ {round}-{n}-{i}");
                book.issue_letter_number(&l.worker, &subject, Some("หน่วยงานสมมุติ"), None)
                    .unwrap();
            }
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
    let local = laptops[0].book.lock().unwrap().events().unwrap().len() as i64;
    assert_eq!(hub.events_held(), local, "the hub holds every event once");
    let faults = proxy.faults.load(Ordering::Relaxed);
    println!(
        "{database}: {total} cases and {total} letters, {} provisional numbers, {faults} requests faulted",
        provisional.len()
    );
    assert!(faults > 20, "too few faults to prove anything");
}

fn case_input(client: &str) -> casebook::records::case::CaseInput {
    casebook::records::case::CaseInput {
        client_id: client.to_owned(),
        source: casebook::records::case::Source::WalkIn,
        categories: vec![casebook::records::case::Category::ViolenceWoman],
        violence_types: vec![],
        risk: casebook::records::case::Risk::Yellow,
        case_manager_id: None,
        incident_at: None,
        consent: None,
        legal_basis: None,
    }
}
