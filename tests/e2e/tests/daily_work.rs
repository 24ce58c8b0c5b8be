//! Daily case work through the real window, on a 1366×768 screen: Today with a due follow-up
//! and a PEP clock marked given; a person's phone and address and a case's risk corrected (with
//! the reason in the risk history); an alleged perpetrator added and the case found by their
//! name; close with a reason and outcome, then reopen; a supervisor's handover acknowledged from
//! the receiver's inbox; a half-typed intake that survives the idle lock.

mod common;

use casebook::records::case::{CaseInput, Category, Risk, Source, ViolenceType};
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::{Casebook, Role};
use common::unit_book;
use oscc_e2e::{App, Result, TempDir};
use std::time::{Duration, Instant};

const PASS: &str = "นักสังคม-passphrase-1";

fn client(name: &str) -> PersonInput {
    PersonInput {
        name_th: Some(name.into()),
        id_kind: Some(IdKind::None),
        sex: Some(Sex::Female),
        estimated_age: Some(15),
        phone: Some("0811110000".into()),
        ..PersonInput::default()
    }
}

/// A red case of sexual violence ten hours ago, and a follow-up due yesterday.
fn urgent_case(book: &mut Casebook, session: &casebook::Session, name: &str) -> Result<String> {
    let (person, _) = book.create_person(session, &client(name))?;
    let case = book.create_case(
        session,
        &CaseInput {
            client_id: person,
            source: Source::WalkIn,
            categories: vec![Category::ViolenceChild],
            violence_types: vec![ViolenceType::Sexual],
            risk: Risk::Red,
            case_manager_id: None,
            incident_at: Some((chrono::Utc::now() - chrono::Duration::hours(10)).to_rfc3339()),
            consent: Some("guardian".into()),
            legal_basis: Some("vital_interest".into()),
        },
    )?;
    let yesterday = casebook::dates::today() - chrono::Duration::days(1);
    book.set_follow_up(session, &case.id, Some(&yesterday.to_string()))?;
    Ok(case.case_number)
}

