//! A rogue enrolled device against the real hub process (SQLite and PostgreSQL): a laptop of
//! unit CPN whose owner signs whatever it wants with its own key and token (a stolen laptop
//! before it is revoked, malware that read the keyring, an insider). Every attack is refused
//! event by event with its reason, nothing of unit BKK reaches CPN, and the honest laptops
//! keep syncing and agree.

mod common;

use casebook::Session;
use casebook::log::entity::Entity;
use casebook::log::events::{Event, Op};
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::numbers::{Number, NumberKind, NumberWant, laptop_tag, parse_case_number};
use casebook::records::person::PersonInput;
use casebook::records::timeline::EntryKind;
use common::{Hub, Laptop};
use ed25519_dalek::SigningKey;
use oscc_sync::{NumbersRequest, NumbersResponse, PullResponse, PushRequest, PushResponse, Refusal, WireEvent};
use serde_json::{Value, json};

/// A name only BKK's case holds: found anywhere CPN can read, it leaked.
const BKK_NAME: &str = "นางสาวลับเฉพาะ หน่วยอื่น";
const BKK_ID_NUMBER: &str = "1103702345679";

impl Laptop {
    /// A client and a case for them; (person id, case id).
    fn open_case(&self, name: &str, id_number: Option<&str>) -> (String, String) {
        let mut book = self.book.lock().unwrap();
        let person = PersonInput {
            name_th: Some(name.into()),
            id_number: id_number.map(str::to_owned),
            id_kind: id_number.map(|_| casebook::records::person::IdKind::ThaiCitizen),
            ..PersonInput::default()
        };
        let (person, _) = book.create_person(&self.worker, &person).unwrap();
        let case = book
            .create_case(&self.worker, &casebook::synth::walk_in_case(&person))
            .unwrap();
        (person, case.id)
    }

    fn hash(&self) -> String {
        self.book.lock().unwrap().state_hash().unwrap()
    }

    /// Refers `case_id` to a shelter that keeps its cases on the hub as unit `unit` (a partner),
    /// or, without a unit, to one that does not; the referral's id.
    fn refer_to_unit(&self, case_id: &str, unit: Option<&str>) -> String {
        let mut book = self.book.lock().unwrap();
        let mut shelter =
            casebook::records::agency::Agency::new("บ้านพักทดสอบ", casebook::records::agency::AgencyType::Shelter);
        shelter.hub_unit = unit.map(str::to_owned);
        let agency = book.add_agency(&self.worker, &shelter).unwrap();
        book.create_referral(
            &self.worker,
            &casebook::records::referral::Referral::draft(case_id, &agency, "ที่พักปลอดภัย"),
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap()
    }
}

/// The attacker: an enrolled device of CPN that writes its own events, envelope and body as it
/// likes, and signs them with its own key.
struct Rogue {
    http: reqwest::Client,
    url: String,
    token: String,
    key: SigningKey,
    device_id: String,
    seq: i64,
}

impl Rogue {
    /// A device of `unit`, enrolled with `code` (a coordinator's code makes a coordinator).
    async fn enroll(hub: &Hub, code: String) -> Rogue {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let (http, answer) = common::enroll_by_hand(hub, code, &key, "rogue").await;
        Rogue {
            http,
            url: hub.url.clone(),
            token: answer.token,
            key,
            device_id: answer.device_id,
            seq: 0,
        }
    }

    /// The next event of this device's log, writing `fields` to record `id` of `entity`.
    fn event(&mut self, entity: Entity, id: &str, fields: Value) -> Event {
        self.seq += 1;
        Event {
            event_id: format!("rogue-event-{}-{}", self.device_id, self.seq),
            device_id: self.device_id.clone(),
            device_seq: self.seq,
            hlc: format!(
                "{:013}-{:05}-{}",
                chrono::Utc::now().timestamp_millis() as u64 + self.seq as u64,
                0,
                self.device_id
            ),
            user_id: None,
            schema_version: casebook::store::schema_version(),
            entity,
            entity_id: id.to_owned(),
            op: Op::Upsert,
            fields: fields.as_object().cloned().unwrap_or_default(),
            bases: Default::default(),
        }
    }

    fn signed(&self, mut wire: WireEvent) -> WireEvent {
        wire.sign(&self.key);
        wire
    }

    async fn send(&self, events: Vec<WireEvent>) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/push", self.url))
            .bearer_auth(&self.token)
            .json(&PushRequest { events, acked_seq: 0 })
            .send()
            .await
            .unwrap()
    }

