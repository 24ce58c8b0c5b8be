//! An approved purge that travels (PDPA erasure), against the real hub process (SQLite and
//! PostgreSQL, real encrypted books): after laptop A purges a case and syncs, the hub keeps no
//! value of it (its events blank, its photo gone), laptop B purges it too at its next sync,
//! a laptop enrolled later never receives it, and the person another case names stays. Three
//! laptops of one unit, one purging while the others edit the case offline, sync in shuffled
//! orders through a faulty proxy and all end without the case and with everything else.

mod common;

use casebook::book::permissions::Role;
use casebook::records::care::{CaseParty, PartyRole};
use casebook::records::evidence::fixtures::jpeg_with_exif;
use casebook::records::person::PersonInput;
use casebook::records::timeline::EntryKind;
use casebook::synth::Rng;
use casebook::{Casebook, Session};
use common::proxy::proxy;
use common::{Hub, enrolled_laptop, sync_until_done};
use oscc_sync::Client;
use std::path::Path;
use std::sync::Mutex;

/// The erased case's client (synthetic): found anywhere after the erasure, it survived.
const ERASED_NAME: &str = "นางสาวลบถาวร ทดสอบยี่สิบสาม";
const ERASED_PHONE: &str = "0819990023";
const ERASED_NOTE: &str = "บันทึกที่ต้องถูกลบ เยี่ยมบ้านสมมุติ";
/// The client of another case, also a party of the erased one: kept.
const KEPT_NAME: &str = "นายคงอยู่ ทดสอบยี่สิบสาม";

struct Laptop {
    book: Mutex<Casebook>,
    worker: Session,
    client: Client,
}

impl Laptop {
    async fn new(root: &Path, name: &str, hub: &Hub, url: &str) -> Laptop {
        let (book, worker, client) = enrolled_laptop(&root.join(name), "CPN", name, hub, url).await;
        Laptop {
            book: Mutex::new(book),
            worker,
            client,
        }
    }

    async fn sync(&self) {
        oscc_sync::sync_once(&self.book, &self.client, casebook::store::schema_version())
            .await
            .unwrap();
    }

    /// A supervisor of this laptop, who approves purges.
    fn supervisor(&self) -> Session {
        Session {
            role: Role::Supervisor,
            ..self.worker.clone()
        }
    }

    fn has_case(&self, case_id: &str) -> bool {
        self.book.lock().unwrap().open_case(&self.worker, case_id).is_ok()
    }

    fn finds(&self, text: &str) -> bool {
        !self
            .book
            .lock()
            .unwrap()
            .search_cases(&self.worker, text, 10)
            .unwrap()
            .is_empty()
    }

    /// The whole event log of the book, as text.
    fn log(&self) -> String {
        serde_json::to_string(&self.book.lock().unwrap().events().unwrap()).unwrap()
    }

    /// A client and a case for them; (person id, case id).
    fn open_case(&self, input: &PersonInput) -> (String, String) {
        let mut book = self.book.lock().unwrap();
        let (person, _) = book.create_person(&self.worker, input).unwrap();
        let case = book
            .create_case(&self.worker, &casebook::synth::walk_in_case(&person))
            .unwrap();
        (person, case.id)
    }

    fn note(&self, case_id: &str, text: &str) -> String {
        self.book
            .lock()
            .unwrap()
            .add_timeline_entry(
                &self.worker,
                case_id,
                EntryKind::Note,
                text,
                &casebook::dates::now_iso(),
            )
            .unwrap()
    }

    /// Purges `case_id` as `head`, its retention date passed.
    fn purge(&self, head: &Session, case_id: &str) {
        let mut book = self.book.lock().unwrap();
        let yesterday = (chrono::Local::now().date_naive() - chrono::Duration::days(1)).to_string();
        book.set_retention_date(head, case_id, &yesterday).unwrap();
        book.purge_case(head, case_id, "ครบกำหนดเก็บรักษา").unwrap();
    }
}

fn erased_client() -> PersonInput {
    PersonInput {
        name_th: Some(ERASED_NAME.into()),
        phone: Some(ERASED_PHONE.into()),
        ..PersonInput::default()
    }
}

