//! Letters a partner accepts, through the real window on a 1366×768 screen: a supervisor lists
//! the unit's signers (the head, and a deputy who signs for the head) and sets her own
//! position; a referral letter picked to be signed by the deputy prints the deputy's position
//! with ปฏิบัติราชการแทน and the head's position below it, in the preview and in the letter
//! issued; the referral form names the worker with her position. Invitations to a case
//! conference go to three agencies in one batch: one numbered letter each, each agency's name
//! on its own sheet, the agenda naming the case by pseudonym only.

mod common;

use casebook::Role;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::conference::{AgendaCase, Conference, ConferenceStatus};
use casebook::records::consent::{Basis, BasisGiven};
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::records::received::ReceivedLetterInput;
use casebook::records::referral::Referral;
use common::unit_book;
use oscc_e2e::{App, Result, TempDir, artifacts_dir};

const PASS: &str = "หัวหน้างาน-passphrase-3";
const HEAD: &str = "ผู้อำนวยการโรงพยาบาลสมมุติ";
const DEPUTY: &str = "รองผู้อำนวยการฝ่ายการแพทย์";
/// The agencies invited to the conference; the first is also the referral's.
const INVITED: [&str; 3] = ["สถานีตำรวจภูธรเมืองสมมุติ", "องค์การบริหารส่วนตำบลสมมุติ", "โรงเรียนบ้านสมมุติ"];

