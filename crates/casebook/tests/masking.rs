//! Masking without holes, on real encrypted books: a role that may not see identity (a
//! facilitator) cannot learn from a search whether someone is a client, every search is in the
//! audit log with its query only as a keyed hash a supervisor can check, and a conflict over a
//! person's name or phone shows masked until someone who may see it reveals it, with a reason.

mod common;

use casebook::error::Rule;
use casebook::log::events::Event;
use casebook::records::timeline::EntryKind;
use casebook::sync::receive::Incoming;
use casebook::{Casebook, Error, KdfParams, Role, Session};
use common::*;

const CLIENT: &str = "นางสาวมะลิวัลย์ ทดลองค้น";
const ID_NUMBER: &str = "1103702345679";
const FACILITATOR_PASS: &str = "ผู้ดำเนินการประชุม-passphrase-3";
const SUPERVISOR_PASS: &str = "หัวหน้างาน-passphrase-4";

/// `book` with a user of `role` added by `admin`, signed in as that user.
fn signed_in(
    dir: &Dir,
    mut book: Casebook,
    admin: &Session,
    username: &str,
    role: Role,
    pass: &str,
) -> (Casebook, Session) {
    book.set_kdf(KdfParams::fast());
    book.add_user(admin, username, "ผู้ใช้ สมมุติ", role, pass).unwrap();
    drop(book);
    Casebook::unlock(dir.path(), username, pass).unwrap()
}

fn refused_rule(result: casebook::Result<Vec<casebook::records::case_list::CaseRow>>) -> (String, Rule) {
    match result {
        Err(Error::Invalid(i)) => (i.field, i.rule),
        other => panic!("expected the search refused, got {other:?}"),
    }
}