fn kept_client() -> PersonInput {
    PersonInput {
        name_th: Some(KEPT_NAME.into()),
        ..PersonInput::default()
    }
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Whether any event body the hub holds (opened as the hub opens it) holds `text`.
fn hub_holds(hub: &Hub, text: &str) -> bool {
    common::clear_bodies(&hub.database, &hub.tls_dir)
        .iter()
        .any(|body| holds(body, text))
}

fn hub_blobs(hub: &Hub) -> Vec<String> {
    common::texts(&hub.database, &hub.tls_dir, "SELECT sha256 FROM blobs")
}

#[tokio::test(flavor = "current_thread")]
async fn a_purge_reaches_the_hub_and_the_units_other_laptops() {
    common::on_each_database("erasure", reaches_everyone).await;
}

async fn reaches_everyone(root: &Path, database: &str) {
    let hub = Hub::start(database, root);
    let a = Laptop::new(root, "a", &hub, &hub.url).await;
    let b = Laptop::new(root, "b", &hub, &hub.url).await;
    let head = a.supervisor();
    let (_, erased) = a.open_case(&erased_client());
    let (kept_person, kept) = a.open_case(&kept_client());
    let photo = {
        let mut book = a.book.lock().unwrap();
        book.add_party(
            &a.worker,
            &CaseParty {
                case_id: erased.clone(),
                person_id: kept_person.clone(),
                role: PartyRole::Relative,
                relationship: None,
            },
        )
        .unwrap();
        let entry = book
            .add_timeline_entry_with_files(
                &a.worker,
                &erased,
                EntryKind::HomeVisit,
                ERASED_NOTE,
                &casebook::dates::now_iso(),
                &[jpeg_with_exif(64, 48, 1, false)],
            )
            .unwrap();
        book.entry_attachments(&a.worker, &entry).unwrap()[0].sha256.clone()
    };
    a.sync().await;
    b.sync().await;
    assert!(b.has_case(&erased), "the case never reached laptop B");
    assert!(b.book.lock().unwrap().blob(&photo).unwrap().is_some());
    assert!(hub_holds(&hub, ERASED_NAME) && hub_holds(&hub, ERASED_NOTE));
    assert!(hub_blobs(&hub).contains(&photo));

    a.purge(&head, &erased);
    a.sync().await;
    // The hub: no value of the case or its client in any event body, and the photo gone.
    for text in [ERASED_NAME, ERASED_PHONE, ERASED_NOTE] {
        assert!(!hub_holds(&hub, text), "the hub still holds a value of the erased case");
    }
    assert!(
        !hub_blobs(&hub).contains(&photo),
        "the hub kept the erased case's photo"
    );
    assert!(hub_holds(&hub, KEPT_NAME), "the person another case names went too");

    b.sync().await;
    assert!(!b.has_case(&erased), "laptop B kept the erased case");
    assert!(b.has_case(&kept));
    assert!(!b.finds(ERASED_NAME) && !b.finds(ERASED_NOTE));
    assert!(b.finds(KEPT_NAME), "the person another case names went from laptop B");
    let log = b.log();
    for text in [ERASED_NAME, ERASED_PHONE, ERASED_NOTE] {
        assert!(
            !log.contains(text),
            "laptop B's event log still holds a value of the erased case"
        );
    }
    assert!(b.book.lock().unwrap().blob(&photo).unwrap().is_none());
    // B's tombstone: the case number and why, by A's supervisor.
    let head_b = b.supervisor();
    let tombstones = b.book.lock().unwrap().purge_log(&head_b).unwrap();
    assert_eq!(tombstones.len(), 1);
    assert!(tombstones[0].detail.as_deref().unwrap().ends_with(": ครบกำหนดเก็บรักษา"));
    assert_eq!(tombstones[0].user_id.as_deref(), Some(head.user_id.as_str()));
    assert!(b.book.lock().unwrap().set_aside_events(&head_b).unwrap().is_empty());

    // A laptop enrolled afterwards receives the tombstone only.
    let c = Laptop::new(root, "c", &hub, &hub.url).await;
    c.sync().await;
    assert!(
        c.has_case(&kept),
        "the new laptop did not receive the unit's other case"
    );
    assert!(!c.has_case(&erased));
    assert!(!c.finds(ERASED_NAME));
    let log = c.log();
    assert!(log.contains(&erased), "the new laptop did not receive the erasure");
    for text in [ERASED_NAME, ERASED_PHONE, ERASED_NOTE] {
        assert!(
            !log.contains(text),
            "the new laptop received a value of the erased case"
        );
    }
    let head_c = c.supervisor();
    let book = c.book.lock().unwrap();
    assert!(book.set_aside_events(&head_c).unwrap().is_empty());
    assert!(book.missing_blobs(10).unwrap().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn laptops_editing_offline_while_one_purges_all_end_without_the_case() {
    common::on_each_database("erasure-offline", offline).await;
}

async fn offline(root: &Path, database: &str) {
    let hub = Hub::start_plain(database, root);
    let proxy = proxy(hub.addr.clone(), 23).await;
    let url = format!("http://{}", proxy.addr);
    let laptops = [
        Laptop::new(root, "a", &hub, &url).await,
        Laptop::new(root, "b", &hub, &url).await,
        Laptop::new(root, "c", &hub, &url).await,
    ];
    let head = laptops[0].supervisor();
    let (erased_person, erased) = laptops[0].open_case(&erased_client());
    let (_, kept) = laptops[0].open_case(&kept_client());
    laptops[0].note(&erased, ERASED_NOTE);
    for laptop in &laptops {
        sync_until_done(&laptop.book, &laptop.client).await;
    }
    for laptop in &laptops {
        assert!(laptop.has_case(&erased));
    }

    // Offline: A purges; B and C edit the erased case and its client, and do other work.
    laptops[0].purge(&head, &erased);
    laptops[1].note(&erased, "บันทึกออฟไลน์ของบี");
    {
        let b = &laptops[1];
        let mut book = b.book.lock().unwrap();
        let mut changed = erased_client();
        changed.phone = Some("0819990099".into());
        book.update_person(&b.worker, &erased_person, &changed).unwrap();
    }
    laptops[2].note(&erased, "บันทึกออฟไลน์ของซี");
    laptops[1].note(&kept, "บันทึกที่ต้องอยู่ของบี");
    let (_, new_case) = laptops[2].open_case(&PersonInput {
        name_th: Some("นางใหม่ ทดสอบยี่สิบสาม".into()),
        ..PersonInput::default()
    });

    // Shuffled orders, through a proxy that drops, repeats and replays requests; a second
    // round settles what the first left.
    let mut rng = Rng::new(23);
    for _ in 0..3 {
        let mut order = vec![0, 1, 2];
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for n in order {
            sync_until_done(&laptops[n].book, &laptops[n].client).await;
        }
    }
    assert!(
        proxy.faults.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no fault was made"
    );

    let erased_texts = [
        ERASED_NAME,
        ERASED_PHONE,
        "0819990099",
        ERASED_NOTE,
        "บันทึกออฟไลน์ของบี",
        "บันทึกออฟไลน์ของซี",
    ];
    for text in erased_texts {
        assert!(!hub_holds(&hub, text), "the hub holds a value of the erased case");
    }
    let hashes: Vec<String> = laptops
        .iter()
        .map(|l| l.book.lock().unwrap().state_hash().unwrap())
        .collect();
    for laptop in &laptops {
        assert!(!laptop.has_case(&erased), "a laptop kept the erased case");
        let log = laptop.log();
        for text in erased_texts {
            assert!(
                !log.contains(text),
                "a laptop's event log holds a value of the erased case"
            );
            assert!(!laptop.finds(text), "a laptop's search finds the erased case");
        }
        // Nothing else lost.
        assert!(laptop.has_case(&kept) && laptop.has_case(&new_case));
        assert!(laptop.finds("บันทึกที่ต้องอยู่ของบี") && laptop.finds(KEPT_NAME));
    }
    assert!(hashes.iter().all(|h| h == &hashes[0]), "the laptops disagree");
}