    async fn push(&self, events: Vec<WireEvent>) -> PushResponse {
        let response = self.send(events).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// A complete agency of this device's unit, signed: an event an honest laptop would send.
    fn agency(&mut self, unit: &str) -> WireEvent {
        let fields = json!({"name": "หน่วยงานจริง", "agency_type": "ngo", "unit_code": unit,
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
        let event = self.event(Entity::Agency, &id("agency"), fields);
        self.signed(WireEvent::from_event(&event))
    }

    /// Asks the hub for numbers as this device.
    async fn numbers(&self, want: NumberWant) -> NumbersResponse {
        self.http
            .post(format!("{}/v1/numbers", self.url))
            .bearer_auth(&self.token)
            .json(&NumbersRequest {
                wants: vec![want],
                usernames: vec![],
            })
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Pushes one event and gives the hub's reason for refusing it (None: stored).
    async fn try_one(&self, wire: WireEvent) -> Option<Refusal> {
        let event_id = wire.event_id.clone();
        let answer = self.push(vec![self.signed(wire)]).await;
        answer.refused.iter().find(|r| r.event_id == event_id).map(|r| r.reason)
    }

    /// Everything the hub delivers to this device's unit, as text.
    async fn pull_all(&self) -> String {
        let page: PullResponse = self
            .http
            .get(format!("{}/v1/pull?after=0&limit=2000", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        serde_json::to_string(&page.events.iter().map(|p| &p.event).collect::<Vec<_>>()).unwrap()
    }
}

/// Sends a push whose head announces a body of `length` bytes, then `sent` bytes of that body
/// (on a thread of its own, which stops when the hub closes the connection), and reads the
/// status the hub answers with.
fn push_status(addr: &str, token: &str, length: usize, sent: usize) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    let body = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut left = sent;
        let _ = writer.write_all(head.as_bytes());
        while left > 0 {
            let n = left.min(chunk.len());
            if writer.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n;
        }
    });
    let mut status_line = String::new();
    BufReader::new(&stream).read_line(&mut status_line).unwrap();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = body.join();
    status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status: {status_line:?}"))
}

/// Whether the hub hangs up a connection on which `sent` was written and nothing more, within
/// 20 s; with what it answered before.
fn hung_up(addr: &str, sent: &[u8]) -> (bool, String) {
    use std::io::{ErrorKind, Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    stream.write_all(sent).unwrap();
    let mut answered = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (true, String::from_utf8_lossy(&answered).into_owned()),
            Ok(n) => answered.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
                return (true, String::from_utf8_lossy(&answered).into_owned());
            }
            Err(_) => return (false, String::from_utf8_lossy(&answered).into_owned()),
        }
    }
}

fn coordinator_code(hub: &Hub) -> String {
    let printed = hub.cli(&["enroll-code", "--unit", "PROV", "--coordinator"]);
    printed.lines().next().unwrap_or_default().to_owned()
}

fn id(label: &str) -> String {
    format!("{label}-{}", uuid::Uuid::now_v7())
}

#[tokio::test(flavor = "current_thread")]
async fn a_rogue_device_is_refused_event_by_event_and_the_honest_laptops_sync_on() {
    common::on_each_database("rogue", rogue).await;
}

async fn rogue(root: &std::path::Path, database: &str) {
    // Requests time out after 5 s here (120 s by default), for the trickling request below.
    let hub = Hub::spawn(database, root, &["--plain-http", "--request-timeout", "5"]);
    let bkk = Laptop::new(root, "BKK", "bkk", &hub).await;
    let cpn1 = Laptop::new(root, "CPN", "cpn1", &hub).await;
    let cpn2 = Laptop::new(root, "CPN", "cpn2", &hub).await;
    let (bkk_person, bkk_case) = bkk.open_case(BKK_NAME, Some(BKK_ID_NUMBER));
    let (_, cpn_case) = cpn1.open_case("นางทดสอบ หน่วยเรา", None);
    let cpn_referral = cpn1.refer_to_unit(&cpn_case, None);
    bkk.sync().await;
    cpn1.sync().await;
    cpn2.sync().await;
    let mut rogue = Rogue::enroll(&hub, hub.code("CPN")).await;

    // 1. Read another unit's case by writing to it: a note in BKK's case.
    let note = id("note");
    let fields = json!({"case_id": bkk_case, "kind": "note", "body": "x", "occurred_at": "2026-11-01T00:00:00Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &note, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::CaseNotHeld));

    // 2. … by linking to it: a CPN case whose client is BKK's person.
    let case = id("case");
    let fields = json!({"client_id": bkk_person, "case_number": "CPN-2569-9999", "held_by": "CPN",
        "source": "walk_in", "categories": ["violence_woman"], "violence_types": [], "risk": "red", "status": "intake"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &case, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::LinkNotVisible));

    // 3. … by granting it to itself: BKK's case "transferred" to CPN.
    let fields = json!({"held_by": "CPN"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &bkk_case, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::CaseNotHeld));

    // 4. Write into another unit: change the role of BKK's administrator.
    let fields = json!({"role": "social_worker"});
    let wire = WireEvent::from_event(&rogue.event(Entity::User, &bkk.admin.user_id, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotYours));

    // 5. Forge the province's statistics: a case counted for BKK.
    let fields = json!({"unit_code": "BKK", "case_number": "BKK-2569-9999", "held_by": "CPN",
        "source": "walk_in", "categories": ["trafficking"], "violence_types": [], "risk": "red", "status": "intake"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &id("case"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotYours));

    // 6. Take over another laptop's device id and sequence.
    let bkk_device = bkk.book.lock().unwrap().device_id().to_owned();
    let mut stolen = rogue.event(
        Entity::Agency,
        &id("agency"),
        json!({"name": "ปลอม", "agency_type": "ngo"}),
    );
    stolen.device_id = bkk_device.clone();
    stolen.device_seq = 1_000;
    stolen.hlc = format!("{:013}-{:05}-{}", chrono::Utc::now().timestamp_millis(), 0, bkk_device);
    let mut wire = WireEvent::from_event(&stolen);
    wire.device_seq = rogue.seq;
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotSender));

    // 7. Envelope and body that disagree: the envelope names CPN's case, the body BKK's.
    let fields = json!({"case_id": bkk_case, "kind": "note", "body": "x", "occurred_at": "2026-11-01T00:00:00Z"});
    let mut wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), fields));
    wire.case_id = Some(cpn_case.clone());
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::EnvelopeMismatch));

    // 8. Bodies that are not events: malformed JSON, an unknown field, a wrongly typed field, a
    //    field the schema does not have.
    let mut wire = WireEvent::from_event(&rogue.event(Entity::Agency, &id("agency"), json!({"name": "ก"})));
    wire.body = "{\"event_id\": ".into();
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::Malformed));
    let event = rogue.event(Entity::Agency, &id("agency"), json!({"name": "ก"}));
    let mut wire = WireEvent::from_event(&event);
    let mut body: Value = serde_json::from_str(&wire.body).unwrap();
    body["smuggled"] = json!(1);
    wire.body = body.to_string();
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::Malformed));
    let fields = json!({"risk": 42});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &cpn_case, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    let fields = json!({"name": "ก", "password_hash": "x"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Agency, &id("agency"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    // A record's first event without a field the record cannot be without (a note without its
    // text), and a later one emptying such a field (a case's risk): either record could never
    // be written to a book, and would wait on every laptop for good.
    let fields = json!({"case_id": cpn_case, "kind": "note", "occurred_at": "2026-11-01T00:00:00Z",
        "unit_code": "CPN", "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    let fields = json!({"risk": null});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &cpn_case, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));

    // 9. A transfer to a unit the province does not have.
    let fields = json!({"held_by": "NOWHERE"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &cpn_case, fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::UnknownUnit));

    // 10. One bad event amid good ones: the good ones are stored and the device's sequence
    //     goes on past the refused one.
    let first = rogue.agency("CPN");
    let bad_fields = json!({"case_id": bkk_case, "kind": "note", "body": "x", "occurred_at": "2026-11-01T00:00:00Z"});
    let bad = rogue.event(Entity::TimelineEntry, &id("note"), bad_fields);
    let bad = rogue.signed(WireEvent::from_event(&bad));
    let last = rogue.agency("CPN");
    let bad_id = bad.event_id.clone();
    let answer = rogue.push(vec![first, bad, last]).await;
    assert_eq!(
        answer.acked_seq, rogue.seq,
        "the sequence goes on past the refused event"
    );
    let refused_here: Vec<_> = answer.refused.iter().filter(|r| r.device_seq > rogue.seq - 3).collect();
    assert_eq!(refused_here.len(), 1);
    assert_eq!(
        (refused_here[0].event_id.as_str(), refused_here[0].reason),
        (bad_id.as_str(), Refusal::CaseNotHeld)
    );

    // 11. A list column holding a string, and a clock of 14 digits, would break every laptop
    //     that reads them.
    let fields = json!({"name": "ก", "agency_type": "ngo", "contacts": "x"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Agency, &id("agency"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    let mut far = rogue.event(Entity::Agency, &id("agency"), json!({"name": "ก"}));
    far.hlc = format!("{:014}-{:05}-{}", 99_999_999_999_999u64, 0, rogue.device_id);
    assert_eq!(
        rogue.try_one(WireEvent::from_event(&far)).await,
        Some(Refusal::BadShape)
    );

    // 11b. People, consent and outcomes: a consent written into BKK's case, BKK's person
    //      merged into one of CPN's (so CPN's screens would show it for BKK's), a rating no
    //      scale has, an interpreter's language no list has.
    let fields = json!({"case_id": bkk_case, "purpose": "referral", "basis": "vital_interest",
        "reason": "x", "given_on": "2026-11-01"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Consent, &id("consent"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::CaseNotHeld));
    let cpn_person = cpn1
        .book
        .lock()
        .unwrap()
        .open_case(&cpn1.worker, &cpn_case)
        .unwrap()
        .client
        .id;
    // Merged into a newer record: no merge a book makes. Into an older one: still BKK's person.
    let wire = WireEvent::from_event(&rogue.event(Entity::Person, &bkk_person, json!({"merged_into": cpn_person})));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    let older = "00000000-0000-7000-8000-000000000000";
    let wire = WireEvent::from_event(&rogue.event(Entity::Person, &bkk_person, json!({"merged_into": older})));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotYours));
    let fields = json!({"case_id": cpn_case, "stage": "baseline", "assessed_on": "2026-11-01", "levels": {"food": 9}});
    let wire = WireEvent::from_event(&rogue.event(Entity::Assessment, &id("assessment"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));
    let fields =
        json!({"case_id": cpn_case, "held_on": "2026-11-01", "language": "xx", "interpreter": "ก", "pledged": true});
    let wire = WireEvent::from_event(&rogue.event(Entity::InterpreterSession, &id("session"), fields));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::BadShape));

    // 11c. A record named in no case (null) would leave its case and outlive its erasure; so
    //      would a letter received outside any case that answers one of the case's referrals.
    let stamps = json!({"unit_code": "CPN", "created_at": "2026-11-01T00:00:00.000Z",
        "updated_at": "2026-11-01T00:00:00.000Z"});
    let with_stamps = |fields: Value| {
        let mut fields = fields;
        if let (Some(fields), Some(stamps)) = (fields.as_object_mut(), stamps.as_object()) {
            fields.extend(stamps.clone());
        }
        fields
    };
    let in_case = id("letter");
    let letter = with_stamps(json!({"be_year": 2569, "number": 1, "device_id": rogue.device_id,
        "received_on": "2026-11-01", "subject": "ก", "case_id": cpn_case, "cancelled": false}));
    let wire = WireEvent::from_event(&rogue.event(Entity::ReceivedLetter, &in_case, letter));
    assert_eq!(rogue.try_one(wire).await, None);
    let wire = WireEvent::from_event(&rogue.event(Entity::ReceivedLetter, &in_case, json!({"case_id": null})));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotYours));
    let letter = with_stamps(json!({"be_year": 2569, "number": 2, "device_id": rogue.device_id,
        "received_on": "2026-11-01", "subject": "ก", "referral_id": cpn_referral, "cancelled": false}));
    let wire = WireEvent::from_event(&rogue.event(Entity::ReceivedLetter, &id("letter"), letter));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NotYours));

    // 12. Pushes that arrive out of order: the later one waits for the earlier, and both are
    //     judged with what came before them (nothing honest is refused for arriving first).
    let earlier = rogue.agency("CPN");
    let later = rogue.agency("CPN");
    let answer = rogue.push(vec![later.clone()]).await;
    assert_eq!(answer.acked_seq, rogue.seq - 2, "an event after a gap is not settled");
    let answer = rogue.push(vec![earlier, later]).await;
    assert_eq!(answer.acked_seq, rogue.seq);
    assert!(
        answer.refused.iter().all(|r| r.device_seq < rogue.seq - 1),
        "an honest event was refused"
    );

    // 13. The same sequence number again with other content (a laptop restored from a file
    //     backup), and an event of a newer schema: nothing of either push is taken.
    let mut again = rogue.event(Entity::Agency, &id("agency"), json!({"name": "ก"}));
    rogue.seq -= 1;
    again.device_seq = 1;
    let status = rogue
        .send(vec![rogue.signed(WireEvent::from_event(&again))])
        .await
        .status();
    assert_eq!(status, 409);
    let mut newer = rogue.event(Entity::Agency, &id("agency"), json!({"name": "ก"}));
    newer.schema_version = 999;
    let status = rogue
        .send(vec![rogue.signed(WireEvent::from_event(&newer))])
        .await
        .status();
    assert_eq!(status, 409);
    rogue.seq -= 1;
    let next = rogue.agency("CPN");
    let answer = rogue.push(vec![next]).await;
    assert_eq!(answer.acked_seq, rogue.seq, "the device's sequence is where it was");

    // 14. A rogue device of the province's coordinator unit reads every unit, but links and
    //     writes only as a unit does.
    let mut coordinator = Rogue::enroll(&hub, coordinator_code(&hub)).await;
    let fields = json!({"client_id": bkk_person, "case_number": "PROV-2569-9999", "held_by": "PROV", "unit_code": "PROV",
        "source": "hotline1300", "categories": ["violence_woman"], "violence_types": [], "risk": "red", "status": "intake",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&coordinator.event(Entity::Case, &id("case"), fields));
    assert_eq!(coordinator.try_one(wire).await, Some(Refusal::LinkNotVisible));
    let wire = WireEvent::from_event(&coordinator.event(Entity::Person, &bkk_person, json!({"phone": "0800000000"})));
    assert_eq!(coordinator.try_one(wire).await, Some(Refusal::NotYours));

    // One event over 1 MiB (a 2 MiB "note" in the rogue's own agency's name): refused alone.
    let mut agency = rogue.agency("CPN");
    let mut body: serde_json::Value = serde_json::from_str(&agency.body).unwrap();
    body["fields"]["mission"] = json!("ก".repeat(700_000));
    agency.body = body.to_string();
    assert_eq!(rogue.try_one(agency).await, Some(Refusal::TooLarge));

    // Written in the name of another unit's user (BKK's social worker).
    let fields = json!({"name": "หน่วยงานจริง", "agency_type": "ngo", "unit_code": "CPN",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let mut event = rogue.event(Entity::Agency, &id("agency"), fields);
    event.user_id = Some(bkk.worker.user_id.clone());
    let wire = WireEvent::from_event(&event);
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::UnknownAuthor));

    // A clock two days ahead of the hub's: it would drag every clock it reaches along.
    let fields = json!({"name": "หน่วยงานจริง", "agency_type": "ngo", "unit_code": "CPN",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let mut event = rogue.event(Entity::Agency, &id("agency"), fields);
    let ahead = chrono::Utc::now().timestamp_millis() + 2 * 24 * 3600 * 1000;
    event.hlc = format!("{ahead:013}-00000-{}", rogue.device_id);
    assert_eq!(
        rogue.try_one(WireEvent::from_event(&event)).await,
        Some(Refusal::ClockAhead)
    );

    // A value its column does not take: an agency type no screen knows.
    let mut agency = rogue.agency("CPN");
    let mut body: serde_json::Value = serde_json::from_str(&agency.body).unwrap();
    body["fields"]["agency_type"] = json!("made_up");
    agency.body = body.to_string();
    assert_eq!(rogue.try_one(agency).await, Some(Refusal::BadShape));

    // An oversized request is turned away (413), and a request without a valid token before
    // its body is even read (401, answered while the body has not come).
    let announced = 25 * 1024 * 1024;
    assert_eq!(push_status(&hub.addr, &rogue.token, announced, announced), 413);
    // One byte of the body sent: the answer comes without waiting for the rest.
    assert_eq!(push_status(&hub.addr, "not-a-token", announced, 1), 401);
    // With a valid token, a body that never comes frees the hub's worker when the request's
    // time is up (408), instead of holding it for as long as the sender likes.
    let started = std::time::Instant::now();
    assert_eq!(push_status(&hub.addr, &rogue.token, 1000, 1), 408);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // A connection that sends nothing, a request head that never ends, and a connection kept
    // open after its answer are closed once they have been idle for the idle timeout (2 s on
    // a hub of its own here; 30 s by default).
    {
        let idle_dir = root.join("idle");
        std::fs::create_dir_all(&idle_dir).unwrap();
        let idle = Hub::spawn(
            &idle_dir.join("hub.db").to_string_lossy(),
            &idle_dir,
            &["--plain-http", "--idle-timeout", "2"],
        );
        assert!(hung_up(&idle.addr, b"").0, "a silent connection stayed open");
        assert!(
            hung_up(&idle.addr, b"GET /v1/units HTTP/1.1\r\nHost: hub\r\n").0,
            "an unfinished request head kept its connection open"
        );
        let (closed, answer) = hung_up(&idle.addr, b"GET /v1/units HTTP/1.1\r\nHost: hub\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(!answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
        assert!(closed, "a connection kept alive after its answer stayed open");
        // HTTP/2 by prior knowledge (no laptop speaks it): the preface, empty settings and one
        // GET, after which such a connection would idle with no timeout.
        let mut h2 = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
        h2.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
        h2.extend_from_slice(&[0, 0, 3, 1, 5, 0, 0, 0, 1, 0x82, 0x86, 0x84]);
        assert!(hung_up(&idle.addr, &h2).0, "an HTTP/2 connection stayed open");
    }

    // A device sending many pushes at once, each after a gap in its sequence (so each waits on
    // one of the hub's workers for the push before it): past six in flight the hub answers
    // 429 at once, and an honest laptop syncs meanwhile.
    let far = {
        let fields = json!({"name": "หน่วยงานข้ามลำดับ", "agency_type": "ngo", "unit_code": "CPN",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
        let mut event = rogue.event(Entity::Agency, &id("agency"), fields);
        rogue.seq -= 1;
        event.device_seq += 100;
        rogue.signed(WireEvent::from_event(&event))
    };
    let mut pushes = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (http, url, token, far) = (rogue.http.clone(), rogue.url.clone(), rogue.token.clone(), far.clone());
        pushes.spawn(async move {
            http.post(format!("{url}/v1/push"))
                .bearer_auth(token)
                .json(&PushRequest {
                    events: vec![far],
                    acked_seq: 0,
                })
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    cpn2.sync().await;
    let mut statuses = pushes.join_all().await;
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);

    // Nothing of BKK reached CPN, and the hub lists what it refused.
    let seen = rogue.pull_all().await;
    assert!(!seen.contains(&bkk_case), "BKK's case reached CPN");
    assert!(
        !seen.contains(BKK_NAME) && !seen.contains(BKK_ID_NUMBER),
        "BKK's client reached CPN"
    );
    let rejected = hub.cli(&["rejected"]);
    for reason in [
        "case_not_held",
        "link_not_visible",
        "not_yours",
        "not_sender",
        "envelope_mismatch",
        "malformed",
        "bad_shape",
        "unknown_unit",
    ] {
        assert!(rejected.contains(reason), "{reason} not listed:\n{rejected}");
    }

    // The honest laptops sync on: BKK's own pushes were not stalled by the stolen id, CPN's
    // two laptops agree, and no honest event was refused.
    {
        let mut book = bkk.book.lock().unwrap();
        let entry = book
            .add_timeline_entry(
                &bkk.worker,
                &bkk_case,
                EntryKind::Call,
                "โทรติดตาม",
                "2026-11-02T09:00:00+07:00",
            )
            .unwrap();
        assert!(!entry.is_empty());
    }
    // (A second laptop of the unit would give out the same case number: issue 20.)
    cpn1.open_case("นายทดสอบ อีกราย", None);
    for laptop in [&bkk, &cpn1, &cpn2, &cpn1] {
        laptop.sync().await;
    }
    for laptop in [&bkk, &cpn1, &cpn2] {
        let position = laptop.book.lock().unwrap().sync_position().unwrap();
        assert_eq!((position.pending, position.refused, position.set_aside), (0, 0, 0));
    }
    assert_eq!(cpn1.hash(), cpn2.hash(), "CPN's laptops disagree");

    let cpn_cases = cpn1
        .book
        .lock()
        .unwrap()
        .list_cases(&cpn1.worker, &Default::default())
        .unwrap();
    assert_eq!(cpn_cases.len(), 2, "CPN sees its two cases and nothing of BKK");
    let bkk_cases = bkk
        .book
        .lock()
        .unwrap()
        .list_cases(&bkk.worker, &Default::default())
        .unwrap();
    assert_eq!(bkk_cases.len(), 1);

    // A transfer to a unit code the province does not have: a laptop that has synced knows the
    // hub's units and refuses it when it is typed, writing nothing.
    let (_, lost_case) = cpn1.open_case("นางทดสอบ ส่งผิด", None);
    {
        let mut book = cpn1.book.lock().unwrap();
        let events = book.events().unwrap().len();
        let typed = book.transfer_case(
            &cpn1.worker,
            &lost_case,
            "ZZZ",
            "ส่งต่อพื้นที่",
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        );
        assert!(
            matches!(&typed, Err(casebook::Error::Invalid(i)) if i.field == "transfer.to_unit" && i.rule == casebook::Rule::UnknownCode),
            "{typed:?}"
        );
        assert_eq!(book.events().unwrap().len(), events);
    }
    // A laptop that never synced (a new unit's first) does not know them yet: the hub refuses
    // that change alone, the laptop notes it for the supervisor, and its later work (a note on
    // the same case, which it opened) is taken.
    let krb = Laptop::new(root, "KRB", "krb", &hub).await;
    let (_, lost_case) = krb.open_case("นางทดสอบ ส่งผิดอีกราย", None);
    krb.book
        .lock()
        .unwrap()
        .transfer_case(
            &krb.worker,
            &lost_case,
            "ZZZ",
            "ส่งต่อพื้นที่",
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    krb.sync().await;
    krb.book
        .lock()
        .unwrap()
        .add_timeline_entry(
            &krb.worker,
            &lost_case,
            EntryKind::Call,
            "โทรติดตาม",
            "2026-11-03T09:00:00+07:00",
        )
        .unwrap();
    krb.sync().await;
    let (position, refused) = {
        let book = krb.book.lock().unwrap();
        let supervisor = Session {
            role: casebook::Role::Supervisor,
            ..krb.worker.clone()
        };
        (book.sync_position().unwrap(), book.refused_events(&supervisor).unwrap())
    };
    assert_eq!(
        (position.pending, position.refused),
        (0, 1),
        "the refusal stopped later work"
    );
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (refused[0].entity.as_str(), refused[0].entity_id.as_str()),
        ("case", lost_case.as_str())
    );
    let number = krb.book.lock().unwrap().case_number(&krb.worker, &lost_case).unwrap();
    assert_eq!(refused[0].case_number.as_deref(), Some(number.as_str()));
    assert_eq!(refused[0].reason, "unknown_unit");

    // Who may write a case once it moved: BKK transfers a case to CPN; the rogue (of CPN, its
    // holder now) writes to it and transfers it back, after which it writes no more.
    let note_on = |case: &str, n: u32| {
        json!({"case_id": case, "kind": "note", "body": format!("บันทึก {n}"), "occurred_at": "2026-11-01T00:00:00Z",
            "unit_code": "CPN", "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"})
    };
    let (_, moved) = bkk.open_case("นางทดสอบ ย้ายหน่วย", None);
    bkk.book
        .lock()
        .unwrap()
        .transfer_case(
            &bkk.worker,
            &moved,
            "CPN",
            "ย้ายที่อยู่",
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    bkk.sync().await;
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), note_on(&moved, 1)));
    assert_eq!(rogue.try_one(wire).await, None, "the holder writes");
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &moved, json!({"held_by": "BKK"})));
    assert_eq!(rogue.try_one(wire).await, None, "the holder transfers");
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), note_on(&moved, 2)));
    assert_eq!(
        rogue.try_one(wire).await,
        Some(Refusal::CaseNotHeld),
        "a unit that transferred a case on still wrote to it"
    );

    // A partner a case was referred to writes to it but may not take it: BKK refers a case to
    // a shelter that keeps its cases here as unit CPN.
    let (_, shared) = bkk.open_case("นางทดสอบ ส่งต่อ", None);
    bkk.refer_to_unit(&shared, Some("CPN"));
    bkk.sync().await;
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), note_on(&shared, 3)));
    assert_eq!(rogue.try_one(wire).await, None, "the partner writes");
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &shared, json!({"held_by": "CPN"})));
    assert_eq!(
        rogue.try_one(wire).await,
        Some(Refusal::CaseNotHeld),
        "a partner took the case"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_device_may_not_erase_a_case_its_unit_does_not_hold() {
    common::on_each_database("rogue-erasure", rogue_erasure).await;
}

/// A CPN device sends erasures (an approved purge, as a laptop writes it) of a BKK case it
/// was never given and of one BKK referred to CPN as a partner: both refused, both cases as
/// they were at the hub and on BKK's laptops, a new one included.
async fn rogue_erasure(root: &std::path::Path, database: &str) {
    let hub = Hub::start_plain(database, root);
    let bkk = Laptop::new(root, "BKK", "bkk", &hub).await;
    let mut rogue = Rogue::enroll(&hub, hub.code("CPN")).await;
    let (_, bkk_case) = bkk.open_case(BKK_NAME, Some(BKK_ID_NUMBER));
    let (_, shared) = bkk.open_case("นางทดสอบ ส่งต่อ", None);
    bkk.refer_to_unit(&shared, Some("CPN"));
    bkk.sync().await;
    let erasure = |case: &str| {
        json!({"case_id": case, "case_number": "BKK-2569-0001", "reason": "ครบกำหนด", "unit_code": "CPN",
            "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"})
    };
    for case in [&bkk_case, &shared] {
        let wire = WireEvent::from_event(&rogue.event(Entity::Erasure, &id("erasure"), erasure(case)));
        assert_eq!(
            rogue.try_one(wire).await,
            Some(Refusal::CaseNotHeld),
            "a unit that does not hold a case erased it"
        );
    }
    // The partner still writes to the case it was referred (the refusal was the erasure's).
    let note = json!({"case_id": shared, "kind": "note", "body": "บันทึกของหน่วยรับส่งต่อ", "occurred_at": "2026-11-01T00:00:00Z",
        "unit_code": "CPN", "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), note));
    assert_eq!(rogue.try_one(wire).await, None);
    assert!(
        common::clear_bodies(&hub.database, &hub.tls_dir)
            .iter()
            .any(|b| b.windows(BKK_NAME.len()).any(|w| w == BKK_NAME.as_bytes())),
        "the hub lost the case's values"
    );
    let later = Laptop::new(root, "BKK", "bkk2", &hub).await;
    for laptop in [&bkk, &later] {
        laptop.sync().await;
        let mut book = laptop.book.lock().unwrap();
        assert!(book.open_case(&laptop.worker, &bkk_case).is_ok());
        assert!(book.open_case(&laptop.worker, &shared).is_ok());
        assert_eq!(book.search_cases(&laptop.worker, BKK_NAME, 10).unwrap().len(), 1);
    }
    assert!(
        rogue.pull_all().await.contains(&shared),
        "the partner no longer sees the case"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_rogue_device_cannot_take_the_numbers_of_another_laptop_of_its_unit() {
    common::on_each_database("rogue-numbers", rogue_numbers).await;
}

async fn rogue_numbers(root: &std::path::Path, database: &str) {
    let hub = Hub::spawn(database, root, &["--plain-http"]);
    let cpn = Laptop::new(root, "CPN", "cpn", &hub).await;
    // The honest laptop's first case, before it ever synced: a provisional number, made final
    // from the block its first sync brings.
    let (_, honest_case) = cpn.open_case("นางทดสอบ เลขที่", None);
    cpn.sync().await;
    let (honest_number, honest_device, year) = {
        let book = cpn.book.lock().unwrap();
        let number = book.case_number(&cpn.worker, &honest_case).unwrap();
        let year = i64::from(casebook::dates::be_year(casebook::dates::today()));
        (number, book.device_id().to_owned(), year)
    };
    let Some((_, Number::Final(used))) = parse_case_number("CPN", &honest_number) else {
        panic!("the honest case's number is not final: {honest_number}");
    };
    let mut rogue = Rogue::enroll(&hub, hub.code("CPN")).await;
    let person = id("person");
    let fields = json!({"id_kind": "none", "sex": "female", "unit_code": "CPN",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::Person, &person, fields));
    assert_eq!(rogue.try_one(wire).await, None);
    let case = |number: &str| {
        json!({"client_id": person, "case_number": number, "held_by": "CPN", "unit_code": "CPN",
            "source": "walk_in", "categories": ["violence_woman"], "violence_types": [], "risk": "red",
            "status": "intake", "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"})
    };
    // The honest laptop's number, on another case.
    assert_eq!(
        try_case(&mut rogue, case(&honest_number)).await,
        Some(Refusal::NumberTaken)
    );
    // A number of the honest laptop's block it has not used yet.
    assert_eq!(
        try_case(&mut rogue, case(&format!("CPN-{year}-{:04}", used + 1))).await,
        Some(Refusal::NumberNotAllotted)
    );
    // A number no laptop was allotted, and a provisional number naming the honest laptop.
    assert_eq!(
        try_case(&mut rogue, case(&format!("CPN-{year}-9000"))).await,
        Some(Refusal::NumberNotAllotted)
    );
    let theirs = format!("CPN-{year}-P{}-01", laptop_tag(&honest_device));
    assert_eq!(
        try_case(&mut rogue, case(&theirs)).await,
        Some(Refusal::NumberNotAllotted)
    );
    // Taking over the honest case's provisional number as a former one, to be found by it.
    let mut own = case(&format!("CPN-{year}-P{}-01", laptop_tag(&rogue.device_id)));
    own["former_numbers"] = json!([theirs]);
    assert_eq!(try_case(&mut rogue, own).await, Some(Refusal::NumberTaken));
    // A letter number of the honest laptop's block.
    let letter = json!({"be_year": year, "number": used, "issued_by": "x", "subject": "x", "unit_code": "CPN",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::LetterRegister, &id("letter"), letter));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NumberNotAllotted));
    // Its own provisional number is its to give.
    let own = case(&format!("CPN-{year}-P{}-02", laptop_tag(&rogue.device_id)));
    assert_eq!(try_case(&mut rogue, own).await, None);
    // A letter of its own moved to another year alone, where it would take another's number.
    let letter = id("letter");
    let fields = json!({"be_year": year, "provisional": format!("P{}-01", laptop_tag(&rogue.device_id)),
        "issued_by": "x", "subject": "x", "unit_code": "CPN",
        "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::LetterRegister, &letter, fields));
    assert_eq!(rogue.try_one(wire).await, None);
    let wire = WireEvent::from_event(&rogue.event(Entity::LetterRegister, &letter, json!({"be_year": year - 1})));
    assert_eq!(rogue.try_one(wire).await, Some(Refusal::NumberNotAllotted));
    // Asking for numbers without end, and claiming the unit gave up to 999,999 already: the
    // rogue holds at most 1,000 unused numbers, and the unit's numbers stay where they were.
    for _ in 0..20 {
        rogue
            .numbers(NumberWant {
                kind: NumberKind::Case,
                be_year: year,
                count: 200,
                above: 999_999,
            })
            .await;
    }
    let blocks = rogue
        .numbers(NumberWant {
            kind: NumberKind::Case,
            be_year: year,
            count: 0,
            above: 0,
        })
        .await
        .blocks;
    let held: i64 = blocks
        .iter()
        .filter(|b| b.device_id == rogue.device_id)
        .map(|b| b.last - b.first + 1)
        .sum();
    assert!(held <= 1_000, "the rogue holds {held} numbers");
    assert!(blocks.iter().all(|b| b.last < 5_000), "{blocks:?}");

    // The honest laptop syncs on: its numbers stand, nothing is set aside.
    let (_, second) = cpn.open_case("นางทดสอบ ที่สอง", None);
    cpn.sync().await;
    let book = cpn.book.lock().unwrap();
    assert_eq!(book.case_number(&cpn.worker, &honest_case).unwrap(), honest_number);
    let next = book.case_number(&cpn.worker, &second).unwrap();
    assert_eq!(parse_case_number("CPN", &next), Some((year, Number::Final(used + 1))));
    let position = book.sync_position().unwrap();
    assert_eq!((position.refused, position.set_aside, position.waiting), (0, 0, 0));
}

/// Pushes a new case of the rogue's with `fields`: the hub's reason for refusing it.
async fn try_case(rogue: &mut Rogue, fields: Value) -> Option<Refusal> {
    let wire = WireEvent::from_event(&rogue.event(Entity::Case, &id("case"), fields));
    rogue.try_one(wire).await
}

#[tokio::test(flavor = "current_thread")]
async fn a_device_that_declares_a_false_type_for_a_file_does_not_change_what_it_is() {
    common::on_each_database("rogue-blob-type", rogue_blob_type).await;
}

/// A BKK device uploads a PDF it says is a JPEG and names it in a note of its unit's case: the
/// unit's honest laptop keeps it as a PDF (shown by the system's viewer, never decoded in the
/// page as a photo).
async fn rogue_blob_type(root: &std::path::Path, database: &str) {
    let hub = Hub::start_plain(database, root);
    let bkk = Laptop::new(root, "BKK", "bkk", &hub).await;
    let mut rogue = Rogue::enroll(&hub, hub.code("BKK")).await;
    let (_, case) = bkk.open_case(BKK_NAME, None);
    bkk.sync().await;
    let pdf = b"%PDF-1.4\n% a scan, said to be a photo\n".to_vec();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    let put = rogue
        .http
        .put(format!("{}/v1/blobs/{sha}", rogue.url))
        .bearer_auth(&rogue.token)
        .header("content-type", "image/jpeg")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let note = json!({"case_id": case, "kind": "note", "body": "ภาพถ่ายเยี่ยมบ้าน", "occurred_at": "2026-11-01T00:00:00Z",
        "attachments": [sha], "unit_code": "BKK", "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z"});
    let wire = WireEvent::from_event(&rogue.event(Entity::TimelineEntry, &id("note"), note));
    assert_eq!(rogue.try_one(wire).await, None);
    let report = bkk.sync().await;
    assert_eq!(report.blobs_received, 1);
    let book = bkk.book.lock().unwrap();
    let info = book.attachment_info(&bkk.worker, &sha).unwrap();
    assert_eq!(info.mime, "application/pdf", "the type the device declared was taken");
}
