//! Visibility between units through the real hub over HTTPS: a unit sees only its own cases; a
//! referral to a partner that keeps its cases in the app (a shelter) shares the case with it;
//! a case transferred to another unit arrives there with its history (client, timeline, the
//! agency it was referred to); the receiving unit takes it on and its work flows back; the
//! province coordinator sees every unit's cases and routes a hotline 1300 report to a unit.

mod common;

use casebook::records::agency::{Agency, AgencyType};
use casebook::records::case::{CaseInput, Category, Risk, Source};
use casebook::records::case_list::CaseFilter;
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::person::{PersonInput, Sex};
use casebook::records::referral::Referral;
use casebook::records::timeline::EntryKind;
use casebook::{Casebook, Session};
use common::{Hub, enrolled_laptop};
use oscc_sync::{Client, sync_once};
use std::sync::Mutex;

struct Laptop {
    book: Mutex<Casebook>,
    worker: Session,
    client: Client,
}

async fn laptop(root: &std::path::Path, unit: &str, hub: &Hub) -> Laptop {
    let name = unit.to_lowercase();
    let (book, worker, client) = enrolled_laptop(&root.join(&name), unit, &name, hub, &hub.url).await;
    Laptop {
        book: Mutex::new(book),
        worker,
        client,
    }
}

