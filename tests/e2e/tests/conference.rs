//! A multidisciplinary case conference run from the real app, with the projector window:
//! plan it with two cases, open it, put the cases on the projector (which never shows the
//! client's name or ID, even when typed into the decisions), record decisions and action
//! items, blank the screen, close, print the minutes; the next conference sees the open
//! action item.
//!
//! The case book is made beforehand with crates/casebook (a real encrypted book in the test's
//! keyring session): the first run and intake are the case-work test's job.

use casebook::Role;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::case::{CaseInput, Category, Risk, Source, ViolenceType};
use casebook::records::person::{IdKind, PersonInput, Sex};
use oscc_e2e::{App, Result, TempDir};

mod common;

const WORKER_PASS: &str = "ผู้ประสาน-passphrase-9";
/// Fictional people; the ID passes the check digit.
const CLIENT_NAME: &str = "เด็กหญิงดาวประกาย ลับเสมอ";
const CLIENT_ID: &str = "1103702345679";
const OTHER_NAME: &str = "เด็กชายภูผา สมมุติเสมอ";

fn child(name: &str, id: Option<&str>, sex: Sex, birth: &str) -> PersonInput {
    PersonInput {
        name_th: Some(name.into()),
        id_kind: Some(if id.is_some() {
            IdKind::ThaiCitizen
        } else {
            IdKind::None
        }),
        id_number: id.map(str::to_owned),
        birth_date: Some(birth.into()),
        sex: Some(sex),
        phone: Some("0811112222".into()),
        ..PersonInput::default()
    }
}

fn book(dir: &std::path::Path) -> std::result::Result<(), casebook::Error> {
    let (mut book, worker, _) = common::unit_book(dir, "nida", "นิดา ผู้ประสาน", Role::SocialWorker, WORKER_PASS)?;
    for (name, id, sex, birth) in [
        (CLIENT_NAME, Some(CLIENT_ID), Sex::Female, "2555-06-01"),
        (OTHER_NAME, None, Sex::Male, "2560-01-15"),
    ] {
        let (person, _) = book.create_person(&worker, &child(name, id, sex, birth))?;
        book.create_case(
            &worker,
            &CaseInput {
                client_id: person,
                source: Source::HospitalEr,
                categories: vec![Category::ViolenceChild],
                violence_types: vec![ViolenceType::Sexual],
                risk: Risk::Red,
                case_manager_id: None,
                incident_at: None,
                consent: Some("guardian".into()),
                legal_basis: Some("pdpa_s26".into()),
            },
        )?;
    }
    book.add_agency(
        &worker,
        &Agency::new("บ้านพักเด็กและครอบครัวจังหวัดสมมุติ", AgencyType::Shelter),
    )?;
    Ok(())
}

/// Picks a case by its number in the agenda's case list and adds it.
async fn add_to_agenda(app: &App, number: &str) -> Result<()> {
    let value = app
        .client
        .execute(
            "return [...document.querySelector('select[name=agenda_case]').options]\
             .find(o => o.text.startsWith(arguments[0])).value",
            vec![serde_json::json!(number)],
        )
        .await?;
    app.select("select[name=agenda_case]", value.as_str().unwrap_or_default())
        .await?;
    app.click("[data-testid=agenda-add]").await?;
    app.wait_for_text("[data-testid=agenda]", number).await?;
    Ok(())
}

/// The day before today in BE, as typed: an action item already overdue.
fn yesterday_typed() -> String {
    let d = chrono::Local::now().date_naive() - chrono::Duration::days(1);
    format!("{}", d.format(&format!("%d/%m/{}", chrono::Datelike::year(&d) + 543)))
}

