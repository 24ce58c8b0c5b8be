//! A hub whose database was edited (SQLite and PostgreSQL): a stored event's body no longer
//! says what its label says, another event now claims to be the receiving laptop's own, a
//! note's text is rewritten with its label left consistent, a device the hub made up (with an
//! approval signed by a key of its own) hands out an event, another unit's approved device
//! writes into a case it does not hold and takes the case, and the province key is swapped.
//! The laptop sets each event aside with its reason, shows them to its supervisor, refuses to
//! sync with a hub naming another province key, takes in everything else, and syncs on.

mod common;

use casebook::log::entity::Entity;
use casebook::log::events::{Event, Op};
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::timeline::EntryKind;
use common::{Hub, PASS, enrolled_laptop};
use oscc_hub::at_rest::{Key, Kind, ValueKey};
use oscc_sync::attestation::attest;
use oscc_sync::{Client, SyncError, WireEvent, sync_once};
use serde_json::json;
use std::sync::Mutex;

/// The key event bodies are sealed with on a PostgreSQL hub database: the edits below are a
/// hub whose program was replaced, which holds it.
fn value_key(hub: &Hub) -> ValueKey {
    Key::read(&hub.tls_dir).unwrap().values()
}

/// Rewrites the stored event of `record_id` on the hub's database with `edit`. On a thread of
/// its own: the synchronous PostgreSQL client runs a runtime of its own.
fn tamper(hub: &Hub, record_id: &str, edit: impl FnOnce(&mut WireEvent, &mut Event) + Send) {
    std::thread::scope(|scope| {
        scope
            .spawn(|| rewrite(hub, record_id, edit))
            .join()
            .expect("the database edit failed")
    });
}

fn rewrite(hub: &Hub, record_id: &str, edit: impl FnOnce(&mut WireEvent, &mut Event)) {
    let database = hub.database.as_str();
    let read = "SELECT event_id, body FROM events WHERE record_id = ";
    let (event_id, stored): (String, String) = if database.starts_with("postgres") {
        let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
        let row = db.query_one(&format!("{read}$1"), &[&record_id]).unwrap();
        let event_id: String = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        let json = value_key(hub).open(Kind::EventBody, &event_id, &sealed).unwrap();
        (event_id, String::from_utf8(json).unwrap())
    } else {
        common::sqlite(database, &hub.tls_dir)
            .query_row(&format!("{read}?1"), [record_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let mut wire: WireEvent = serde_json::from_str(&stored).unwrap();
    let mut body: Event = serde_json::from_str(&wire.body).unwrap();
    edit(&mut wire, &mut body);
    wire.body = serde_json::to_string(&body).unwrap();
    let text = serde_json::to_string(&wire).unwrap();
    if database.starts_with("postgres") {
        let sealed = value_key(hub)
            .seal(Kind::EventBody, &event_id, text.as_bytes())
            .unwrap();
        let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
        db.execute("UPDATE events SET body = $1 WHERE event_id = $2", &[&sealed, &event_id])
            .unwrap();
    } else {
        common::sqlite(database, &hub.tls_dir)
            .execute("UPDATE events SET body = ?1 WHERE event_id = ?2", [&text, &event_id])
            .unwrap();
    }
}

/// Runs `statements` (SQLite's `?1` placeholders, text values) on the hub's database, in order.
fn execute(hub: &Hub, statements: &[(&str, Vec<String>)]) {
    let database = hub.database.as_str();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                if database.starts_with("postgres") {
                    let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
                    for (sql, args) in statements {
                        let args: Vec<&(dyn postgres::types::ToSql + Sync)> =
                            args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                        db.execute(&sql.replace('?', "$"), &args).unwrap();
                    }
                } else {
                    let db = common::sqlite(database, &hub.tls_dir);
                    for (sql, args) in statements {
                        db.execute(sql, rusqlite::params_from_iter(args)).unwrap();
                    }
                }
            })
            .join()
            .expect("the database edit failed")
    });
}