impl Laptop {
    async fn sync(&self) {
        sync_once(&self.book, &self.client, casebook::store::schema_version())
            .await
            .unwrap();
    }
    fn cases(&self) -> Vec<String> {
        let book = self.book.lock().unwrap();
        let mut numbers: Vec<String> = book
            .list_cases(&self.worker, &CaseFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.case_number)
            .collect();
        numbers.sort();
        numbers
    }
    /// The case's number now (a provisional one is made final at the laptop's sync).
    fn number(&self, case_id: &str) -> String {
        self.book.lock().unwrap().case_number(&self.worker, case_id).unwrap()
    }
    fn open_case(&self, name: &str, source: Source) -> (String, String) {
        let mut book = self.book.lock().unwrap();
        let (client, _) = book
            .create_person(
                &self.worker,
                &PersonInput {
                    name_th: Some(name.into()),
                    sex: Some(Sex::Female),
                    estimated_age: Some(14),
                    ..PersonInput::default()
                },
            )
            .unwrap();
        let case = book
            .create_case(
                &self.worker,
                &CaseInput {
                    client_id: client,
                    source,
                    categories: vec![Category::ViolenceChild],
                    violence_types: Vec::new(),
                    risk: Risk::Red,
                    case_manager_id: None,
                    incident_at: None,
                    consent: None,
                    legal_basis: None,
                },
            )
            .unwrap();
        (case.id, case.case_number)
    }
    fn note(&self, case_id: &str, body: &str) {
        self.book
            .lock()
            .unwrap()
            .add_timeline_entry(
                &self.worker,
                case_id,
                EntryKind::Note,
                body,
                &casebook::dates::now_iso(),
            )
            .unwrap();
    }
    fn timeline(&self, case_id: &str) -> Vec<String> {
        let mut book = self.book.lock().unwrap();
        book.open_case(&self.worker, case_id)
            .unwrap()
            .timeline
            .into_iter()
            .map(|e| e.body)
            .collect()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_transferred_case_arrives_with_its_history_and_a_hotline_report_is_routed() {
    common::on_each_database("transfer", transfer).await;
}

async fn transfer(root: &std::path::Path, database: &str) {
    let hub = Hub::start(database, root);
    let cpn = laptop(root, "CPN", &hub).await;
    let bkk = laptop(root, "BKK", &hub).await;
    // The province's coordinator: its code marks the unit as seeing everything.
    hub.cli(&["enroll-code", "--unit", "PSDO", "--coordinator"]);
    let province = laptop(root, "PSDO", &hub).await;
    let shelter_unit = laptop(root, "SHL", &hub).await;

    // CPN opens a case, writes a note and refers the girl to a shelter.
    let (case_id, _) = cpn.open_case("เด็กหญิง ย้ายหน่วย", Source::WalkIn);
    cpn.note(&case_id, "เยี่ยมบ้านครั้งแรก");
    {
        let mut book = cpn.book.lock().unwrap();
        let shelter = book
            .add_agency(
                &cpn.worker,
                &Agency {
                    hub_unit: Some("SHL".into()),
                    addressee: None,
                    salutation: Default::default(),
                    retired: false,
                    ..Agency::new("บ้านพักเด็กและครอบครัว", AgencyType::Shelter)
                },
            )
            .unwrap();
        book.create_referral(
            &cpn.worker,
            &Referral::draft(&case_id, &shelter, "ต้องการที่พักปลอดภัย"),
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    }
    cpn.sync().await;
    // Opened before the laptop had numbers of its own: the sync made its number final.
    let number = cpn.number(&case_id);
    bkk.sync().await;
    province.sync().await;
    assert!(
        bkk.cases().is_empty(),
        "another unit sees CPN's case before any transfer"
    );
    shelter_unit.sync().await;
    assert_eq!(
        shelter_unit.cases(),
        vec![number.clone()],
        "the referral did not share the case with the shelter"
    );
    assert!(shelter_unit.timeline(&case_id).iter().any(|b| b == "เยี่ยมบ้านครั้งแรก"));
    // The shelter, a partner the case was referred to, keeps the girl's phone current: CPN's
    // laptop takes the change from another unit (it writes to a case whose client she is).
    let client = {
        let mut book = shelter_unit.book.lock().unwrap();
        let client = book.open_case(&shelter_unit.worker, &case_id).unwrap().case.client_id;
        book.update_person(
            &shelter_unit.worker,
            &client,
            &PersonInput {
                name_th: Some("เด็กหญิง ย้ายหน่วย".into()),
                sex: Some(Sex::Female),
                estimated_age: Some(14),
                phone: Some("0811111111".into()),
                ..PersonInput::default()
            },
        )
        .unwrap();
        client
    };
    shelter_unit.sync().await;
    cpn.sync().await;
    assert!(
        cpn.book
            .lock()
            .unwrap()
            .events()
            .unwrap()
            .iter()
            .any(|e| e.entity_id == client && e.fields.get("phone").and_then(|p| p.as_str()) == Some("0811111111")),
        "the partner's change to the client was not taken"
    );
    assert_eq!(
        province.cases(),
        vec![number.clone()],
        "the coordinator does not see CPN's case"
    );

    // The province's coordinator holds a case conference on CPN's case: its minutes and action
    // items stay the province's; nothing is written into CPN's case (the hub would refuse it).
    {
        use casebook::records::conference::{ActionItem, ActionStatus, AgendaCase, Conference, ConferenceStatus};
        let mut book = province.book.lock().unwrap();
        let worker = &province.worker;
        let conference = book
            .plan_conference(
                worker,
                &Conference {
                    held_at: "2026-11-10T09:00:00+07:00".into(),
                    venue: Some("ศาลากลางจังหวัด".into()),
                    chair: None,
                    minute_taker: None,
                    status: ConferenceStatus::Planned,
                },
            )
            .unwrap();
        let agenda = book
            .add_agenda_case(
                worker,
                &AgendaCase {
                    conference_id: conference.clone(),
                    case_id: case_id.clone(),
                    position: 1,
                    summary: Some("เด็กหญิง อายุ 14 ปี".into()),
                    risk_assessment: None,
                    decisions: None,
                },
            )
            .unwrap();
        book.record_decisions(worker, &agenda, None, Some("สูง"), "ประสานบ้านพัก")
            .unwrap();
        book.add_action_item(
            worker,
            &ActionItem {
                conference_case_id: agenda,
                case_id: case_id.clone(),
                task: "เยี่ยมบ้านร่วมกัน".into(),
                agency_id: None,
                agency_name: Some("พมจ.".into()),
                person: None,
                due_date: None,
                status: ActionStatus::Open,
                domain: casebook::records::care::Domain::Safety,
                goal_id: None,
            },
        )
        .unwrap();
        book.set_conference_status(worker, &conference, ConferenceStatus::Closed)
            .unwrap();
    }
    province.sync().await;
    let position = province.book.lock().unwrap().sync_position().unwrap();
    assert_eq!(
        (position.pending, position.refused),
        (0, 0),
        "the hub refused what the coordinator's conference wrote"
    );
    cpn.sync().await;
    assert!(
        !cpn.timeline(&case_id).iter().any(|b| b.contains("ประสานบ้านพัก")),
        "the province's conference wrote into CPN's case"
    );

    // Transfer to BKK: it arrives there with its history and no case manager.
    let refused = cpn.book.lock().unwrap().transfer_case(
        &cpn.worker,
        &case_id,
        "CPN",
        "ย้ายที่อยู่",
        Some(&BasisGiven {
            basis: Basis::ChildProtection,
            reason: "เด็กเสี่ยงอันตราย".into(),
        }),
    );
    assert!(
        refused.is_err(),
        "a transfer to the unit that holds the case is refused"
    );
    cpn.book
        .lock()
        .unwrap()
        .transfer_case(
            &cpn.worker,
            &case_id,
            "bkk",
            "ครอบครัวย้ายไปกรุงเทพฯ",
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    cpn.sync().await;
    bkk.sync().await;
    assert_eq!(bkk.cases(), vec![number.clone()]);
    let timeline = bkk.timeline(&case_id);
    assert!(timeline.iter().any(|b| b == "เยี่ยมบ้านครั้งแรก"), "{timeline:?}");
    assert!(timeline.iter().any(|b| b == "ครอบครัวย้ายไปกรุงเทพฯ"), "{timeline:?}");
    {
        let view = bkk.book.lock().unwrap().open_case(&bkk.worker, &case_id).unwrap();
        let transfer = view
            .timeline
            .iter()
            .find(|e| e.change_field.as_deref() == Some("held_by"))
            .expect("the transfer entry records the units");
        assert_eq!(
            (transfer.change_from.as_deref(), transfer.change_to.as_deref()),
            (Some("CPN"), Some("BKK"))
        );
    }
    {
        let mut book = bkk.book.lock().unwrap();
        let found = book.search_cases(&bkk.worker, "ย้ายหน่วย", 10).unwrap();
        assert_eq!(found.len(), 1, "the client's name did not come with the case");
        let row = &book.list_cases(&bkk.worker, &CaseFilter::default()).unwrap()[0];
        assert_eq!(row.case_manager_id, None);
        let referrals = book.referrals(&bkk.worker, &case_id).unwrap();
        assert_eq!(referrals.len(), 1, "the referral (and its agency) did not come");
        assert_eq!(
            book.agency(&bkk.worker, &referrals[0].record.agency_id)
                .unwrap()
                .record
                .name,
            "บ้านพักเด็กและครอบครัว"
        );
        // BKK's worker takes the case on and records the next visit.
        book.take_case(&bkk.worker, &case_id).unwrap();
        assert!(
            book.list_cases(
                &bkk.worker,
                &CaseFilter {
                    mine: true,
                    ..CaseFilter::default()
                }
            )
            .unwrap()
            .len()
                == 1
        );
    }
    bkk.note(&case_id, "รับช่วงดูแลแล้ว นัดพบที่โรงเรียน");
    bkk.sync().await;
    cpn.sync().await;
    assert!(cpn.timeline(&case_id).iter().any(|b| b == "รับช่วงดูแลแล้ว นัดพบที่โรงเรียน"));

    // A hotline 1300 report taken at the province is routed to CPN, and only there.
    let (report_id, _) = province.open_case("ผู้แจ้ง สายด่วน", Source::Hotline1300);
    province
        .book
        .lock()
        .unwrap()
        .transfer_case(
            &province.worker,
            &report_id,
            "CPN",
            "พื้นที่รับผิดชอบของศูนย์พึ่งได้",
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กเสี่ยงอันตราย".into(),
            }),
        )
        .unwrap();
    province.sync().await;
    let report_number = province.number(&report_id);
    cpn.sync().await;
    bkk.sync().await;
    assert_eq!(cpn.cases(), {
        let mut both = vec![number.clone(), report_number.clone()];
        both.sort();
        both
    });
    assert_eq!(bkk.cases(), vec![number.clone()]);
    let held_by = cpn
        .book
        .lock()
        .unwrap()
        .list_cases(&cpn.worker, &CaseFilter::default())
        .unwrap();
    assert_eq!(held_by.len(), 2);
    // Each unit keeps its own lists: CPN, BKK and the province each have a referral destination
    // "safe"; the province's laptop, which receives all three, keeps all three, and shows
    // (and edits) its own.
    for (laptop, label) in [
        (&cpn, "ปลอดภัย (ชุมพร)"),
        (&bkk, "ปลอดภัย (กรุงเทพ)"),
        (&province, "ปลอดภัย (จังหวัด)"),
    ] {
        let admin = casebook::Session {
            role: casebook::Role::Administrator,
            ..laptop.worker.clone()
        };
        let lookup = casebook::records::lookup::Lookup {
            kind: "referral_destination".into(),
            code: "safe".into(),
            label_th: label.into(),
            label_en: "safe".into(),
            active: true,
        };
        laptop.book.lock().unwrap().set_lookup(&admin, &lookup).unwrap();
        laptop.sync().await;
    }
    province.sync().await;
    let labels: Vec<String> = province
        .book
        .lock()
        .unwrap()
        .lookups("referral_destination")
        .unwrap()
        .into_iter()
        .map(|l| l.label_th)
        .collect();
    assert_eq!(labels, ["ปลอดภัย (จังหวัด)"]);

    // Nothing honest was set aside by a laptop's checks, the coordinator's included (it
    // receives every unit's records), and nothing waits for a record it refers to.
    province.sync().await;
    shelter_unit.sync().await;
    for laptop in [&cpn, &bkk, &province, &shelter_unit] {
        let position = laptop.book.lock().unwrap().sync_position().unwrap();
        assert_eq!(
            (position.set_aside, position.waiting),
            (0, 0),
            "honest events were set aside, or records wait"
        );
    }

    // `oscc-hub report`: one line per unit.
    let report = hub.cli(&["report"]);
    let line = |unit: &str| report.lines().find(|l| l.starts_with(unit)).unwrap().to_owned();
    assert!(line("PSDO").contains("\tyes\t"), "{report}");
    assert!(line("CPN").starts_with("CPN\tno\t1\t1\t2\t"), "{report}");
    assert!(line("BKK").starts_with("BKK\tno\t1\t0\t1\t"), "{report}");

    // `oscc-hub report --month`: this month's statistics by the unit that opened each case
    // (the transferred case counts once, for CPN), with the province total first.
    let today = casebook::dates::today();
    let month = format!(
        "{}-{:02}",
        casebook::dates::be_year(today),
        chrono::Datelike::month(&today)
    );
    let csv = hub.cli(&["report", "--month", &month, "--csv"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[..2],
        ["dimension,value,province,CPN,PSDO", "total,all,2,1,1"],
        "{csv}"
    );
    assert!(rows.contains(&"source,hotline1300,1,0,1"), "{csv}");
    assert!(rows.contains(&"source,walk_in,1,1,0"), "{csv}");
    assert!(!csv.contains("ย้ายหน่วย"), "counts only, no names: {csv}");
}
