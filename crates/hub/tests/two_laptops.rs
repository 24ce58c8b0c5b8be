//! Two laptops of one unit and the real hub process over real HTTP on loopback: enrollment with
//! one-time codes, a case made on one laptop reaching the other, a conflicting offline edit kept
//! on both and resolved on one, and a revoked laptop turned away.

mod common;

use casebook::records::agency::{Agency, AgencyType};
use casebook::records::evidence::fixtures::{GPS_LATITUDE, jpeg_with_exif};
use casebook::records::person::{PersonInput, Sex};
use casebook::records::timeline::EntryKind;
use casebook::{Casebook, Session};
use common::{Hub, PASS, databases, enrolled_laptop, temp};
use oscc_sync::{Client, Credentials, SyncError, sync_once};
use std::sync::Mutex;

struct Laptop {
    book: Mutex<Casebook>,
    worker: Session,
    client: Client,
}

async fn laptop(root: &std::path::Path, name: &str, hub: &Hub) -> Laptop {
    let (book, worker, client) = enrolled_laptop(&root.join(name), "CPN", name, hub, &hub.url).await;
    Laptop {
        book: Mutex::new(book),
        worker,
        client,
    }
}

impl Laptop {
    async fn sync(&self) -> Result<oscc_sync::SyncReport, SyncError> {
        sync_once(&self.book, &self.client, casebook::store::schema_version()).await
    }
    fn hash(&self) -> String {
        self.book.lock().unwrap().state_hash().unwrap()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_case_travels_a_conflict_is_kept_and_resolved_and_a_revoked_laptop_is_refused() {
    common::on_each_database("two-laptops", two_laptops).await;
}

async fn two_laptops(root: &std::path::Path, database: &str) {
    let hub = Hub::start(database, root);
    let a = laptop(root, "a", &hub).await;
    let b = laptop(root, "b", &hub).await;
    // A code works once.
    let code = hub.code("CPN");
    let enrolling = || Client::new(&hub.url, None, None).unwrap();
    enrolling().enroll(&code, "x").await.unwrap();
    assert!(matches!(
        enrolling().enroll(&code, "y").await,
        Err(SyncError::Unauthorized)
    ));

    // A records a case and a partner agency; after both sync, B holds the same.
    let agency = {
        let mut book = a.book.lock().unwrap();
        let (client, _) = book
            .create_person(
                &a.worker,
                &PersonInput {
                    name_th: Some("ผู้รับบริการ ข้ามเครื่อง".into()),
                    sex: Some(Sex::Female),
                    estimated_age: Some(15),
                    ..PersonInput::default()
                },
            )
            .unwrap();
        let case = book
            .create_case(
                &a.worker,
                &casebook::records::case::CaseInput {
                    client_id: client,
                    source: casebook::records::case::Source::Hotline1300,
                    categories: vec![casebook::records::case::Category::ViolenceChild],
                    violence_types: Vec::new(),
                    risk: casebook::records::case::Risk::Yellow,
                    case_manager_id: None,
                    incident_at: None,
                    consent: None,
                    legal_basis: None,
                },
            )
            .unwrap();
        // A home-visit photo: its bytes travel as a blob, apart from the event.
        let entry = book
            .add_timeline_entry_with_files(
                &a.worker,
                &case.id,
                EntryKind::HomeVisit,
                "เยี่ยมบ้าน",
                &casebook::dates::now_iso(),
                &[jpeg_with_exif(64, 48, 1, true)],
            )
            .unwrap();
        let sha = book.entry_attachments(&a.worker, &entry).unwrap()[0].sha256.clone();
        (
            book.add_agency(&a.worker, &Agency::new("บ้านพักเด็ก", AgencyType::Shelter))
                .unwrap(),
            sha,
        )
    };
    let (agency, photo) = agency;
    // The database drops the hub's connection, as a restart of PostgreSQL does: the next sync
    // goes through all the same.
    common::drop_connections(database);
    let pushed = a.sync().await.unwrap();
    assert!(pushed.pushed > 0);
    assert_eq!(pushed.blobs_sent, 1);
    let got = b.sync().await.unwrap();
    assert!(got.received.applied > 0);
    assert_eq!((got.blobs_received, got.blobs_waiting), (1, 0));
    // B shows the photo A took, and what travelled carries no location.
    let (mime, bytes) = b.book.lock().unwrap().attachment(&b.worker, &photo).unwrap();
    assert_eq!(mime, "image/jpeg");
    assert!(!bytes.windows(GPS_LATITUDE.len()).any(|w| w == GPS_LATITUDE));
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    a.sync().await.unwrap();
    assert_eq!(a.hash(), b.hash(), "B does not hold what A recorded");
    // The access log has a line per request, naming the device, never what it sent.
    let device_a = a.book.lock().unwrap().device_id().to_owned();
    let log = hub.access_log().join("\n");
    assert!(log.contains(&format!("access {device_a} POST /v1/push 200 ")), "{log}");
    assert!(log.contains(" GET /v1/pull 200 "), "{log}");
    assert!(!log.contains("ผู้รับบริการ") && !log.contains("after="), "{log}");
    let cases = b
        .book
        .lock()
        .unwrap()
        .count_cases(&b.worker, &Default::default())
        .unwrap();
    assert_eq!(cases, 1);

    // Both change the agency's name offline: both keep the later one and flag the conflict.
    for (laptop, name) in [(&a, "บ้านพักเด็ก ก"), (&b, "บ้านพักเด็ก ข")]
    {
        let mut book = laptop.book.lock().unwrap();
        let mut record = book.agencies(&laptop.worker).unwrap()[0].record.clone();
        record.name = name.into();
        book.update_agency(&laptop.worker, &agency, &record).unwrap();
    }
    a.sync().await.unwrap();
    b.sync().await.unwrap();
    a.sync().await.unwrap();
    assert_eq!(a.hash(), b.hash());
    let conflicts = b.book.lock().unwrap().conflicts(&b.worker).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(a.book.lock().unwrap().conflicts(&a.worker).unwrap().len(), 1);

    // B's social worker chooses the value that lost; the choice reaches A, conflict gone.
    b.book
        .lock()
        .unwrap()
        .resolve_conflict(&b.worker, &conflicts[0].id, true)
        .unwrap();
    b.sync().await.unwrap();
    a.sync().await.unwrap();
    assert_eq!(a.hash(), b.hash());
    assert!(a.book.lock().unwrap().conflicts(&a.worker).unwrap().is_empty());
    let name = a.book.lock().unwrap().agencies(&a.worker).unwrap()[0]
        .record
        .name
        .clone();
    assert_eq!(Some(name.as_str()), conflicts[0].other_value.as_str());

    // Syncing again moves nothing; a revoked laptop gets 401 and nothing else.
    let again = a.sync().await.unwrap();
    assert_eq!((again.pushed, again.received.applied), (0, 0));
    let b_device = b.book.lock().unwrap().device_id().to_owned();
    hub.cli(&["revoke", &b_device]);
    assert!(hub.cli(&["devices"]).contains("revoked"));
    assert!(matches!(b.sync().await, Err(SyncError::Unauthorized)));
}

#[tokio::test(flavor = "current_thread")]
async fn the_hub_is_trusted_by_its_pinned_certificate_and_takes_only_signed_events() {
    let root = temp("trust");
    let hub = Hub::start(&root.join("hub.db").to_string_lossy(), &root);
    // The laptop was used before it was enrolled: its first event carries the id the book made.
    let (mut book, admin, worker) = casebook::synth::unit_laptop(&root.join("a"), "a", PASS).unwrap();
    let agency = book
        .add_agency(&worker, &Agency::new("หน่วยงานทดสอบ", AgencyType::Ngo))
        .unwrap();
    let made = book.device_id().to_owned();
    let book = Mutex::new(book);
    let schema = casebook::store::schema_version();
    // The laptop checks the certificate against the fingerprint the province gave with the
    // code before it sends the code: a server showing another certificate gets nothing (the
    // code still works afterwards). A person types the beginning of the fingerprint.
    let code = hub.code("CPN");
    let right = hub.fingerprint.clone().unwrap();
    let wrong = format!("{}{}", if right.starts_with('0') { "1" } else { "0" }, &right[1..32]);
    let typed = |text: &str| oscc_sync::typed_fingerprint(text).unwrap();
    assert!(matches!(
        Client::new(&hub.url, Some(&typed(&wrong)), None)
            .unwrap()
            .enroll(&code, "a")
            .await,
        Err(SyncError::WrongCertificate)
    ));
    assert!(
        oscc_sync::typed_fingerprint("12ab").is_none(),
        "too short to stand for a certificate"
    );
    let spaced = format!("{} {}", right[..16].to_uppercase(), &right[16..32]);
    let enrolled = Client::new(&hub.url, Some(&typed(&spaced)), None)
        .unwrap()
        .enroll(&code, "a")
        .await
        .unwrap();
    assert_eq!(enrolled.pin, hub.fingerprint);
    // The hub names the device; the book takes the id over, its unsent event included, which
    // then reaches the hub under it (below).
    let device = enrolled.device_id.clone();
    assert_ne!(device, made);
    book.lock().unwrap().take_device_id(&admin, &device).unwrap();
    {
        let book = book.lock().unwrap();
        assert_eq!(book.device_id(), device);
        let events = book.events().unwrap();
        assert!(events.iter().any(|e| e.entity_id == agency));
        let mut seqs: Vec<i64> = events.iter().map(|e| e.device_seq).collect();
        seqs.sort();
        assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
        for event in &events {
            assert_eq!(event.device_id, device);
            assert!(event.hlc.ends_with(&format!("-{device}")), "{}", event.hlc);
        }
    }
    // The province key the hub named is the one on the province's paper (as the app checks
    // what the administrator typed), spaces and capitals aside.
    let paper = hub.province_print.clone().unwrap();
    assert!(oscc_sync::attestation::fingerprint_matches(
        &enrolled.province_key,
        &paper.to_uppercase()
    ));
    assert!(!oscc_sync::attestation::fingerprint_matches(
        &enrolled.province_key,
        "0000 0000 0000 0000"
    ));

    // Until the province approves it, the device can neither push nor pull.
    let waiting = Client::new(&hub.url, enrolled.pin.as_deref(), Some(enrolled.credentials.clone())).unwrap();
    assert!(matches!(
        sync_once(&book, &waiting, schema).await,
        Err(SyncError::NotApproved)
    ));
    assert_eq!(hub.events_held(), 0);
    hub.approve(&device);

    // Another hub (another certificate) at an address the laptop trusts is refused before a
    // byte of the book is sent.
    let impostor_dir = root.join("impostor");
    std::fs::create_dir_all(&impostor_dir).unwrap();
    let impostor = Hub::start(&impostor_dir.join("hub.db").to_string_lossy(), &impostor_dir);
    assert_ne!(impostor.fingerprint, hub.fingerprint);
    let wrong = Client::new(
        &impostor.url,
        enrolled.pin.as_deref(),
        Some(enrolled.credentials.clone()),
    )
    .unwrap();
    assert!(matches!(
        sync_once(&book, &wrong, schema).await,
        Err(SyncError::WrongCertificate)
    ));
    assert_eq!(impostor.events_held(), 0);
    assert_eq!(book.lock().unwrap().sync_position().unwrap().pushed_seq, 0);

    // The right token with a key that is not the device's: the hub refuses the batch.
    let forged = Credentials::from_secret(&format!("{}:{}", enrolled.credentials.token, "11".repeat(32))).unwrap();
    let forger = Client::new(&hub.url, enrolled.pin.as_deref(), Some(forged)).unwrap();
    assert!(matches!(
        sync_once(&book, &forger, schema).await,
        Err(SyncError::Refused(403))
    ));
    assert_eq!(hub.events_held(), 0);

    // Plain http to anything but this machine is refused outright.
    assert!(matches!(
        Client::new("http://hub.example.go.th", None, None),
        Err(SyncError::PlainHttp)
    ));

    // The device's own key: accepted.
    let right = Client::new(&hub.url, enrolled.pin.as_deref(), Some(enrolled.credentials)).unwrap();
    let report = sync_once(&book, &right, schema).await.unwrap();
    assert!(report.pushed > 0);
    assert_eq!(hub.events_held(), report.pushed as i64);
    let _ = std::fs::remove_dir_all(&root);
}

/// An event from a newer release waits, whole, on a laptop whose build cannot read it yet, and
/// is applied by the first sync after the laptop is upgraded.
#[tokio::test(flavor = "current_thread")]
async fn an_event_of_a_newer_release_waits_and_is_applied_after_an_upgrade() {
    let root = temp("upgrade");
    let hub = Hub::start(&root.join("hub.db").to_string_lossy(), &root);
    let a = laptop(&root, "a", &hub).await;
    let b = laptop(&root, "b", &hub).await;
    a.book
        .lock()
        .unwrap()
        .add_agency(&a.worker, &Agency::new("บ้านพักรุ่นใหม่", AgencyType::Shelter))
        .unwrap();
    a.sync().await.unwrap();

    // B's build is one schema behind: A's events are kept, not applied, not dropped, and
    // still kept by a second sync of the old build.
    let current = casebook::store::schema_version();
    let waiting = a.book.lock().unwrap().sync_position().unwrap().pushed_seq as usize;
    for _ in 0..2 {
        let got = sync_once(&b.book, &b.client, current - 1).await.unwrap();
        assert_eq!(got.received.applied, 0);
        assert!(b.book.lock().unwrap().agencies(&b.worker).unwrap().is_empty());
        assert_eq!(b.book.lock().unwrap().quarantined().unwrap().len(), waiting);
    }

    // Upgraded: the same book applies them and the quarantine is empty.
    assert_eq!(b.sync().await.unwrap().received.applied, waiting as u64);
    let book = b.book.lock().unwrap();
    assert_eq!(book.agencies(&b.worker).unwrap()[0].record.name, "บ้านพักรุ่นใหม่");
    assert!(book.quarantined().unwrap().is_empty());
    drop(book);
    let _ = std::fs::remove_dir_all(&root);
}

/// An enrollment code expires, a wrong one counts, and after 20 wrong codes in an hour the hub
/// takes no enrollment, even with a right code, until the hour has passed. A device's name is
/// printed without its control characters.
#[tokio::test(flavor = "current_thread")]
async fn enrollment_codes_expire_and_guessing_them_is_stopped_per_address() {
    let root = temp("codes");
    for database in databases(&root, "codes") {
        let dir = root.join(if database.starts_with("postgres") {
            "pg"
        } else {
            "sqlite"
        });
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub::start(&database, &dir);
        let enrolling = || Client::new(&hub.url, None, None).unwrap();
        let expired = hub.cli(&["enroll-code", "--unit", "CPN", "--valid-hours", "0"]);
        let expired = expired.lines().next().unwrap();
        assert!(matches!(
            enrolling().enroll(expired, "late").await,
            Err(SyncError::Unauthorized)
        ));
        enrolling()
            .enroll(&hub.code("CPN"), "เครื่อง\u{1b}[2J A\u{7}")
            .await
            .unwrap();
        assert!(
            hub.cli(&["devices"]).contains("\tเครื่อง[2J A"),
            "{}",
            hub.cli(&["devices"])
        );
        // The codes are kept keyed with the hub's secret, not as their plain hash.
        let code = hub.code("CPN");
        let plain = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(code.as_bytes()));
        let kept = common::code_hashes(&database, &dir);
        assert_eq!(kept.len(), 3);
        assert!(!kept.contains(&plain), "a code's plain hash is in the database");
        // The expired code was the first wrong one; 19 more make 20.
        for _ in 0..19 {
            assert!(matches!(
                enrolling().enroll("0000000000aa", "guess").await,
                Err(SyncError::Unauthorized)
            ));
        }
        assert!(matches!(
            enrolling().enroll(&code, "right").await,
            Err(SyncError::Refused(429))
        ));
        // The pause is for the address the wrong codes came from: a laptop elsewhere (here
        // 127.0.0.2) enrolls with the same code meanwhile.
        let elsewhere = reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let answer = elsewhere
            .post(format!("{}/v1/enroll", hub.url))
            .json(&oscc_sync::EnrollRequest {
                code: code.clone(),
                public_key: hex::encode(key.verifying_key().to_bytes()),
                device_name: "elsewhere".into(),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            200,
            "one address's wrong codes held up the whole province"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A server at the hub's address that answers with more than any hub answer holds (here a
/// reply announcing 100 MB, then one without a length that never ends): the laptop stops
/// reading at its cap instead of filling its memory, and says why.
#[tokio::test(flavor = "current_thread")]
async fn a_hub_answer_larger_than_any_honest_one_is_not_read() {
    let root = temp("answer-cap");
    let (book, _, _) = casebook::synth::unit_laptop(&root.join("a"), "a", PASS).unwrap();
    let book = Mutex::new(book);
    for announced in [true, false] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = if announced {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            };
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b' '; 1024 * 1024];
            // Until the laptop hangs up.
            while stream.write_all(&chunk).is_ok() {}
        });
        let credentials = Credentials::from_secret(&format!("token:{}", "22".repeat(32))).unwrap();
        let client = Client::new(&url, None, Some(credentials)).unwrap();
        assert!(matches!(
            sync_once(&book, &client, casebook::store::schema_version()).await,
            Err(SyncError::AnswerTooLarge)
        ));
    }
    let _ = std::fs::remove_dir_all(&root);
}