#[tokio::test]
async fn today_correct_retriage_party_close_and_reopen_on_a_laptop_screen() -> Result<()> {
    let data = TempDir::new("daily")?;
    let number = {
        let (mut book, worker, _) = unit_book(data.path(), "malee", "มาลี นักสังคม", Role::SocialWorker, PASS)?;
        urgent_case(&mut book, &worker, "เด็กหญิงแก้ไข ทดลองระบบ")?
    };
    let app = App::launch("daily", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.sign_in("malee", PASS).await?;
        // Today is the home screen: the follow-up due and the PEP clock running.
        app.wait_for_text("[data-testid=today-follow-ups]", &number).await?;
        let clocks = app.wait_for_text("[data-testid=today-clocks]", "PEP").await?;
        assert!(clocks.contains(&number), "{clocks}");
        app.screenshot("1-today-1366x768").await?;
        app.click("[data-testid=today-clock] [data-testid=clock-given]").await?;
        // Marked given: PEP leaves Today, emergency contraception stays.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = app
                .wait_for_text("[data-testid=today-clocks]", "ยาคุมกำเนิดฉุกเฉิน")
                .await?;
            if !text.contains("PEP") {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("PEP still in Today after being marked: {text}").into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        // The case page: the clock shows who gave it.
        app.click("[data-testid=today-follow-ups] button").await?;
        app.wait_for_text("[data-testid=case-number]", &number).await?;
        app.wait_for_text("[data-testid=clock-pep]", "ให้แล้ว").await?;
        app.wait_for_text("[data-testid=clock-pep]", "มาลี นักสังคม").await?;
        app.screenshot("2-case-overview-1366x768").await?;

        // Correct the client's phone and address: seeing the record takes a reason first.
        app.click("[data-testid=reveal]").await?;
        app.fill(
            "[data-testid=reveal-form] input[name=reason]",
            "แก้ไขเบอร์โทรตามที่ผู้ปกครองแจ้ง",
        )
        .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.click("[data-testid=person-edit]").await?;
        app.fill("[data-testid=person-edit-form] input[name=phone]", "0899998888")
            .await?;
        app.select("[data-testid=person-edit-form] select[name=province]", "86")
            .await?;
        app.find("[data-testid=person-edit-form] select[name=district] option[value='8601']")
            .await?;
        app.select("[data-testid=person-edit-form] select[name=district]", "8601")
            .await?;
        app.find("[data-testid=person-edit-form] select[name=subdistrict] option[value='860101']")
            .await?;
        app.select("[data-testid=person-edit-form] select[name=subdistrict]", "860101")
            .await?;
        app.fill("[data-testid=person-edit-form] input[name=address]", "12 หมู่ 3 บ้านสมมุติ")
            .await?;
        app.click("[data-testid=person-edit-save]").await?;
        app.wait_for_text("[data-testid=client-masked]", "•888").await?;
        app.click("[data-testid=reveal]").await?;
        app.fill("[data-testid=reveal-form] input[name=reason]", "ตรวจสอบการแก้ไข")
            .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=client-identity]", "0899998888").await?;
        app.wait_for_text("[data-testid=client-identity]", "12 หมู่ 3 บ้านสมมุติ")
            .await?;

        // Re-triage: a lower risk needs the reason, and the history shows it.
        app.click("[data-testid=case-edit]").await?;
        app.select("[data-testid=case-edit-form] select[name=risk]", "yellow")
            .await?;
        app.click("[data-testid=case-edit-save]").await?;
        app.wait_for_text("[data-testid=case-edit-form] .field-error", "จำเป็น")
            .await?;
        app.fill(
            "[data-testid=case-edit-form] input[name=risk_reason]",
            "ย้ายไปอยู่กับยาย ผู้กระทำไม่อยู่ในบ้าน",
        )
        .await?;
        app.click("[data-testid=case-edit-save]").await?;
        app.wait_for_text("[data-testid=case-risk]", "เหลือง").await?;
        let history = app.wait_for_text("[data-testid=risk-history]", "ย้ายไปอยู่กับยาย").await?;
        assert!(history.contains("แดง") && history.contains("เหลือง"), "{history}");

        // An alleged perpetrator named after intake; the case is found by their name.
        app.fill("[data-testid=party-add] input[name=party_name]", "นายผู้ถูกกล่าวหา สมมุติขึ้น")
            .await?;
        app.select("[data-testid=party-add] select[name=party_role]", "alleged_perpetrator")
            .await?;
        app.select("[data-testid=party-add] select[name=party_relationship]", "step_parent")
            .await?;
        app.click("[data-testid=party-add-submit]").await?;
        app.wait_for_text("[data-testid=parties]", "ผู้ถูกกล่าวหา").await?;
        app.click("[data-testid=nav-cases]").await?;
        // A query nobody matches first, so the rows below are the next search's, not stale ones.
        app.fill("[data-testid=case-search]", "ไม่มีใครชื่อนี้แน่นอน").await?;
        app.wait_for_text("[data-testid=caselist-empty]", "ไม่พบ").await?;
        app.fill("[data-testid=case-search]", "ผู้ถูกกล่าวหา").await?;
        app.wait_for_text("[data-testid=case-row]", &number).await?;
        app.click("[data-testid=case-row]").await?;

        // Close with a reason and an outcome (after a confirmation), then reopen.
        app.click("[data-testid=tab-work]").await?;
        app.select("select[name=closure_reason]", "goals_met").await?;
        app.select("select[name=closure_outcome]", "safe").await?;
        app.fill("input[name=closure_note]", "ครบตามแผน ผู้รับบริการปลอดภัย").await?;
        app.click("[data-testid=close-submit]").await?;
        app.click("[data-testid=close-confirm-yes]").await?;
        app.wait_for_text("[data-testid=case-status]", "ปิดรายกรณี").await?;
        app.wait_for_text("[data-testid=closed-as]", "บรรลุเป้าหมาย").await?;
        app.screenshot("3-closed").await?;
        app.fill("input[name=reopen_reason]", "ถูกทำร้ายซ้ำ").await?;
        app.click("[data-testid=reopen-submit]").await?;
        app.wait_for_text("[data-testid=case-status]", "ประเมิน").await?;
        app.click("[data-testid=tab-timeline]").await?;
        let timeline = app.wait_for_text("[data-testid=timeline]", "ถูกทำร้ายซ้ำ").await?;
        assert!(
            timeline.contains("ปิดรายกรณี → ประเมิน") && timeline.contains("มาลี นักสังคม"),
            "the status change reads in Thai with its author: {timeline}"
        );
        Ok(())
    }
    .await;
    app.finish(outcome).await
}