/// Stores `wire` on the hub's database as an event of `unit` and delivers it to CPN, as a hub
/// whose database was edited would. The stored sequence column (the hub's own, unsigned) is a
/// number of its own, so that two events claiming one device's number can both be stored.
fn deliver(hub: &Hub, wire: &WireEvent, unit: &str) {
    static STORED_SEQ: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1_000_000);
    let stored_seq = STORED_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let json = serde_json::to_string(wire).unwrap();
    // The body as the hub keeps it: in clear in its encrypted SQLite file, sealed for its row on
    // PostgreSQL (bound as hex text, as every value here is).
    let (body, insert) = if hub.database.starts_with("postgres") {
        let sealed = value_key(hub)
            .seal(Kind::EventBody, &wire.event_id, json.as_bytes())
            .unwrap();
        (hex::encode(sealed), "decode(?6, 'hex')")
    } else {
        (json, "?6")
    };
    execute(
        hub,
        &[
            (
                format!(
                    "INSERT INTO events (event_id, device_id, device_seq, unit_code, record_id, body, received_at)
                     VALUES (?1, ?2, CAST(CAST(?3 AS TEXT) AS BIGINT), ?4, ?5, {insert}, '2026-11-01T00:00:00Z')"
                )
                .as_str(),
                vec![
                    wire.event_id.clone(),
                    wire.device_id.clone(),
                    stored_seq.to_string(),
                    unit.to_owned(),
                    wire.record_id.clone(),
                    body,
                ],
            ),
            (
                "INSERT INTO deliveries (unit_code, hub_seq) SELECT 'CPN', hub_seq FROM events WHERE event_id = ?1",
                vec![wire.event_id.clone()],
            ),
        ],
    );
}

