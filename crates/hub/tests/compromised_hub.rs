//! A hub whose database was edited (SQLite and PostgreSQL): a stored event's body no longer
//! says what its label says, and another event now claims to be the receiving laptop's own.
//! The laptop sets each aside with its reason, counts them on its Sync position, takes in
//! everything else, and syncs on.

mod common;

use casebook::log::events::Event;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::timeline::EntryKind;
use common::{Hub, databases, enrolled_laptop, temp};
use oscc_sync::{WireEvent, sync_once};
use std::sync::Mutex;

/// Rewrites the stored event of `record_id` on the hub's database with `edit`. On a thread of
/// its own: the synchronous PostgreSQL client runs a runtime of its own.
fn tamper(database: &str, record_id: &str, edit: impl FnOnce(&mut WireEvent, &mut Event) + Send) {
    std::thread::scope(|scope| {
        scope
            .spawn(|| rewrite(database, record_id, edit))
            .join()
            .expect("the database edit failed")
    });
}

fn rewrite(database: &str, record_id: &str, edit: impl FnOnce(&mut WireEvent, &mut Event)) {
    let read = "SELECT event_id, body FROM events WHERE record_id = ";
    let (event_id, stored): (String, String) = if database.starts_with("postgres") {
        let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
        let row = db.query_one(&format!("{read}$1"), &[&record_id]).unwrap();
        (row.get(0), row.get(1))
    } else {
        let db = rusqlite::Connection::open(database).unwrap();
        db.query_row(&format!("{read}?1"), [record_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let mut wire: WireEvent = serde_json::from_str(&stored).unwrap();
    let mut body: Event = serde_json::from_str(&wire.body).unwrap();
    edit(&mut wire, &mut body);
    wire.body = serde_json::to_string(&body).unwrap();
    let text = serde_json::to_string(&wire).unwrap();
    if database.starts_with("postgres") {
        let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
        db.execute("UPDATE events SET body = $1 WHERE event_id = $2", &[&text, &event_id])
            .unwrap();
    } else {
        let db = rusqlite::Connection::open(database).unwrap();
        db.execute("UPDATE events SET body = ?1 WHERE event_id = ?2", [&text, &event_id])
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_sets_aside_what_an_edited_hub_database_hands_it_and_syncs_on() {
    let root = temp("compromised-hub");
    for database in databases(&root, "compromised-hub") {
        let dir = root.join(if database.starts_with("postgres") {
            "pg"
        } else {
            "sqlite"
        });
        std::fs::create_dir_all(&dir).unwrap();
        compromised(&dir, &database).await;
    }
    let _ = std::fs::remove_dir_all(&root);
}

async fn compromised(root: &std::path::Path, database: &str) {
    let hub = Hub::start(database, root);
    let (mut a, a_worker, a_client) = enrolled_laptop(&root.join("a"), "CPN", "a", &hub, &hub.url).await;
    let (b, b_worker, b_client) = enrolled_laptop(&root.join("b"), "CPN", "b", &hub, &hub.url).await;
    let (person, _) = a
        .create_person(
            &a_worker,
            &casebook::records::person::PersonInput {
                name_th: Some("นางทดสอบ ถูกแก้".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let case = a
        .create_case(
            &a_worker,
            &casebook::records::case::CaseInput {
                client_id: person,
                source: casebook::records::case::Source::WalkIn,
                categories: vec![casebook::records::case::Category::ViolenceWoman],
                violence_types: vec![],
                risk: casebook::records::case::Risk::Green,
                case_manager_id: None,
                incident_at: None,
                consent: None,
                legal_basis: None,
            },
        )
        .unwrap();
    let note = a
        .add_timeline_entry(
            &a_worker,
            &case.id,
            EntryKind::Note,
            "บันทึกจริง",
            "2026-11-01T09:00:00+07:00",
        )
        .unwrap();
    let agency = a
        .add_agency(&a_worker, &Agency::new("หน่วยงานจริง", AgencyType::Ngo))
        .unwrap();
    let schema = casebook::store::schema_version();
    let a = Mutex::new(a);
    sync_once(&a, &a_client, schema).await.unwrap();

    // The hub's database is edited: the note's body moved to another case (its label still
    // names the real one), and the agency rewritten as if laptop B had written it.
    tamper(database, &note, |_, body| {
        body.fields.insert("case_id".into(), "another-case".into());
    });
    let b_device = b.device_id().to_owned();
    tamper(database, &agency, |wire, body| {
        wire.device_id.clone_from(&b_device);
        body.device_id.clone_from(&b_device);
        let parts: Vec<String> = body.hlc.splitn(3, '-').map(str::to_owned).collect();
        body.hlc = format!("{}-{}-{b_device}", parts[0], parts[1]);
    });

    let b = Mutex::new(b);
    let report = sync_once(&b, &b_client, schema).await.unwrap();
    assert_eq!(report.received.quarantined, 2, "the two edited events are set aside");
    let position = b.lock().unwrap().sync_position().unwrap();
    assert_eq!(position.set_aside, 2);
    {
        let mut book = b.lock().unwrap();
        let view = book.open_case(&b_worker, &case.id).unwrap();
        assert!(
            view.timeline.iter().all(|e| e.id != note),
            "the edited note was applied"
        );
        assert!(
            book.agencies(&b_worker).unwrap().is_empty(),
            "the forged agency was applied"
        );
        book.add_timeline_entry(
            &b_worker,
            &case.id,
            EntryKind::Call,
            "โทรติดตาม",
            "2026-11-02T09:00:00+07:00",
        )
        .unwrap();
    }
    // B syncs on: its own work reaches A, and nothing is left waiting.
    sync_once(&b, &b_client, schema).await.unwrap();
    sync_once(&a, &a_client, schema).await.unwrap();
    assert_eq!(b.lock().unwrap().sync_position().unwrap().pending, 0);
    let view = a.lock().unwrap().open_case(&a_worker, &case.id).unwrap();
    assert!(view.timeline.iter().any(|e| e.body == "โทรติดตาม"));
}