#[tokio::test(flavor = "current_thread")]
async fn a_conference_with_two_cases_projector_minutes_and_carry_over() -> Result<()> {
    let data = TempDir::new("conference")?;
    book(data.path())?;
    let app = App::launch("conference", data.path()).await?;
    let outcome = async {
        app.sign_in("nida", WORKER_PASS).await?;
        app.click("[data-testid=nav-conferences]").await?;

        // Plan: date, venue, chair, minute-taker; then attendees and two cases.
        app.fill("input[name=held_at]", "24/11/2569 09:30").await?;
        app.fill("input[name=venue]", "ห้องประชุม อบต. ท่าตะเภา").await?;
        app.fill("input[name=chair]", "ปลัด อบต.").await?;
        app.fill("input[name=minute_taker]", "นิดา ผู้ประสาน").await?;
        app.click("form[data-testid=conference-plan] button[type=submit]")
            .await?;
        app.wait_for_text("[data-testid=conference-title]", "2569").await?;
        for (name, agency, role) in [
            ("ร.ต.อ. สมมุติ ตัวอย่าง", "สภ.เมืองสมมุติ", "พนักงานสอบสวน"),
            ("นางสาวครู สมมุติ", "โรงเรียนบ้านสมมุติ", "ครูประจำชั้น"),
        ] {
            app.fill("input[name=attendee_name]", name).await?;
            app.fill("input[name=attendee_agency]", agency).await?;
            app.fill("input[name=attendee_role]", role).await?;
            app.click("input[name=attendee_ack]").await?;
            app.click("form[data-testid=attendee-form] button[type=submit]").await?;
            app.wait_for_text("[data-testid=attendees]", name).await?;
        }
        for number in ["CPN-2569-0001", "CPN-2569-0002"] {
            add_to_agenda(&app, number).await?;
        }
        app.click("[data-testid=agenda-case]").await?;
        let summary = app.value("textarea[name=summary]").await?;
        assert!(summary.starts_with("ด.ญ. ก. อายุ 14 ปี"), "{summary}");

        // The conference: open it and the projector window.
        app.click("[data-testid=conference-open]").await?;
        app.wait_for_text("[data-testid=conference-status]", "กำลังประชุม")
            .await?;
        app.click("[data-testid=projector-open]").await?;
        app.switch_to_window_with("[data-testid=projector]").await?;
        let shown = app.wait_for_text("[data-testid=projector]", "รายกรณีที่ 1 จาก 2").await?;
        assert!(shown.contains("อายุ"), "{shown}");
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;

        // Decisions typed in the main window appear on the projector as they are typed; the
        // client's name and ID typed into them do not.
        app.fill(
            "textarea[name=decisions]",
            &format!("ให้{} ({CLIENT_ID}) เข้าบ้านพักชั่วคราวและส่งตรวจร่างกาย", CLIENT_NAME),
        )
        .await?;
        app.switch_to_window_with("[data-testid=projector]").await?;
        let wall = app
            .wait_for_text("[data-testid=projector-decisions]", "เข้าบ้านพักชั่วคราว")
            .await?;
        app.screenshot("projector-decisions").await?;
        let whole = app.wait_for_text("[data-testid=projector]", "").await?;
        for secret in [CLIENT_NAME, "ดาวประกาย", "ลับเสมอ", CLIENT_ID, "0811112222", OTHER_NAME]
        {
            assert!(!whole.contains(secret), "the projector shows {secret:?}: {whole}");
        }
        assert!(wall.contains("[ปิดบัง]"), "{wall}");
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;
        app.click("[data-testid=agenda-save]").await?;

        // An action item, due yesterday: it will be overdue.
        app.fill("input[name=action_task]", "รับเด็กเข้าบ้านพักและประเมินสภาพจิตใจ")
            .await?;
        app.fill("input[name=action_agency]", "บ้านพักเด็กและครอบครัวจังหวัดสมมุติ")
            .await?;
        app.fill("input[name=action_person]", "นักจิตวิทยา สมมุติ").await?;
        app.fill("input[name=action_due]", &yesterday_typed()).await?;
        app.click("[data-testid=action-add]").await?;
        app.wait_for_text("[data-testid=actions]", "ประเมินสภาพจิตใจ").await?;

        // B blanks the projector; B again brings it back.
        app.press_key('b').await?;
        app.switch_to_window_with("[data-testid=projector]").await?;
        app.wait_for_text("[data-testid=projector-blank]", "สมุดรายกรณี").await?;
        app.screenshot("projector-blank").await?;
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;
        app.press_key('b').await?;
        app.switch_to_window_with("[data-testid=projector]").await?;
        app.wait_for_text("[data-testid=projector-actions]", "ประเมินสภาพจิตใจ")
            .await?;
        app.screenshot("projector").await?;

        // Next case: the projector follows.
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;
        app.click("[data-testid=next-case]").await?;
        app.switch_to_window_with("[data-testid=projector]").await?;
        app.wait_for_text("[data-testid=projector]", "รายกรณีที่ 2 จาก 2").await?;

        // Decisions typed for the second case and not yet saved stay when the facilitator
        // goes back to the first case and returns.
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;
        app.fill("textarea[name=decisions]", "ครูประจำชั้นติดตามการมาเรียนทุกสัปดาห์")
            .await?;
        app.click("[data-testid=agenda-case]").await?;
        app.wait_for_text("[data-testid=discussion-title]", "รายกรณีที่ 1 จาก 2")
            .await?;
        assert!(
            app.value("textarea[name=decisions]").await?.contains("เข้าบ้านพักชั่วคราว"),
            "the first case shows its saved decisions"
        );
        app.click("[data-testid=next-case]").await?;
        app.wait_for_text("[data-testid=discussion-title]", "รายกรณีที่ 2 จาก 2")
            .await?;
        assert_eq!(
            app.value("textarea[name=decisions]").await?,
            "ครูประจำชั้นติดตามการมาเรียนทุกสัปดาห์"
        );

        // Close, and print the minutes: pseudonymized, with the decisions and the action item.
        app.switch_to_window_with("[data-testid=agenda-panel]").await?;
        app.click("[data-testid=conference-close]").await?;
        app.wait_for_text("[data-testid=conference-status]", "ปิดการประชุมแล้ว")
            .await?;
        app.click("[data-testid=minutes-pdf]").await?;
        let path = app.wait_for_text("[data-testid=minutes-path]", "minutes-").await?;
        std::fs::copy(path.trim(), oscc_e2e::artifacts_dir().join("conference-minutes.pdf"))?;
        let out = std::process::Command::new("pdftotext")
            .arg(path.trim())
            .arg("-")
            .output()?;
        let minutes = String::from_utf8_lossy(&out.stdout);
        for expected in [
            "รายงานการประชุมทีมสหวิชาชีพ",
            "ร.ต.อ. สมมุติ ตัวอย่าง",
            "เข้าบ้านพักชั่วคราว",
            "ประเมินสภาพจิตใจ",
            "ผู้บันทึกการประชุม",
        ] {
            assert!(
                minutes.contains(expected),
                "{expected} missing from the minutes:\n{minutes}"
            );
        }
        for secret in ["ดาวประกาย", CLIENT_ID] {
            assert!(!minutes.contains(secret), "the minutes name the client: {minutes}");
        }

        // The overdue view lists the action item; the next conference carries it over.
        app.click("[data-testid=nav-conferences]").await?;
        app.wait_for_text("[data-testid=overdue]", "ประเมินสภาพจิตใจ").await?;
        app.fill("input[name=held_at]", "08/12/2569 09:30").await?;
        app.click("form[data-testid=conference-plan] button[type=submit]")
            .await?;
        app.wait_for_text("[data-testid=conference-title]", "2569").await?;
        add_to_agenda(&app, "CPN-2569-0001").await?;
        app.click("[data-testid=agenda-case]").await?;
        app.wait_for_text("[data-testid=carried]", "ประเมินสภาพจิตใจ").await?;
        app.screenshot("next-conference").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