fn hex_key(key: &ed25519_dalek::SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_sets_aside_what_an_edited_hub_database_hands_it_and_syncs_on() {
    common::on_each_database("compromised-hub", compromised).await;
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
                client_id: person.clone(),
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
    let second_note = a
        .add_timeline_entry(
            &a_worker,
            &case.id,
            EntryKind::Note,
            "บันทึกที่สอง",
            "2026-11-01T10:00:00+07:00",
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
    tamper(&hub, &note, |_, body| {
        body.fields.insert("case_id".into(), "another-case".into());
    });
    let b_device = b.device_id().to_owned();
    tamper(&hub, &agency, |wire, body| {
        wire.device_id.clone_from(&b_device);
        body.device_id.clone_from(&b_device);
        let parts: Vec<String> = body.hlc.splitn(3, '-').map(str::to_owned).collect();
        body.hlc = format!("{}-{}-{b_device}", parts[0], parts[1]);
    });

    // The second note's text rewritten, its label still saying exactly what the body implies:
    // only the signature tells.
    tamper(&hub, &second_note, |_, body| {
        body.fields.insert("body".into(), "ข้อความที่ฮับแก้".into());
    });
    // A device the hub made up: enrolled in its tables, "approved" with a key of its own, and
    // an event it signed delivered to CPN.
    let made_up = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let hub_key = ed25519_dalek::SigningKey::from_bytes(&[8; 32]);
    let forged = {
        let dir = root.join("made-up");
        std::fs::create_dir_all(&dir).unwrap();
        let (mut book, _, worker) = casebook::synth::unit_laptop(&dir, "x", PASS).unwrap();
        let id = book
            .add_agency(&worker, &Agency::new("หน่วยงานปลอม", AgencyType::Ngo))
            .unwrap();
        let event = book.events().unwrap().into_iter().find(|e| e.entity_id == id).unwrap();
        WireEvent::signed(&event, &made_up)
    };
    let device = forged.device_id.clone();
    execute(
        &hub,
        &[
            (
                "INSERT INTO devices (id, unit_code, name, token_hash, public_key, enrolled_at)
                 VALUES (?1, 'CPN', 'made up', ?2, ?3, '2026-11-01T00:00:00Z')",
                vec![device.clone(), "00".repeat(32), hex_key(&made_up)],
            ),
            (
                "INSERT INTO attestations (device_id, signature, approved_at) VALUES (?1, ?2, '2026-11-01T00:00:00Z')",
                vec![device.clone(), attest(&hub_key, &device, "CPN", &hex_key(&made_up))],
            ),
        ],
    );

    deliver(&hub, &forged, "CPN");

    // A laptop of BKK, approved by the province: events it signed that the hub's rules refuse,
    // handed to CPN all the same: a CPN user's role changed, and an agency claiming to be CPN's.
    let bkk = Client::new(&hub.url, None, None)
        .unwrap()
        .enroll(&hub.code("BKK"), "c")
        .await
        .unwrap();
    let bkk_device = bkk.device_id.clone();
    hub.approve(&bkk_device);
    let secret = bkk.credentials.to_secret();
    let bkk_key = ed25519_dalek::SigningKey::from_bytes(
        &hex::decode(secret.split_once(':').unwrap().1)
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let bkk_event = |seq: i64, entity: Entity, id: &str, fields: serde_json::Value| {
        let event = Event {
            event_id: format!("bkk-event-{seq}-{bkk_device}"),
            device_id: bkk_device.clone(),
            device_seq: seq,
            hlc: format!("{:013}-00000-{bkk_device}", chrono::Utc::now().timestamp_millis() + seq),
            user_id: None,
            schema_version: schema,
            entity,
            entity_id: id.to_owned(),
            op: Op::Upsert,
            fields: fields.as_object().cloned().unwrap(),
            bases: Default::default(),
        };
        WireEvent::signed(&event, &bkk_key)
    };
    let role_change = bkk_event(1, Entity::User, &b_worker.user_id, json!({"role": "administrator"}));
    let claimed_agency = bkk_event(
        2,
        Entity::Agency,
        &format!("agency-{}", uuid::Uuid::now_v7()),
        json!({"name": "หน่วยงานอ้างชื่อ", "agency_type": "ngo", "unit_code": "CPN",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    // And one of BKK's own agencies with a type no screen knows.
    let strange_agency = bkk_event(
        3,
        Entity::Agency,
        &format!("agency-{}", uuid::Uuid::now_v7()),
        json!({"name": "หน่วยงานแปลก", "agency_type": "made_up", "unit_code": "BKK",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    deliver(&hub, &strange_agency, "BKK");
    // One of BKK's agencies as it is (the laptop cannot tell that the hub should not have
    // routed it), then another event under its number (a second "seq 5"), and a change to a
    // CPN user that was never created.
    let fields = |name: &str| {
        json!({"name": name, "agency_type": "ngo", "unit_code": "BKK",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"})
    };
    let bkk_agency = bkk_event(
        5,
        Entity::Agency,
        &format!("agency-{}", uuid::Uuid::now_v7()),
        fields("หน่วยงานของกรุงเทพ"),
    );
    deliver(&hub, &bkk_agency, "BKK");
    let second_five = {
        let mut event = bkk_event(
            5,
            Entity::Agency,
            &format!("agency-{}", uuid::Uuid::now_v7()),
            fields("เลขซ้ำ"),
        );
        event.event_id = format!("bkk-other-event-5-{bkk_device}");
        let mut body: Event = serde_json::from_str(&event.body).unwrap();
        body.event_id = event.event_id.clone();
        event.body = serde_json::to_string(&body).unwrap();
        event.sign(&bkk_key);
        event
    };
    deliver(&hub, &second_five, "BKK");
    let orphan = bkk_event(4, Entity::User, "user-never-created", json!({"role": "administrator"}));
    // And one of BKK's agencies written with a clock two days fast.
    let fast = {
        let mut event = bkk_event(
            6,
            Entity::Agency,
            &format!("agency-{}", uuid::Uuid::now_v7()),
            fields("นาฬิกาเร็ว"),
        );
        let mut body: Event = serde_json::from_str(&event.body).unwrap();
        let ahead = chrono::Utc::now().timestamp_millis() + 2 * 24 * 3600 * 1000;
        body.hlc = format!("{ahead:013}-00000-{bkk_device}");
        event.body = serde_json::to_string(&body).unwrap();
        event.sign(&bkk_key);
        event
    };
    deliver(&hub, &fast, "BKK");
    deliver(&hub, &orphan, "BKK");
    deliver(&hub, &role_change, "BKK");
    deliver(&hub, &claimed_agency, "BKK");
    // BKK writes into a CPN case it was never given, and hands that case to itself: events a
    // hub that judged them would have refused.
    let intrusion = bkk_event(
        9,
        Entity::TimelineEntry,
        &format!("entry-{}", uuid::Uuid::now_v7()),
        json!({"case_id": case.id, "kind": "note", "body": "บันทึกจากหน่วยอื่น", "unit_code": "BKK",
            "occurred_at": "2026-11-01T11:00:00+07:00",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    let seizure = bkk_event(10, Entity::Case, &case.id, json!({"held_by": "BKK"}));
    // A BKK person under the CPN case's id, first: a record of another kind lends its unit to
    // nothing (taken, as BKK's own person).
    let decoy = bkk_event(
        14,
        Entity::Person,
        &case.id,
        json!({"name_th": "ล่อ", "id_kind": "none", "sex": "unknown", "unit_code": "BKK",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    deliver(&hub, &decoy, "BKK");
    deliver(&hub, &intrusion, "BKK");
    deliver(&hub, &seizure, "BKK");
    // And one of BKK's agencies without its type: it could never be written to a book.
    let incomplete = bkk_event(
        11,
        Entity::Agency,
        &format!("agency-{}", uuid::Uuid::now_v7()),
        json!({"name": "ไม่ครบ", "unit_code": "BKK",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    deliver(&hub, &incomplete, "BKK");
    // And a BKK agency written in the name of a CPN social worker.
    let impersonation = {
        let mut event = bkk_event(
            12,
            Entity::Agency,
            &format!("agency-{}", uuid::Uuid::now_v7()),
            fields("ในนามผู้อื่น"),
        );
        let mut body: Event = serde_json::from_str(&event.body).unwrap();
        body.user_id = Some(b_worker.user_id.clone());
        event.body = serde_json::to_string(&body).unwrap();
        event.sign(&bkk_key);
        event
    };
    deliver(&hub, &impersonation, "BKK");
    // And a change to the phone of CPN's client, after a BKK case naming her as its client (a
    // link to a person BKK does not see: the hub would have refused it).
    let claim = bkk_event(
        15,
        Entity::Case,
        &format!("case-{}", uuid::Uuid::now_v7()),
        json!({"case_number": "BKK-2569-0001", "client_id": person, "source": "walk_in", "risk": "green",
            "status": "intake", "held_by": "BKK", "unit_code": "BKK",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"}),
    );
    deliver(&hub, &claim, "BKK");
    let phone = bkk_event(13, Entity::Person, &person, json!({"phone": "0800000000"}));
    deliver(&hub, &phone, "BKK");

    // The province key swapped on the hub: the laptop stops before it sends or takes anything.
    let b = Mutex::new(b);
    let pinned = hub.province_key();
    let swap = "UPDATE province SET public_key = ?1";
    execute(&hub, &[(swap, vec![hex_key(&hub_key)])]);
    assert!(matches!(
        sync_once(&b, &b_client, schema).await,
        Err(SyncError::ProvinceKeyChanged)
    ));
    assert_eq!(b.lock().unwrap().sync_position().unwrap().pull_cursor, 0);
    execute(&hub, &[(swap, vec![pinned])]);

    let report = sync_once(&b, &b_client, schema).await.unwrap();
    assert_eq!(
        report.received.quarantined, 16,
        "the sixteen edited or forged events are set aside"
    );
    let position = b.lock().unwrap().sync_position().unwrap();
    assert_eq!(position.set_aside, 16);
    let supervisor = casebook::Session {
        role: casebook::Role::Supervisor,
        ..b_worker.clone()
    };
    let mut why: Vec<(String, String)> = b
        .lock()
        .unwrap()
        .set_aside_events(&supervisor)
        .unwrap()
        .into_iter()
        .map(|e| (e.entity_id, e.reason))
        .collect();
    why.sort();
    let mut expected = vec![
        (note.clone(), "bad_signature".to_owned()),
        (second_note.clone(), "bad_signature".to_owned()),
        (agency.clone(), "bad_signature".to_owned()),
        (forged.record_id.clone(), "unknown_device".to_owned()),
        (role_change.record_id.clone(), "not_yours".to_owned()),
        (claimed_agency.record_id.clone(), "not_yours".to_owned()),
        (strange_agency.record_id.clone(), "bad_shape".to_owned()),
        (second_five.record_id.clone(), "diverged".to_owned()),
        (orphan.record_id.clone(), "unknown_origin".to_owned()),
        (fast.record_id.clone(), "clock_ahead".to_owned()),
        (intrusion.record_id.clone(), "not_held".to_owned()),
        (seizure.record_id.clone(), "not_held".to_owned()),
        (incomplete.record_id.clone(), "incomplete".to_owned()),
        (impersonation.record_id.clone(), "not_yours".to_owned()),
        (phone.record_id.clone(), "not_held".to_owned()),
        (claim.record_id.clone(), "not_held".to_owned()),
    ];
    expected.sort();
    assert_eq!(why, expected);
    assert!(
        b.lock().unwrap().set_aside_events(&b_worker).is_err(),
        "supervisors only"
    );
    {
        let mut book = b.lock().unwrap();
        let view = book.open_case(&b_worker, &case.id).unwrap();
        assert!(
            view.timeline.iter().all(|e| e.id != note && e.id != second_note),
            "an edited note was applied"
        );
        assert!(
            view.timeline.iter().all(|e| e.id != intrusion.record_id),
            "a note from a unit not holding the case was applied"
        );
        assert_eq!(view.case.held_by.as_deref(), Some("CPN"), "another unit took the case");
        let agencies: Vec<String> = book
            .agencies(&b_worker)
            .unwrap()
            .into_iter()
            .map(|a| a.record.name)
            .collect();
        assert_eq!(agencies, ["หน่วยงานของกรุงเทพ"], "a forged agency was applied");
        let admin = casebook::Session {
            role: casebook::Role::Administrator,
            ..b_worker.clone()
        };
        let users = book.users(&admin).unwrap();
        let worker = users.iter().find(|u| u.id == b_worker.user_id).unwrap();
        assert_eq!(
            worker.role,
            casebook::Role::SocialWorker,
            "another unit's device changed a CPN user's role"
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

    // The hub's database shows B as waiting for approval again, with another key: the
    // administrator's `approve` refuses, from the list of approvals kept beside the key file.
    execute(
        &hub,
        &[
            ("DELETE FROM attestations WHERE device_id = ?1", vec![b_device.clone()]),
            (
                "UPDATE devices SET public_key = ?2 WHERE id = ?1",
                vec![b_device.clone(), hex_key(&made_up)],
            ),
        ],
    );
    let approve = common::admin(database, root, &["approve", &b_device]);
    assert!(!approve.status.success());
    let said = String::from_utf8_lossy(&approve.stderr);
    assert!(said.contains("was approved before"), "{said}");
    assert!(!hub.device_approved(&b_device));

    // The BKK laptop is lost and revoked with the province key; a hub that still hands out
    // events its stolen key signs gets them set aside: the laptops know of the revocation.
    let revoked = common::admin(database, root, &["revoke", &bkk_device]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let after = bkk_event(
        8,
        Entity::Agency,
        &format!("agency-{}", uuid::Uuid::now_v7()),
        fields("หลังถูกเพิกถอน"),
    );
    deliver(&hub, &after, "BKK");
    let report = sync_once(&a, &a_client, schema).await.unwrap();
    assert_eq!(report.received.quarantined, 1, "only the new event counts as set aside");
    let names: Vec<String> = a
        .lock()
        .unwrap()
        .agencies(&a_worker)
        .unwrap()
        .into_iter()
        .map(|agency| agency.record.name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "หลังถูกเพิกถอน"),
        "an event the revoked key signed was applied: {names:?}"
    );
    let supervisor = casebook::Session {
        role: casebook::Role::Supervisor,
        ..a_worker.clone()
    };
    let set_aside = a.lock().unwrap().set_aside_events(&supervisor).unwrap();
    assert!(
        set_aside
            .iter()
            .any(|e| e.entity_id == after.record_id && e.reason == "revoked"),
        "{set_aside:?}"
    );
}