#[test]
fn a_facilitator_searches_case_numbers_only_and_every_search_is_audited_as_a_keyed_hash() {
    let dir = Dir::new("masked-search");
    let (book, worker, admin, _) = book_with_worker(dir.path());
    let (book, facilitator) = signed_in(&dir, book, &admin, "facil", Role::Facilitator, FACILITATOR_PASS);
    let (mut book, head) = signed_in(&dir, book, &admin, "head", Role::Supervisor, SUPERVISOR_PASS);
    let (client, _) = book.create_person(&worker, &person(CLIENT)).unwrap();
    let case = book.create_case(&worker, &case_for(&client)).unwrap();
    book.add_timeline_entry(
        &worker,
        &case.id,
        EntryKind::Note,
        "นัดพบที่ Plumtreehouse",
        &casebook::dates::now_iso(),
    )
    .unwrap();
    let found = |book: &mut Casebook, session: &Session, query: &str| -> Vec<String> {
        book.search_cases(session, query, 20)
            .unwrap()
            .into_iter()
            .map(|row| row.case_number)
            .collect()
    };
    let number = vec![case.case_number.clone()];

    // The social worker finds the client by name, ID number, phone and note.
    for query in ["มะลิวัลย์", ID_NUMBER, "99990000", "Zyxqua", "Plumtreehouse"] {
        assert_eq!(found(&mut book, &worker, query), number, "{query}");
    }
    // The facilitator asking the same is refused, however the number is typed: the refusal
    // comes from the query's shape, not from whether anyone matched.
    for query in ["มะลิวัลย์", ID_NUMBER, "1-1037-02345-67-9", "ไม่มีใครชื่อนี้"]
    {
        assert_eq!(
            refused_rule(book.search_cases(&facilitator, query, 20)),
            ("search.query".to_owned(), Rule::IdentitySearch),
            "{query}"
        );
    }
    // What looks like a case number only searches case numbers: a piece of the phone, a Latin
    // name or a word of a note finds nothing.
    for query in ["99990000", "Zyxqua", "Plumtreehouse"] {
        assert!(found(&mut book, &facilitator, query).is_empty(), "{query}");
    }
    // By its number the facilitator finds the case, whole or in part.
    assert_eq!(found(&mut book, &facilitator, &case.case_number), number);
    let tail = &case.case_number[case.case_number.len() - 4..];
    assert_eq!(found(&mut book, &facilitator, tail), number);

    // Every search left an entry: who, a keyed hash of the query, how many it found (or that it
    // was refused), and never the query.
    let queries: [(&str, &Session, Option<usize>); 4] = [
        ("มะลิวัลย์", &worker, Some(1)),
        (ID_NUMBER, &facilitator, None),
        ("99990000", &facilitator, Some(0)),
        (case.case_number.as_str(), &facilitator, Some(1)),
    ];
    let trail = book.audit_trail(&admin, None, 1000).unwrap();
    let searches: Vec<_> = trail.iter().filter(|e| e.action == "case.search").collect();
    assert_eq!(searches.len(), 5 + 4 + 3 + 2);
    for (query, session, results) in queries {
        let hash = book.search_query_hash(&head, query).unwrap();
        assert_eq!(hash.len(), 64);
        // Only spaces around the query are not part of it.
        assert_eq!(book.search_query_hash(&head, &format!("  {query} ")).unwrap(), hash);
        let entry = searches
            .iter()
            .find(|e| {
                let detail: serde_json::Value = serde_json::from_str(e.detail.as_deref().unwrap()).unwrap();
                detail["query_hmac"] == hash.as_str() && e.user_id.as_deref() == Some(session.user_id.as_str())
            })
            .unwrap_or_else(|| panic!("no audited search for {query}"));
        let detail: serde_json::Value = serde_json::from_str(entry.detail.as_deref().unwrap()).unwrap();
        match results {
            Some(n) => assert_eq!(detail["results"], n, "{query}"),
            None => assert_eq!(detail["refused"], true, "{query}"),
        }
    }
    assert_ne!(
        book.search_query_hash(&head, "มะลิวัลย์").unwrap(),
        book.search_query_hash(&head, "มะลิวัลย").unwrap()
    );
    // No query anywhere in the audit log, in clear.
    let words = [
        "มะลิวัลย์",
        ID_NUMBER,
        "1-1037-02345-67-9",
        "99990000",
        "Zyxqua",
        "Plumtreehouse",
        "ไม่มีใครชื่อนี้",
    ];
    for entry in &trail {
        let row = format!("{entry:?}");
        for word in words {
            assert!(!row.contains(word), "{word} in {row}");
        }
    }
    // The hash is keyed: not the plain SHA-256 of the query, which anyone could work out.
    let plain = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest("มะลิวัลย์".as_bytes()))
    };
    assert_ne!(book.search_query_hash(&head, "มะลิวัลย์").unwrap(), plain);
    // Only a supervisor checks a query.
    for session in [&worker, &facilitator] {
        assert!(matches!(
            book.search_query_hash(session, "มะลิวัลย์"),
            Err(Error::Forbidden(_))
        ));
    }
    assert_eq!(book.verify_audit().unwrap().map(|n| n > 0), Ok(true));

    // The key stays with the book: opened again, the same query hashes the same.
    let before = book.search_query_hash(&head, ID_NUMBER).unwrap();
    drop(book);
    let (book, _) = Casebook::unlock(dir.path(), "head", SUPERVISOR_PASS).unwrap();
    assert_eq!(book.search_query_hash(&head, ID_NUMBER).unwrap(), before);
}

/// Each book takes in the other's events.
fn exchange(a: &mut Casebook, b: &mut Casebook) {
    let wrap = |events: Vec<Event>| -> Vec<Incoming> {
        events
            .into_iter()
            .map(|event| Incoming::Event { event, writer: None })
            .collect()
    };
    let from_a = wrap(a.events().unwrap());
    let from_b = wrap(b.events().unwrap());
    b.receive(from_a, 1).unwrap();
    a.receive(from_b, 1).unwrap();
}

