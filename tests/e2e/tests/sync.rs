//! Sync in the real app with the real hub over HTTPS: two laptops of one unit (the app on laptop
//! A; laptop B is a case book the test drives) changed the same partner agency's name offline,
//! and a laptop of another unit (BKK) transferred a case to A's unit. When the app starts it
//! syncs in the background; the Sync screen shows the conflict with both values; the social
//! worker picks one; the choice reaches laptop B. The transferred case is in A's list with its
//! history, and A's worker takes it on. A transfer to a unit code the province does not
//! have is refused when typed; a note written on the case after A sent it back is refused by
//! the hub on its own, and the supervisor sees it on the Sync screen. A home-visit photo BKK's
//! laptop took (its GPS tag removed when it was stored) shows on A after the sync.
//!
//! The books and their enrollment are made with the crates beforehand.

use casebook::records::agency::{Agency, AgencyType};
use casebook::records::evidence::fixtures::{GPS_LATITUDE, jpeg_with_exif};
use casebook::{Casebook, Session};
use oscc_e2e::{App, Result, TempDir, hub_binary};
use oscc_sync::{Client, sync_once};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

const PASS: &str = "ผู้ทดสอบ-passphrase-5";

/// The hub process, its https:// address and its data folder (database and certificate).
struct Hub(Child, String, std::path::PathBuf);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The province administrator's passphrase for the province key (synthetic).
const PROVINCE_PASS: &str = "synthetic province passphrase";

