//! The unit's audit through the real hub process (SQLite and PostgreSQL): a reveal on laptop A
//! shows on laptop B's audit screen and in the case's access history there, naming who; another
//! unit's laptop never receives it. A device that lies about its own chain (an entry rewritten,
//! entries cut, a head it did not sign) is refused and kept as a break for the province, what
//! it lied about never reaches the other laptops, and the honest laptops sync on.

mod common;

use casebook::book::audit::{AuditEntry, ChainedEntry, genesis};
use casebook::book::audit_view::AuditFilter;
use casebook::records::person::PersonInput;
use common::{Hub, Laptop};
use ed25519_dalek::SigningKey;
use oscc_sync::{AuditAnswer, AuditHead, AuditProblem, AuditPush, SignedAuditEntry};

impl Laptop {
    fn audit(&self, filter: &AuditFilter) -> Vec<casebook::book::audit_view::AuditRow> {
        self.book.lock().unwrap().audit_log(&self.admin, filter, 1000).unwrap()
    }
}

/// A device that writes its own audit chain as it likes, over HTTP with its token and key.
struct Liar {
    http: reqwest::Client,
    url: String,
    token: String,
    key: SigningKey,
    device_id: String,
}

impl Liar {
    async fn enroll(hub: &Hub) -> Liar {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let (http, answer) = common::enroll_by_hand(hub, hub.code("CPN"), &key, "liar").await;
        Liar {
            http,
            url: hub.url.clone(),
            token: answer.token,
            key,
            device_id: answer.device_id,
        }
    }

    /// Entries `from..=to` of a chain of views, the `changed` one (if any) with another action.
    fn chain(to: i64, changed: Option<i64>) -> Vec<ChainedEntry> {
        let mut prev = genesis().to_owned();
        (1..=to)
            .map(|seq| {
                let action = if Some(seq) == changed {
                    "case.export"
                } else {
                    "case.view"
                };
                let entry = ChainedEntry::link(
                    &prev,
                    AuditEntry {
                        seq,
                        at: format!("2026-11-29T08:00:{seq:02}Z"),
                        user_id: Some("liar-user".into()),
                        action: action.into(),
                        entity: Some("case".into()),
                        entity_id: Some(format!("liar-case-{seq}")),
                        detail: None,
                    },
                );
                prev = entry.hash.clone();
                entry
            })
            .collect()
    }