#[tokio::test]
async fn a_supervisor_hands_a_case_over_and_the_receiver_acknowledges_it_in_the_inbox() -> Result<()> {
    let data = TempDir::new("handover")?;
    let number = {
        let (mut book, supervisor, _) = unit_book(data.path(), "super", "หัวหน้า ทดสอบ", Role::Supervisor, PASS)?;
        let admin = casebook::Session {
            role: Role::Administrator,
            ..supervisor.clone()
        };
        casebook::synth::add_user_signed_in(&mut book, &admin, "daeng", "แดง รับงานต่อ", Role::SocialWorker, PASS)?;
        let (person, _) = book.create_person(&supervisor, &client("นางส่งมอบ งานต่อ"))?;
        let mut input = casebook::synth::walk_in_case(&person);
        input.case_manager_id = Some(supervisor.user_id.clone());
        book.create_case(&supervisor, &input)?.case_number
    };
    let app = App::launch("handover", data.path()).await?;
    let outcome = async {
        app.sign_in("super", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-work]").await?;
        let daeng = app
            .find("[data-testid=handover-form] select[name=to_user] option:nth-child(2)")
            .await?
            .attr("value")
            .await?
            .unwrap_or_default();
        app.select("[data-testid=handover-form] select[name=to_user]", &daeng)
            .await?;
        app.fill("input[name=handover_note]", "หัวหน้าลาประชุม 2 สัปดาห์ นัดเยี่ยมบ้านวันศุกร์")
            .await?;
        app.click("[data-testid=handover-submit]").await?;
        app.wait_for_text("[data-testid=case-manager]", "แดง รับงานต่อ").await?;
        app.click("[data-testid=lock]").await?;

        app.sign_in("daeng", PASS).await?;
        app.wait_for_text("[data-testid=inbox-badge]", "1").await?;
        app.click("[data-testid=nav-inbox]").await?;
        let item = app.wait_for_text("[data-testid=inbox-item]", &number).await?;
        assert!(
            item.contains("นัดเยี่ยมบ้านวันศุกร์") && item.contains("มอบหมายให้ฉัน"),
            "{item}"
        );
        app.screenshot("1-inbox").await?;
        app.click("[data-testid=inbox-acknowledge_handover]").await?;
        app.wait_for_text("[data-testid=inbox-empty]", "ไม่มีเรื่องรอรับ").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}

#[tokio::test]
async fn a_half_typed_intake_survives_the_idle_lock() -> Result<()> {
    let data = TempDir::new("autolock")?;
    unit_book(data.path(), "malee", "มาลี นักสังคม", Role::SocialWorker, PASS)?;
    std::fs::write(
        data.path().join("settings.json"),
        r#"{"idle_minutes": 1, "lang": "th"}"#,
    )?;
    // The idle check looks every 2 s (not 15), so the lock comes soon after the idle minute.
    let app = App::launch_with("autolock", data.path(), &[("OSCC_IDLE_CHECK_SECS", "2")]).await?;
    let outcome = async {
        app.sign_in("malee", PASS).await?;
        app.click("[data-testid=nav-intake]").await?;
        // Typing for longer than the idle limit keeps the book open: keystrokes are activity.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(70) {
            app.find("input[name=name_th]").await?.send_keys("ก").await?;
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        app.fill("input[name=name_th]", "เด็กหญิงพิมพ์ค้าง ไว้ก่อนล็อก").await?;
        app.fill("input[name=phone]", "0812345678").await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("[data-testid=intake-form]"))
                .await
                .is_ok(),
            "still on the form after typing past the idle limit"
        );
        // Then nobody touches the laptop: the book locks.
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if app
                .client
                .find(fantoccini::Locator::Css("form[data-testid=signin-form]"))
                .await
                .is_ok()
            {
                break;
            }
            if Instant::now() > deadline {
                return Err("the book did not lock after the idle minute".into());
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        // Nothing typed is in a file in clear.
        for entry in walk(data.path()) {
            let bytes = std::fs::read(&entry)?;
            let needle = "ไว้ก่อนล็อก".as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds the draft in clear",
                entry.display()
            );
        }
        app.sign_in("malee", PASS).await?;
        app.wait_for_text("[data-testid=draft-restored]", "นำข้อความที่พิมพ์ค้างไว้")
            .await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while app.value("input[name=name_th]").await? != "เด็กหญิงพิมพ์ค้าง ไว้ก่อนล็อก"
        {
            if Instant::now() > deadline {
                return Err("the typed name did not come back".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(app.value("input[name=phone]").await?, "0812345678");
        app.screenshot("1-intake-back-after-lock").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