/// `oscc-hub ARGS --database … --key-file …` in `dir`, the province passphrase on its input.
fn hub_admin(dir: &Path, args: &[&str]) -> Result<String> {
    let mut child = Command::new(hub_binary())
        .args(args)
        .arg("--database")
        .arg(dir.join("hub.db"))
        .arg("--tls-dir")
        .arg(dir)
        .arg("--key-file")
        .arg(dir.join("province.key"))
        .arg("--passphrase-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    std::io::Write::write_all(&mut child.stdin.take().ok_or("no hub stdin")?, PROVINCE_PASS.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!("oscc-hub {args:?} failed").into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn start_hub(dir: &Path) -> Result<Hub> {
    hub_admin(dir, &["province-key"])?;
    let mut child = Command::new(hub_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(dir.join("hub.db"))
        .arg("--tls-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("oscc-hub ({e}): run `cargo xtask test`"))?;
    let mut out = BufReader::new(child.stdout.take().ok_or("no hub stdout")?);
    loop {
        let mut line = String::new();
        if out.read_line(&mut line)? == 0 {
            return Err("hub did not start".into());
        }
        if let Some(url) = line.trim().strip_prefix("listening on ") {
            return Ok(Hub(child, url.to_owned(), dir.to_owned()));
        }
    }
}

impl Hub {
    /// Enrolls `book` in `unit` with a fresh one-time code; its client pins the certificate.
    async fn enroll(&self, book: &mut Casebook, admin: &Session, unit: &str) -> Result<Client> {
        let code = hub_admin(&self.2, &["enroll-code", "--unit", unit])?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        let enrolled = Client::new(&self.1, None, None)?.enroll(&code, unit).await?;
        book.take_device_id(admin, &enrolled.device_id)?;
        hub_admin(&self.2, &["approve", &enrolled.device_id])?;
        book.set_hub(
            admin,
            &self.1,
            enrolled.pin.as_deref(),
            &enrolled.province_key,
            &enrolled.credentials.to_secret(),
        )?;
        Ok(Client::new(
            &self.1,
            enrolled.pin.as_deref(),
            Some(enrolled.credentials),
        )?)
    }
}

fn rename(book: &mut Casebook, worker: &Session, id: &str, name: &str) -> Result<()> {
    let mut agency = book.agencies(worker)?[0].record.clone();
    agency.name = name.into();
    book.update_agency(worker, id, &agency)?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_conflict_from_two_laptops_is_shown_resolved_in_the_app_and_reaches_the_other() -> Result<()> {
    let data = TempDir::new("sync")?;
    let hub = start_hub(data.path())?;
    let schema = casebook::store::schema_version();
    let (a_dir, b_dir, c_dir) = (
        data.path().join("laptop-a"),
        data.path().join("laptop-b"),
        data.path().join("laptop-c"),
    );
    for dir in [&a_dir, &b_dir, &c_dir] {
        std::fs::create_dir_all(dir)?;
    }

    // Laptop A: enrolled, records an agency, syncs. Laptop B: enrolled, receives it.
    let (mut a, a_admin, a_worker) = casebook::synth::unit_laptop(&a_dir, "a", PASS)?;
    casebook::synth::add_user_signed_in(
        &mut a,
        &a_admin,
        "supera",
        "หัวหน้า สมมุติ",
        casebook::Role::Supervisor,
        PASS,
    )?;
    let a_client = hub.enroll(&mut a, &a_admin, "CPN").await?;
    let agency = a.add_agency(&a_worker, &Agency::new("บ้านพักเด็ก", AgencyType::Shelter))?;
    let a = Mutex::new(a);
    sync_once(&a, &a_client, schema).await?;
    let (mut b, b_admin, b_worker) = casebook::synth::unit_laptop(&b_dir, "b", PASS)?;
    let b_client = hub.enroll(&mut b, &b_admin, "CPN").await?;
    let b = Mutex::new(b);
    sync_once(&b, &b_client, schema).await?;

    // Laptop C, of the BKK unit, opens a case, writes a note, and transfers it to CPN.
    let (mut c, c_admin, c_worker) = casebook::synth::unit_book(&c_dir, "BKK", "c", PASS)?;
    let c_client = hub.enroll(&mut c, &c_admin, "BKK").await?;
    let (client, _) = c.create_person(
        &c_worker,
        &casebook::records::person::PersonInput {
            name_th: Some("เด็กหญิง ย้ายมาจากกรุงเทพ".into()),
            sex: Some(casebook::records::person::Sex::Female),
            estimated_age: Some(13),
            ..Default::default()
        },
    )?;
    let transferred = c.create_case(
        &c_worker,
        &casebook::records::case::CaseInput {
            client_id: client,
            source: casebook::records::case::Source::Hotline1300,
            categories: vec![casebook::records::case::Category::ViolenceChild],
            violence_types: vec![],
            risk: casebook::records::case::Risk::Red,
            case_manager_id: None,
            incident_at: None,
            consent: None,
            legal_basis: None,
        },
    )?;
    c.add_timeline_entry(
        &c_worker,
        &transferred.id,
        casebook::records::timeline::EntryKind::Note,
        "พบครูประจำชั้นแล้ว",
        &casebook::dates::now_iso(),
    )?;
    // A home visit with a phone photo that carries its GPS position: stored without it.
    let visit = c.add_timeline_entry_with_files(
        &c_worker,
        &transferred.id,
        casebook::records::timeline::EntryKind::HomeVisit,
        "เยี่ยมบ้าน ถ่ายภาพสภาพบ้าน",
        &casebook::dates::now_iso(),
        &[jpeg_with_exif(1200, 900, 1, true)],
    )?;
    let photo = c.entry_attachments(&c_worker, &visit)?[0].sha256.clone();
    let (_, stored) = c.attachment(&c_worker, &photo)?;
    assert!(!stored.windows(GPS_LATITUDE.len()).any(|w| w == GPS_LATITUDE) && !stored.windows(4).any(|w| w == b"Exif"));
    // The family agreed to the case going to the unit where they now live.
    c.record_consent(
        &c_worker,
        &casebook::records::consent::Consent {
            case_id: transferred.id.clone(),
            purpose: casebook::records::consent::Purpose::Sharing,
            agency_id: None,
            to_unit: Some("CPN".into()),
            basis: casebook::records::consent::Basis::Consent,
            given_by: Some(casebook::records::consent::GivenBy::Guardian),
            guardian_name: Some("นางผู้ปกครอง สมมุติ".into()),
            child_assent: Some(true),
            method: Some(casebook::records::consent::ConsentMethod::SignedForm),
            given_on: casebook::dates::today().to_string(),
            reason: None,
            revoked_on: None,
            revoke_reason: None,
            form_sha256: None,
            author_id: None,
        },
    )?;
    c.transfer_case(&c_worker, &transferred.id, "CPN", "ครอบครัวย้ายไปชุมพร", None)?;
    let c = Mutex::new(c);
    sync_once(&c, &c_client, schema).await?;
    // Opened before laptop C held numbers of its own: its sync made the number final.
    let transferred_number = c.lock().map_err(|_| "lock")?.case_number(&c_worker, &transferred.id)?;
    drop(c);

    // Offline, both rename it; B syncs, A does not (its app is closed).
    rename(
        &mut *a.lock().map_err(|_| "lock")?,
        &a_worker,
        &agency,
        "บ้านพักเด็ก (ชื่อจากเครื่อง A)",
    )?;
    rename(
        &mut *b.lock().map_err(|_| "lock")?,
        &b_worker,
        &agency,
        "บ้านพักเด็ก (ชื่อจากเครื่อง B)",
    )?;
    sync_once(&b, &b_client, schema).await?;
    drop(a);

    // The app opens laptop A: the background sync runs at once and finds the conflict.
    let app = App::launch("sync", &a_dir).await?;
    let outcome = async {
        app.sign_in("workera", PASS).await?;
        app.click("[data-testid=nav-sync]").await?;
        app.wait_for_text("[data-testid=sync-conflicts]", "1").await?;
        let shown = app.wait_for_text("[data-testid=conflicts]", "ชื่อจากเครื่อง").await?;
        assert!(
            shown.contains("ชื่อจากเครื่อง A") && shown.contains("ชื่อจากเครื่อง B"),
            "both values should be offered: {shown}"
        );
        // The field is named as the agency form names it, not by its column.
        app.wait_for_text("[data-testid=conflict-field]", "ชื่อหน่วยงาน").await?;
        app.wait_for_text("[data-testid=sync-pending]", "0").await?;
        app.screenshot("conflict").await?;
        // The social worker keeps A's name, whichever one is shown.
        let take_other = app.find("[data-testid=take-other]").await?.text().await?;
        if take_other.contains("เครื่อง A") {
            app.click("[data-testid=take-other]").await?;
        } else {
            app.click("[data-testid=keep-shown]").await?;
        }
        app.wait_for_text("[data-testid=sync-conflicts]", "0").await?;
        app.click("[data-testid=sync-now]").await?;
        app.wait_for_text("[data-testid=sync-pending]", "0").await?;
        app.screenshot("resolved").await?;

        // Laptop B receives the choice: A's name, and no open conflict.
        let mut settled = false;
        for _ in 0..50 {
            sync_once(&b, &b_client, schema).await?;
            let (name, open) = {
                let book = b.lock().map_err(|_| "lock")?;
                (
                    book.agencies(&b_worker)?[0].record.name.clone(),
                    book.conflicts(&b_worker)?.len(),
                )
            };
            if name.contains("เครื่อง A") && open == 0 {
                settled = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(settled, "laptop B never received the choice");

        // The case BKK transferred waits in A's inbox, with the reason; A's worker takes it
        // there, and it comes with its history.
        app.click("[data-testid=nav-inbox]").await?;
        let item = app
            .wait_for_text("[data-testid=inbox-item]", &transferred_number)
            .await?;
        // BKK opened it from a hotline 1300 call: it arrives as a hotline report.
        assert!(item.contains("จากหน่วย BKK") && item.contains("สายด่วน 1300"), "{item}");
        app.screenshot("inbox-transferred-in").await?;
        app.click("[data-testid=inbox-take]").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-row]", &transferred_number).await?;
        app.click("[data-testid=case-row]").await?;
        app.wait_for_text("[data-testid=case-held-by]", "BKK").await?;
        app.wait_for_text("[data-testid=case-manager]", "นักสังคม").await?;
        app.click("[data-testid=tab-timeline]").await?;
        let timeline = app.wait_for_text("[data-testid=timeline]", "พบครูประจำชั้นแล้ว").await?;
        assert!(
            timeline.contains("BKK → CPN"),
            "the transfer is not in the timeline: {timeline}"
        );
        app.screenshot("transferred-in").await?;
        // The photo taken on BKK's laptop is here: a thumbnail when asked for, then in full.
        app.click("[data-testid=photo-count]").await?;
        app.wait_for_image("[data-testid=entry-file] img").await?;
        app.click("[data-testid=entry-file]").await?;
        app.wait_for_image("[data-testid=file-viewer] img").await?;
        app.screenshot("photo-from-another-laptop").await?;
        app.click("[data-testid=file-viewer-close]").await?;

        // The receiving unit is picked from the hub's list (the laptop knows it since it
        // synced): a code the province does not have cannot be chosen.
        app.click("[data-testid=tab-work]").await?;
        app.find("select[name=to_unit] option[value=BKK]").await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("select[name=to_unit] option[value=ZZZ]"))
                .await
                .is_err()
        );
        // Sent back to BKK (after a confirmation), the case is no longer CPN's to write: a note
        // written on it anyway is refused by the hub on its own; the worker sees the count,
        // the supervisor which case and what to do.
        app.select("select[name=to_unit]", "BKK").await?;
        app.fill("input[name=transfer_reason]", "ส่งต่อพื้นที่").await?;
        app.click("form[data-testid=transfer-form] button[type=submit]").await?;
        app.click("[data-testid=transfer-confirm-yes]").await?;
        // No consent to share the case with BKK: it goes only on a legal basis, with a reason.
        app.find("[data-testid=basis-prompt]").await?;
        app.select("select[name=basis]", "legal_obligation").await?;
        app.fill("input[name=basis_reason]", "ศาลสั่งให้ส่งรายกรณีให้พื้นที่เดิม").await?;
        app.click("[data-testid=basis-go]").await?;
        app.wait_for_text("[data-testid=case-held-by]", "โอนกรณีไปหน่วย BKK")
            .await?;
        app.click("[data-testid=tab-timeline]").await?;
        app.wait_for_text("[data-testid=timeline]", "CPN → BKK").await?;
        app.fill("[data-testid=entry-form] textarea[name=body]", "โทรติดตามหลังโอนกลับ")
            .await?;
        app.click("[data-testid=entry-submit]").await?;
        app.wait_for_text("[data-testid=timeline]", "โทรติดตามหลังโอนกลับ").await?;
        app.click("[data-testid=nav-sync]").await?;
        app.click("[data-testid=sync-now]").await?;
        app.wait_for_text("[data-testid=sync-refused]", "1").await?;
        app.click("[data-testid=lock]").await?;
        app.sign_in("supera", PASS).await?;
        app.click("[data-testid=nav-sync]").await?;
        app.wait_for_text("[data-testid=refused-reason]", "ไม่ได้รับผิดชอบ").await?;
        app.wait_for_text("[data-testid=refused-event]", "รายการบันทึกความคืบหน้า")
            .await?;
        // Named by the case number a worker knows; still there a poll later (the screen asks
        // every 2 s), and painted.
        app.wait_for_text("[data-testid=refused-case]", &transferred_number)
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        app.wait_for_text("[data-testid=refused-case]", &transferred_number)
            .await?;
        app.screenshot("refused").await?;
        Ok(())
    }
    .await;
    drop(hub);
    app.finish(outcome).await
}

/// Opens a case at intake in `app` for a client named `name`; its number as the case page
/// shows it.
async fn intake(app: &App, name: &str) -> Result<String> {
    app.click("[data-testid=nav-intake]").await?;
    app.fill("input[name=name_th]", name).await?;
    app.select("select[name=id_kind]", "none").await?;
    app.select("select[name=sex]", "female").await?;
    app.click("[data-testid=categories] input[value=violence_woman]")
        .await?;
    app.click("[data-testid=intake-submit]").await?;
    app.wait_for_text("[data-testid=case-number]", "CPN-").await
}

/// The case numbers `app`'s case list shows, once it shows `count` rows; it syncs (Sync now)
/// while waiting, so what the other laptop sent comes in.
async fn case_numbers(app: &App, count: usize) -> Result<Vec<String>> {
    for _ in 0..30 {
        app.click("[data-testid=nav-sync]").await?;
        app.click("[data-testid=sync-now]").await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.click("[data-testid=nav-cases]").await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let rows = app
            .client
            .find_all(fantoccini::Locator::Css(
                "[data-testid=case-row] [data-testid=case-row-number]",
            ))
            .await?;
        let mut numbers = Vec::new();
        for row in rows {
            numbers.push(row.text().await?);
        }
        if numbers.len() == count && numbers.iter().all(|n| !n.contains("-P")) {
            return Ok(numbers);
        }
    }
    Err(format!("the case list never showed {count} cases with final numbers").into())
}

/// Two laptops of one unit, each the real app window on its own data folder, open a case
/// each and sync: each case list shows both cases, under two different numbers; the worker
/// of one laptop signs in on the other once its administrator sets up a first passphrase.
#[tokio::test(flavor = "current_thread")]
async fn two_windows_of_one_unit_open_cases_under_different_numbers() -> Result<()> {
    let data = TempDir::new("unit-windows")?;
    let hub = start_hub(data.path())?;
    let mut dirs = Vec::new();
    for name in ["p", "q"] {
        let dir = data.path().join(format!("laptop-{name}"));
        std::fs::create_dir_all(&dir)?;
        let (mut book, admin, _) = casebook::synth::unit_laptop(&dir, name, PASS)?;
        hub.enroll(&mut book, &admin, "CPN").await?;
        dirs.push(dir);
    }
    let p = App::launch("unit-p", &dirs[0]).await?;
    let q = match App::launch("unit-q", &dirs[1]).await {
        Ok(q) => q,
        Err(e) => return p.finish(Err(e)).await,
    };
    let outcome = async {
        p.sign_in("workerp", PASS).await?;
        q.sign_in("workerq", PASS).await?;
        let opened = [
            intake(&p, "นางสาวทดสอบ เครื่องพี").await?,
            intake(&q, "นางสาวทดสอบ เครื่องคิว").await?,
        ];
        let on_p = case_numbers(&p, 2).await?;
        let on_q = case_numbers(&q, 2).await?;
        let mut sorted_p = on_p.clone();
        sorted_p.sort();
        let mut sorted_q = on_q.clone();
        sorted_q.sort();
        assert_eq!(sorted_p, sorted_q, "the two laptops list different cases");
        assert_ne!(sorted_p[0], sorted_p[1], "two cases under one number");
        eprintln!("opened as {opened:?}, listed as {sorted_p:?}");
        p.screenshot("both-cases").await?;
        q.screenshot("both-cases").await?;

        // The unit's users are on both laptops: Q's worker has no sign-in on P until P's
        // administrator sets up a first passphrase there; then they sign in on P.
        p.click("[data-testid=lock]").await?;
        p.sign_in("adminp", PASS).await?;
        p.click("[data-testid=nav-users]").await?;
        p.wait_for_text("[data-testid=users]", "workerq").await?;
        p.wait_for_text("[data-testid=users]", "ยังเข้าใช้เครื่องนี้ไม่ได้").await?;
        p.screenshot("users").await?;
        p.select("select[name=reset_username]", "workerq").await?;
        p.fill("input[name=reset_passphrase]", "synthetic-first-sign-in-q")
            .await?;
        p.click("[data-testid=reset-form] button[type=submit]").await?;
        p.wait_for_text("[data-testid=reset-done]", "แล้ว").await?;
        p.click("[data-testid=lock]").await?;
        p.sign_in("workerq", "synthetic-first-sign-in-q").await?;
        p.choose_own_passphrase("synthetic-first-sign-in-q", "synthetic-own-passphrase-q")
            .await?;
        p.click("[data-testid=nav-cases]").await?;
        p.wait_for_text("[data-testid=case-rows]", &sorted_p[0]).await?;
        p.wait_for_text("[data-testid=case-rows]", &sorted_p[1]).await?;
        p.click("[data-testid=nav-sync]").await?;
        p.wait_for_text("[data-testid=sync-laptop]", "").await?;
        p.screenshot("sync").await?;
        Ok(())
    }
    .await;
    drop(hub);
    let closed = q.finish(Ok(())).await;
    p.finish(outcome).await?;
    closed
}