#[test]
fn a_conflict_over_a_persons_name_and_phone_shows_masked_until_revealed() {
    let dir_a = Dir::new("masked-conflict-a");
    let dir_b = Dir::new("masked-conflict-b");
    let (a, admin_a, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let (mut a, facilitator) = signed_in(&dir_a, a, &admin_a, "facil", Role::Facilitator, FACILITATOR_PASS);
    let (client, _) = a.create_person(&wa, &person(CLIENT)).unwrap();
    a.create_case(&wa, &case_for(&client)).unwrap();
    exchange(&mut a, &mut b);

    // Both laptops correct the client's name and phone, offline at once.
    let names = ["นางสาวมะลิวัลย์ แก้ที่หนึ่ง", "นางสาวมะลิวรรณ แก้ที่สอง"];
    let phones = ["0811110001", "0822220002"];
    for (book, session, i) in [(&mut a, &wa, 0), (&mut b, &wb, 1)] {
        let mut input = person(names[i]);
        input.phone = Some(phones[i].into());
        book.update_person(session, &client, &input).unwrap();
    }
    exchange(&mut a, &mut b);

    // Listed, the values show as lists show them, for the facilitator and the social worker
    // alike until they reveal.
    for session in [&facilitator, &wa] {
        let conflicts = a.conflicts(session).unwrap();
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
        let shown = format!("{conflicts:?}");
        for value in names.iter().chain(&phones) {
            assert!(!shown.contains(value), "{value} shown: {shown}");
        }
        for c in &conflicts {
            assert!(c.masked, "{c:?}");
            let mut values = [c.kept_value.as_str().unwrap(), c.other_value.as_str().unwrap()];
            values.sort_unstable();
            match c.field.as_str() {
                "name_th" => assert_eq!(values, ["น••• แ•••", "น••• แ•••"]),
                "phone" => assert_eq!(values, ["•••••••001", "•••••••002"]),
                other => panic!("unexpected conflict on {other}"),
            }
        }
    }

    // The facilitator may not reveal; the social worker reveals with a reason, audited.
    let name_conflict = a
        .conflicts(&wa)
        .unwrap()
        .into_iter()
        .find(|c| c.field == "name_th")
        .unwrap();
    assert!(matches!(
        a.reveal_conflict(&facilitator, &name_conflict.id, "อยากรู้"),
        Err(Error::Forbidden(_))
    ));
    match a.reveal_conflict(&wa, &name_conflict.id, "  ") {
        Err(Error::Invalid(i)) => assert_eq!((i.field.as_str(), i.rule), ("reveal.reason", Rule::Required)),
        other => panic!("a reveal without a reason: {other:?}"),
    }
    let revealed = a.reveal_conflict(&wa, &name_conflict.id, "เลือกชื่อที่ถูกต้อง").unwrap();
    assert!(!revealed.masked);
    let mut values = [
        revealed.kept_value.as_str().unwrap(),
        revealed.other_value.as_str().unwrap(),
    ];
    values.sort_unstable();
    let mut expected = names;
    expected.sort_unstable();
    assert_eq!(values, expected);
    let reveals: Vec<_> = a
        .audit_trail(&admin_a, Some(&client), 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "identity.reveal")
        .collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].user_id.as_deref(), Some(wa.user_id.as_str()));
    assert_eq!(reveals[0].detail.as_deref(), Some("เลือกชื่อที่ถูกต้อง"));
    // Listing again masks it again: a reveal is for the one who asked, once.
    assert!(a.conflicts(&wa).unwrap().iter().all(|c| c.masked));

    // Choosing from the masked list writes the value in full, never its mask.
    a.resolve_conflict(&wa, &name_conflict.id, true).unwrap();
    let chosen = a.reveal_person(&wa, &client, "ตรวจชื่อที่เลือก").unwrap();
    assert_eq!(chosen.name_th.as_deref(), revealed.other_value.as_str());
}