    /// Sends `entries` under a head of `count` entries ending at `hash`, all signed with `key`.
    async fn push(&self, entries: Vec<ChainedEntry>, count: i64, hash: &str, key: &SigningKey) -> AuditAnswer {
        let push = AuditPush {
            head: AuditHead::signed(&self.device_id, count, hash, key),
            entries: entries
                .into_iter()
                .map(|e| SignedAuditEntry::signed(&self.device_id, e, key))
                .collect(),
            after: i64::MAX,
        };
        let response = self
            .http
            .post(format!("{}/v1/audit", self.url))
            .bearer_auth(&self.token)
            .json(&push)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_audit_travels_to_the_unit_and_a_lying_chain_is_refused() {
    common::on_each_database("audit", audit_travels).await;
}

async fn audit_travels(root: &std::path::Path, database: &str) {
    let hub = Hub::spawn(database, root, &["--plain-http"]);
    let a = Laptop::new(root, "CPN", "a", &hub).await;
    let b = Laptop::new(root, "CPN", "b", &hub).await;
    let bkk = Laptop::new(root, "BKK", "bkk", &hub).await;

    // Laptop A's worker reveals a client's identity.
    let (person, case) = {
        let mut book = a.book.lock().unwrap();
        let input = PersonInput {
            name_th: Some("นางสาวตรวจสอบ ย้อนหลัง".into()),
            ..PersonInput::default()
        };
        let (person, _) = book.create_person(&a.worker, &input).unwrap();
        let case = book
            .create_case(&a.worker, &casebook::synth::walk_in_case(&person))
            .unwrap();
        book.reveal_person(&a.worker, &person, "ติดตามเยี่ยมบ้าน").unwrap();
        (person, case.id)
    };
    a.sync().await;
    b.sync().await;
    bkk.sync().await;

    // On B: the reveal, on A's laptop, by A's worker by name.
    let a_device = a.book.lock().unwrap().device_id().to_owned();
    let reveals = b.audit(&AuditFilter {
        action: Some("identity.reveal".into()),
        ..AuditFilter::default()
    });
    let reveal = reveals
        .iter()
        .find(|r| r.entity_id.as_deref() == Some(person.as_str()))
        .expect("A's reveal on B");
    assert_eq!(reveal.device_id.as_deref(), Some(a_device.as_str()));
    assert_eq!(reveal.user_id.as_deref(), Some(a.worker.user_id.as_str()));
    assert_eq!(reveal.user_name.as_deref(), Some("นักสังคม สมมุติ"));
    // The case page's access history on B says it too.
    let history = b.book.lock().unwrap().case_audit(&b.worker, &case).unwrap();
    assert!(
        history
            .iter()
            .any(|r| r.action == "identity.reveal" && r.device_id.is_some())
    );
    // Another unit never gets CPN's audit.
    let bkk_all = bkk.audit(&AuditFilter::default());
    assert!(bkk_all.iter().all(|r| r.device_id.is_none()), "CPN's audit reached BKK");
    let check = b.book.lock().unwrap().verify_audit_chains(&b.admin).unwrap();
    assert!(
        check.broken.is_none() && check.unit > 0 && check.laptops >= 1,
        "{check:?}"
    );

    // The liar: an honest start, then a rewrite, a cut, an unsigned head and a gap.
    let liar = Liar::enroll(&hub).await;
    let honest = Liar::chain(3, None);
    let head = honest[2].hash.clone();
    let answer = liar.push(honest.clone(), 3, &head, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, None));
    let rewritten = Liar::chain(3, Some(2));
    let answer = liar.push(rewritten.clone(), 3, &rewritten[2].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::Rewritten)));
    let answer = liar.push(vec![], 1, &honest[0].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::Cut)));
    let other_key = SigningKey::from_bytes(&[10u8; 32]);
    let longer = Liar::chain(4, None);
    let answer = liar.push(longer[3..].to_vec(), 4, &longer[3].hash, &other_key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::BadSignature)));
    let longest = Liar::chain(5, None);
    let answer = liar.push(longest[4..].to_vec(), 5, &longest[4].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::Cut)));
    // A batch that goes wrong half way is taken not at all: entry 4 follows, 5 was changed.
    let mut half = longest[3..].to_vec();
    half[1] = Liar::chain(5, Some(5))[4].clone();
    let answer = liar.push(half, 5, &longest[4].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::Rewritten)));
    // An entry too large for the hub (a reason pasted with a document in it).
    let mut large = longest[3..4].to_vec();
    large[0] = ChainedEntry::link(
        &honest[2].hash,
        AuditEntry {
            detail: Some("ก".repeat(2000)),
            ..large[0].entry.clone()
        },
    );
    let answer = liar.push(large.clone(), 4, &large[0].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (3, Some(AuditProblem::TooLarge)));
    // The honest rest is taken after all that (no half-stored entry blocks it).
    let answer = liar.push(longest[3..].to_vec(), 5, &longest[4].hash, &liar.key).await;
    assert_eq!((answer.stored, answer.problem), (5, None));

    // The province sees each break; B has the liar's honest entries only, as they were.
    let breaks = hub.cli(&["audit-breaks"]);
    for problem in ["rewritten", "cut", "bad_signature", "too_large"] {
        assert!(
            breaks
                .lines()
                .any(|l| l.starts_with(&liar.device_id) && l.contains(problem)),
            "{problem} missing from {breaks}"
        );
    }
    b.sync().await;
    let from_liar: Vec<_> = b
        .audit(&AuditFilter::default())
        .into_iter()
        .filter(|r| r.device_id.as_deref() == Some(liar.device_id.as_str()))
        .collect();
    assert_eq!(from_liar.len(), 5, "{from_liar:?}");
    assert!(
        from_liar.iter().all(|r| r.action == "case.view"),
        "the rewrite reached B"
    );
    let check = b.book.lock().unwrap().verify_audit_chains(&b.admin).unwrap();
    assert!(check.broken.is_none(), "{check:?}");

    // The honest laptops sync on.
    a.sync().await;
    b.sync().await;

    // An entry the hub made up for A (SQLite: the hub's own file, with its key) never reaches
    // B's audit: A never signed it.
    if !database.starts_with("postgres") {
        let hub_db = common::sqlite(database, root);
        // The next entry of A's chain, following it exactly: only A's signature is missing.
        let (count, last): (i64, String) = hub_db
            .query_row(
                "SELECT count, hash FROM audit_heads WHERE device_id = ?1",
                [&a_device],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let forged = ChainedEntry::link(
            &last,
            AuditEntry {
                seq: count + 1,
                at: "2026-11-29T09:00:00Z".into(),
                user_id: Some(a.worker.user_id.clone()),
                action: "identity.reveal".into(),
                entity: Some("person".into()),
                entity_id: Some("forged-person".into()),
                detail: None,
            },
        );
        hub_db
            .execute(
                "INSERT INTO audit (device_id, seq, unit_code, at, user_id, action, entity, entity_id, detail,
                   prev_hash, hash, signature)
                 VALUES (?1, ?7, 'CPN', ?2, ?3, 'identity.reveal', 'person', 'forged-person', NULL, ?4, ?5, ?6)",
                rusqlite::params![
                    a_device,
                    forged.entry.at,
                    a.worker.user_id,
                    forged.prev_hash,
                    forged.hash,
                    "00".repeat(64),
                    count + 1
                ],
            )
            .unwrap();
        drop(hub_db);
        b.sync().await;
        let forged_on_b = b.audit(&AuditFilter {
            action: Some("identity.reveal".into()),
            ..AuditFilter::default()
        });
        assert!(
            forged_on_b
                .iter()
                .all(|r| r.entity_id.as_deref() != Some("forged-person")),
            "the hub's forgery reached B"
        );
    }
}