fn pdf_text(path: &str) -> Result<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.trim(), "-"])
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The value of the option of `select` whose text holds `text`, once the form shows it.
async fn option(app: &App, select: &str, text: &str) -> Result<String> {
    let script = format!(
        "const o = [...document.querySelectorAll('select[name={select}] option')]\
           .find((o) => o.textContent.includes('{text}')); return o ? o.value : null;"
    );
    let deadline = std::time::Instant::now() + oscc_e2e::UI_TIMEOUT;
    loop {
        if let Some(value) = app.client.execute(&script, vec![]).await?.as_str() {
            return Ok(value.to_owned());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{text} is not offered in {select}").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The lines of a PDF's text, each trimmed, without the empty ones.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_letter_signed_by_a_deputy_for_the_head() -> Result<()> {
    let data = TempDir::new("letters")?;
    {
        let (mut book, supervisor, _) = unit_book(data.path(), "somchai", "สมชาย หัวหน้างาน", Role::Supervisor, PASS)?;
        let (person, _) = book.create_person(
            &supervisor,
            &PersonInput {
                name_th: Some("เด็กหญิงจดหมาย ทดสอบ".into()),
                id_kind: Some(IdKind::None),
                sex: Some(Sex::Female),
                estimated_age: Some(13),
                ..PersonInput::default()
            },
        )?;
        let case = book.create_case(&supervisor, &casebook::synth::walk_in_case(&person))?;
        let police = book.add_agency(&supervisor, &Agency::new("สถานีตำรวจภูธรเมืองสมมุติ", AgencyType::Police))?;
        for (name, kind) in INVITED
            .iter()
            .skip(1)
            .zip([AgencyType::LocalGovernment, AgencyType::School])
        {
            book.add_agency(&supervisor, &Agency::new(name, kind))?;
        }
        let conference = book.plan_conference(
            &supervisor,
            &Conference {
                held_at: "2026-12-03T13:30:00+07:00".into(),
                venue: Some("ห้องประชุมศาลากลางสมมุติ".into()),
                chair: None,
                minute_taker: None,
                status: ConferenceStatus::Planned,
            },
        )?;
        book.add_agenda_case(
            &supervisor,
            &AgendaCase {
                conference_id: conference,
                case_id: case.id.clone(),
                position: 1,
                summary: None,
                risk_assessment: None,
                decisions: None,
            },
        )?;
        // The police station asks about the case; the request is logged as a letter received.
        book.log_received_letter(
            &supervisor,
            &ReceivedLetterInput {
                received_on: casebook::dates::today().to_string(),
                their_number: Some("ตช 0018.1/77".into()),
                their_date: Some(casebook::dates::today().to_string()),
                sender_agency_id: Some(police.clone()),
                sender: None,
                subject: "ขอข้อมูลประกอบสำนวนการสอบสวน".into(),
                referral_id: None,
                reply_status: None,
                reply: None,
                case_id: Some(case.id.clone()),
            },
            None,
        )?;
        book.create_referral(
            &supervisor,
            &Referral::draft(&case.id, &police, "ดำเนินคดีและคุ้มครองพยาน"),
            Some(&BasisGiven {
                basis: Basis::ChildProtection,
                reason: "เด็กอยู่ในภาวะเสี่ยง".into(),
            }),
        )?;
    }
    let app = App::launch("letters", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.sign_in("somchai", PASS).await?;

        // The supervisor lists the head and a deputy, and gives her own position.
        app.click("[data-testid=nav-agencies]").await?;
        app.fill("input[name=signer_name]", "นางหัวหน้า สมมุติ").await?;
        app.fill("input[name=signer_position]", HEAD).await?;
        app.select("select[name=signer_standing]", "head").await?;
        app.click("[data-testid=signer-save]").await?;
        app.wait_for_text("[data-testid=signers]", "นางหัวหน้า สมมุติ").await?;
        app.fill("input[name=signer_name]", "นายรอง สมมุติ").await?;
        app.fill("input[name=signer_position]", DEPUTY).await?;
        app.select("select[name=signer_standing]", "for_head").await?;
        app.click("[data-testid=signer-save]").await?;
        app.wait_for_text("[data-testid=signers]", "นายรอง สมมุติ").await?;
        app.fill("input[name=own_position]", "หัวหน้างานสังคมสงเคราะห์").await?;
        app.click("[data-testid=own-position-save]").await?;
        app.wait_for_text("[data-testid=own-position-form] [role=status]", "บันทึก")
            .await?;
        app.screenshot("1-signers").await?;
        // The unit's templates: the follow-up's, with the placeholders it fills listed.
        app.select("select[name=template_kind]", "follow_up").await?;
        app.wait_for_text("[data-testid=letter-templates]", "{กำหนดตอบ}")
            .await?;
        app.client
            .execute(
                "document.querySelector('[data-testid=letter-templates]').scrollIntoView();",
                vec![],
            )
            .await?;
        // A moment for the scrolled page to be painted before it is captured.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.screenshot("1b-templates").await?;

        // The referral letter, signed by the deputy.
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-plan]").await?;
        app.click("[data-testid=issue-letter]").await?;
        let deputy = option(&app, "letter_signer", "นายรอง").await?;
        app.select("select[name=letter_signer]", &deputy).await?;
        app.click("[data-testid=letter-preview]").await?;
        let preview = app
            .wait_for_text("[data-testid=preview-path]", "preview-letter.pdf")
            .await?;
        let signed = |text: &str| -> Result<()> {
            let lines = lines(text);
            let at = lines
                .iter()
                .position(|l| l == "(นายรอง สมมุติ)")
                .ok_or_else(|| format!("no signer's name in:\n{text}"))?;
            if lines.get(at + 1..at + 3) != Some(&[format!("{DEPUTY} ปฏิบัติราชการแทน"), HEAD.to_owned()][..])
            {
                return Err(format!("no acting-for lines under the name:\n{text}").into());
            }
            Ok(())
        };
        signed(&pdf_text(&preview)?)?;
        app.screenshot("2-letter-signer").await?;

        app.click("[data-testid=issue-confirm]").await?;
        let letter = app.wait_for_text("[data-testid=letter-path]", "-letter.pdf").await?;
        app.wait_for_text("[data-testid=letter-number]", "CPN/1").await?;
        let text = pdf_text(&letter)?;
        signed(&text)?;
        assert!(text.contains("ผู้กำกับการสถานีตำรวจภูธรเมืองสมมุติ"), "{text}");
        std::fs::copy(letter.trim(), artifacts_dir().join("letters-deputy-letter.pdf"))?;
        let form = app.wait_for_text("[data-testid=form-path]", "-form.pdf").await?;
        let form_text = pdf_text(&form)?;
        assert!(
            form_text.contains("สมชาย หัวหน้างาน (หัวหน้างานสังคมสงเคราะห์)"),
            "the form names the worker with her position:\n{form_text}"
        );

        // A follow-up on the referral: its agency and its letter (อ้างถึง) come with it.
        let referral = option(&app, "case_letter_referral", "CPN/1").await?;
        app.select("select[name=case_letter_referral]", &referral).await?;
        // With it goes a copy of the referral's form, ticked from what the case has.
        let ticked = app
            .client
            .execute(
                "const l = [...document.querySelectorAll('[data-testid=case-letter-form] label.check')]\
                   .find((l) => l.textContent.includes('หนังสือที่ CPN/1')); \
                 const box = l && l.querySelector('input'); if (box && !box.checked) box.click(); \
                 return box ? box.checked : null;",
                vec![],
            )
            .await?;
        assert_eq!(
            ticked,
            serde_json::json!(true),
            "the referral's form is not offered to enclose"
        );
        app.click("[data-testid=case-letter-draft]").await?;
        let subject = app.value("input[name=case_letter_subject]").await?;
        assert_eq!(subject, "ติดตามผลการส่งต่อผู้รับบริการ");
        app.click("[data-testid=case-letter-issue]").await?;
        app.wait_for_text("[data-testid=case-letter-issued]", "CPN/2").await?;
        let follow_up = app
            .wait_for_text("[data-testid=case-letter-path]", "-letter.pdf")
            .await?;
        let text = pdf_text(&follow_up)?;
        let referred = lines(&text)
            .into_iter()
            .find(|l| l.starts_with("อ้างถึง"))
            .ok_or_else(|| format!("no อ้างถึง:\n{text}"))?;
        assert!(
            referred.contains("หนังสือศูนย์พึ่งได้ โรงพยาบาลสมมุติ ที่ CPN/1 ลงวันที่"),
            "{referred}"
        );
        assert!(text.contains("ผู้กำกับการสถานีตำรวจภูธรเมืองสมมุติ"), "{text}");
        assert!(
            lines(&text)
                .iter()
                .any(|l| l.starts_with("สิ่งที่ส่งมาด้วย") && l.contains("สำเนาแบบส่งต่อผู้รับบริการ (หนังสือที่ CPN/1)")),
            "the form goes with it:\n{text}"
        );
        std::fs::copy(follow_up.trim(), artifacts_dir().join("letters-follow-up.pdf"))?;
        app.screenshot("3-follow-up").await?;

        // The reply to the police refers to their request; a request for information refers
        // to nothing.
        for (kind, reference, number, copy) in [
            ("reply", Some("ตช 0018.1/77"), "CPN/3", "letters-reply.pdf"),
            ("information_request", None, "CPN/4", "letters-information-request.pdf"),
        ] {
            app.select("select[name=case_letter_kind]", kind).await?;
            app.select(
                "select[name=case_letter_agency]",
                &option(&app, "case_letter_agency", "สถานีตำรวจ").await?,
            )
            .await?;
            match reference {
                Some(text) => {
                    app.select(
                        "select[name=case_letter_reference]",
                        &option(&app, "case_letter_reference", text).await?,
                    )
                    .await?
                }
                None => app.select("select[name=case_letter_reference]", "").await?,
            }
            app.click("[data-testid=case-letter-draft]").await?;
            app.click("[data-testid=case-letter-issue]").await?;
            app.wait_for_text("[data-testid=case-letter-issued]", number).await?;
            let path = app
                .wait_for_text(
                    "[data-testid=case-letter-path]",
                    &format!("-{}-letter.pdf", &number[4..]),
                )
                .await?;
            let text = pdf_text(&path)?;
            match reference {
                Some(theirs) => assert!(
                    lines(&text)
                        .iter()
                        .any(|l| l.starts_with("อ้างถึง") && l.contains(theirs)),
                    "the reply refers to their letter:\n{text}"
                ),
                None => assert!(!text.contains("อ้างถึง"), "{text}"),
            }
            assert!(
                !text.contains("จดหมาย"),
                "a letter names the case by pseudonym only:\n{text}"
            );
            std::fs::copy(path.trim(), artifacts_dir().join(copy))?;
        }

        // Invitations to the conference: three agencies ticked, one batch.
        app.click("[data-testid=nav-conferences]").await?;
        app.click("[data-testid=conference-row]").await?;
        app.click("[data-testid=invitations-start]").await?;
        app.wait_for_text("[data-testid=invitation-form]", INVITED[2]).await?;
        for name in INVITED {
            let checkbox = app
                .client
                .execute(
                    "const l = [...document.querySelectorAll('[data-testid=invitation-form] label')]\
                       .find((l) => l.textContent.trim() === arguments[0]); \
                     const box = l && l.querySelector('input'); if (box && !box.checked) box.click(); \
                     return box ? box.checked : null;",
                    vec![serde_json::json!(name)],
                )
                .await?;
            if checkbox != serde_json::json!(true) {
                return Err(format!("no checkbox for {name}").into());
            }
        }
        let body = app.value("textarea[name=invitation_body]").await?;
        assert!(
            body.contains("ห้องประชุมศาลากลางสมมุติ") && body.contains("13:30 น.") && !body.contains("จดหมาย"),
            "the draft names the place and time, and the case by pseudonym only: {body}"
        );
        app.screenshot("4-invitations").await?;
        app.click("[data-testid=invitations-issue]").await?;
        app.wait_for_text("[data-testid=invitations-issued]", "CPN/7").await?;
        let batch = app
            .wait_for_text("[data-testid=invitations-path]", "invitations-")
            .await?;
        std::fs::copy(batch.trim(), artifacts_dir().join("letters-invitations.pdf"))?;
        let text = pdf_text(&batch)?;
        let pages: Vec<&str> = text.split('\x0c').filter(|p| !p.trim().is_empty()).collect();
        assert_eq!(pages.len(), 3, "one sheet per agency:\n{text}");
        for (page, name) in pages.iter().zip(INVITED) {
            assert!(page.contains(name), "{name} not on its own sheet:\n{page}");
            for other in INVITED.iter().filter(|o| **o != name) {
                assert!(!page.contains(other), "{other} on {name}'s sheet:\n{page}");
            }
            assert!(page.contains("ขอเชิญประชุมทีมสหวิชาชีพ"), "{page}");
        }
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
