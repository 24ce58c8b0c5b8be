//! People, consent and outcomes through the real window, on a 1366×768 screen: a returning
//! client found while the intake is typed gets a second case; a child whose name is not known
//! is recorded by a description and named later; a home-visit photo is saved with its entry
//! and opened in full; a referral without consent is refused until a
//! legal basis and a reason are given, and a referral the guardian consented to goes straight
//! through; a baseline and a closure assessment show in the statistics as what changed; the
//! returning client volunteers for the boy's case (shown by role, not by her own cases); a
//! supervisor merges her two records, after which either spelling finds every case.

mod common;

use casebook::Role;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::case::{CaseInput, Category, Risk, Source};
use casebook::records::person::{IdKind, PersonInput, Sex};
use common::unit_book;
use oscc_e2e::{App, Result, TempDir};

const PASS: &str = "นักสังคม-passphrase-7";

#[tokio::test]
async fn returning_client_unnamed_child_consent_and_outcomes_on_a_laptop_screen() -> Result<()> {
    let data = TempDir::new("people")?;
    // The book holds one earlier client, and two partner agencies.
    let (first_number, duplicate_number, shelter, police) = {
        let (mut book, worker, _) = unit_book(data.path(), "malee", "มาลี นักสังคม", Role::SocialWorker, PASS)?;
        let (person, _) = book.create_person(
            &worker,
            &PersonInput {
                name_th: Some("นางสาวจันทร์เพ็ญ ศรีสุข".into()),
                id_kind: Some(IdKind::None),
                sex: Some(Sex::Female),
                estimated_age: Some(30),
                phone: Some("081-234-5678".into()),
                ..PersonInput::default()
            },
        )?;
        let case = book.create_case(&worker, &casebook::synth::walk_in_case(&person))?;
        // The same woman recorded once before under another spelling, with the same phone.
        let (duplicate, _) = book.create_person(
            &worker,
            &PersonInput {
                name_th: Some("จันทรเพ็ญ ศรีสุก".into()),
                id_kind: Some(IdKind::None),
                sex: Some(Sex::Female),
                phone: Some("0812345678".into()),
                ..PersonInput::default()
            },
        )?;
        let duplicate_case = book.create_case(
            &worker,
            &CaseInput {
                client_id: duplicate,
                source: Source::Hotline1300,
                categories: vec![Category::ViolenceWoman],
                violence_types: vec![],
                risk: Risk::Green,
                case_manager_id: None,
                incident_at: None,
                consent: None,
                legal_basis: None,
            },
        )?;
        let shelter = book.add_agency(&worker, &Agency::new("บ้านพักเด็กสมมุติ", AgencyType::Shelter))?;
        let police = book.add_agency(&worker, &Agency::new("สถานีตำรวจสมมุติ", AgencyType::Police))?;
        (case.case_number, duplicate_case.case_number, shelter, police)
    };
    {
        // A supervisor, who merges records found to be one person.
        let (mut book, admin) = casebook::Casebook::unlock(data.path(), "admin", "ผู้ดูแล-passphrase-1")?;
        casebook::synth::add_user_signed_in(&mut book, &admin, "somchai", "สมชาย หัวหน้างาน", Role::Supervisor, PASS)?;
    }
    let app = App::launch("people", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.sign_in("malee", PASS).await?;

        // 1. She comes back: her name typed another way (no silent letter, ส for ศ, no title)
        //    finds her, masked, with her earlier case; the new case opens for her.
        app.click("[data-testid=nav-intake]").await?;
        app.fill("input[name=name_th]", "จันเพ็ญ สีสุข").await?;
        app.select("select[name=sex]", "female").await?;
        let found = app
            .wait_for_text("[data-testid=possible-matches]", &first_number)
            .await?;
        assert!(found.contains("น••• ศ•••") && found.contains("ชื่อใกล้เคียง"), "{found}");
        assert!(!found.contains("จันทร์เพ็ญ"), "a possible match is shown masked: {found}");
        app.screenshot("1-possible-match").await?;
        app.click("[data-testid=match-choose]").await?;
        app.wait_for_text("[data-testid=known-client]", &first_number).await?;
        app.click("[data-testid=categories] input[value=violence_woman]")
            .await?;
        app.click("[data-testid=intake-submit]").await?;
        let second_number = app.wait_for_text("[data-testid=case-number]", "CPN-").await?;
        assert_ne!(second_number, first_number);
        app.wait_for_text("[data-testid=client-name]", "น••• ศ•••").await?;
        // She offers, with her own consent, to support others as a peer volunteer.
        app.click("[data-testid=reveal]").await?;
        app.fill("[data-testid=reveal-form] input[name=reason]", "บันทึกการเป็นอาสาสมัคร")
            .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.click("[data-testid=volunteer-start]").await?;
        app.click("[data-testid=volunteer-save]").await?;
        app.wait_for_text("[data-testid=client-name]", "น••• ศ•••").await?;
        // Both cases are hers: her name leads to both.
        app.click("[data-testid=nav-cases]").await?;
        app.fill("[data-testid=case-search]", "จันทร์เพ็ญ").await?;
        let rows = app.wait_for_text("[data-testid=case-rows]", &first_number).await?;
        assert!(rows.contains(second_number.trim()), "{rows}");

        // 2. A boy found alone, name unknown: recorded by a description, named later.
        app.click("[data-testid=nav-intake]").await?;
        app.click("input[name=unnamed]").await?;
        app.fill("input[name=description]", "เด็กชาย ไม่ทราบชื่อ อายุประมาณ 8 ปี")
            .await?;
        app.fill("input[name=estimated_age]", "8").await?;
        app.select("select[name=sex]", "male").await?;
        app.select("select[name=id_kind]", "none").await?;
        app.click("[data-testid=categories] input[value=violence_child]")
            .await?;
        app.click("[data-testid=intake-submit]").await?;
        app.wait_for_text("[data-testid=client-name]", "เด็กชาย ไม่ทราบชื่อ อายุประมาณ 8 ปี")
            .await?;
        app.screenshot("2-unnamed-child").await?;
        app.click("[data-testid=reveal]").await?;
        app.fill("[data-testid=reveal-form] input[name=reason]", "พบญาติ ทราบชื่อแล้ว")
            .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.click("[data-testid=person-edit]").await?;
        app.click("[data-testid=person-edit-form] input[name=unnamed]").await?;
        app.fill(
            "[data-testid=person-edit-form] input[name=name_th]",
            "เด็กชายพบญาติ ทดสอบ",
        )
        .await?;
        app.click("[data-testid=person-edit-save]").await?;
        app.wait_for_text("[data-testid=client-name]", "เ••• ท•••").await?;

        // The volunteer supports the boy's case: named there by role, nothing of her own case.
        app.select(
            "select[name=volunteer]",
            &app.value("select[name=volunteer] option:nth-child(2)").await?,
        )
        .await?;
        app.click("[data-testid=volunteer-add-submit]").await?;
        let parties = app
            .wait_for_text("[data-testid=parties]", "อาสาสมัคร (เพื่อนช่วยเพื่อน)")
            .await?;
        assert!(
            parties.contains("น••• ศ•••")
                && !parties.contains(&first_number)
                && !parties.contains(second_number.trim()),
            "{parties}"
        );

        // A home visit with a photo and a scan, saved in one step; the photo opens in full.
        app.click("[data-testid=tab-timeline]").await?;
        app.select("[data-testid=entry-form] select[name=kind]", "home_visit")
            .await?;
        app.fill("[data-testid=entry-form] textarea[name=body]", "เยี่ยมบ้านญาติ บ้านปลอดภัย")
            .await?;
        let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/icons/icon.png");
        app.find("[data-testid=entry-form] input[name=photo]")
            .await?
            .send_keys(&photo.canonicalize()?.display().to_string())
            .await?;
        app.click("[data-testid=entry-submit]").await?;
        app.wait_for_text("[data-testid=photo-count]", "1").await?;
        app.click("[data-testid=photo-count]").await?;
        app.wait_for_image("[data-testid=entry-file] img").await?;
        app.click("[data-testid=entry-file]").await?;
        app.wait_for_image("[data-testid=file-viewer] img").await?;
        app.screenshot("2b-photo-full").await?;
        app.click("[data-testid=file-viewer-close]").await?;
        app.click("[data-testid=tab-overview]").await?;

        // 3. A referral to the shelter without any consent: refused until a legal basis and
        //    the reason are given; nothing is made in between.
        app.click("[data-testid=tab-plan]").await?;
        app.select("select[name=referral_agency]", &shelter).await?;
        app.fill("input[name=referral_reason]", "ต้องการที่พักปลอดภัยคืนนี้").await?;
        app.click("[data-testid=referral-create]").await?;
        app.wait_for_text("[data-testid=basis-prompt]", "ยังไม่มีความยินยอม")
            .await?;
        let referrals = || async {
            let list = app.find("[data-testid=referrals]").await?;
            Ok::<_, oscc_e2e::Error>(list.prop("textContent").await?.unwrap_or_default())
        };
        assert_eq!(referrals().await?.trim(), "", "a referral was made without a basis");
        app.click("[data-testid=basis-go]").await?;
        app.wait_for_text("[data-testid=basis-prompt]", "จำเป็นต้องกรอก").await?;
        assert_eq!(referrals().await?.trim(), "", "a referral was made without a reason");
        app.select("select[name=basis]", "child_protection").await?;
        app.fill("input[name=basis_reason]", "เด็กอยู่ลำพัง ไม่มีผู้ดูแล").await?;
        app.screenshot("3-referral-legal-basis").await?;
        app.click("[data-testid=basis-go]").await?;
        app.wait_for_text("[data-testid=referrals]", "บ้านพักเด็กสมมุติ").await?;
        // The guardian, found, consents to a referral to the police, with the boy's assent:
        // that referral goes through without asking.
        app.click("[data-testid=tab-consent]").await?;
        app.wait_for_text("[data-testid=consents]", "พ.ร.บ.คุ้มครองเด็ก").await?;
        app.select("select[name=purpose]", "referral").await?;
        app.select("select[name=consent_agency]", &police).await?;
        app.fill("input[name=guardian_name]", "นางผู้ปกครอง ทดสอบ").await?;
        app.select("select[name=child_assent]", "yes").await?;
        app.select("select[name=method]", "signed_form").await?;
        app.click("[data-testid=consent-add]").await?;
        app.wait_for_text("[data-testid=consents]", "สถานีตำรวจสมมุติ").await?;
        app.screenshot("4-consent-ledger").await?;
        app.click("[data-testid=tab-plan]").await?;
        app.select("select[name=referral_agency]", &police).await?;
        app.fill("input[name=referral_reason]", "แจ้งความดำเนินคดี").await?;
        app.click("[data-testid=referral-create]").await?;
        app.wait_for_text("[data-testid=referrals]", "สถานีตำรวจสมมุติ").await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("[data-testid=basis-prompt]"))
                .await
                .is_err(),
            "a consented referral asked for a legal basis"
        );

        // 4. Outcomes: food and safety at intake, then at closure; the statistics show what
        //    changed. (Each level differs from the one chosen before in the same select:
        //    WebKitWebDriver does not re-select an option it selected before the form emptied.)
        for (stage, food, safety) in [("baseline", "1", "3"), ("closure", "3", "2")] {
            app.select("select[name=stage]", stage).await?;
            app.select("select[name=level_food]", food).await?;
            app.select("select[name=level_safety]", safety).await?;
            app.click("[data-testid=assessment-add]").await?;
            app.wait_for_text(
                "[data-testid=assessments]",
                if stage == "baseline" {
                    "แรกรับ"
                } else {
                    "ปิดรายกรณี"
                },
            )
            .await?;
            // Saved, the form is empty again: no level shows that would not be recorded.
            assert_eq!(app.value("select[name=level_safety]").await?, "");
        }
        app.screenshot("5-assessments").await?;
        app.click("[data-testid=nav-statistics]").await?;
        let changes = app
            .wait_for_text("[data-testid=statistics-domain_change]", "อาหาร ดีขึ้น")
            .await?;
        assert!(changes.contains("ความปลอดภัย แย่ลง"), "{changes}");
        app.screenshot("6-statistics-outcomes").await?;

        // 5. The supervisor finds the woman recorded twice and merges the records: her cases
        //    all show one person, and either spelling finds all of them.
        app.click("[data-testid=lock]").await?;
        app.sign_in("somchai", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.fill("[data-testid=case-search]", &first_number).await?;
        app.wait_for_text("[data-testid=case-row]", &first_number).await?;
        app.click("[data-testid=case-row]").await?;
        app.wait_for_text("[data-testid=case-number]", &first_number).await?;
        app.click("[data-testid=reveal]").await?;
        app.fill("[data-testid=reveal-form] input[name=reason]", "ตรวจสอบระเบียนซ้ำ")
            .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.click("[data-testid=same-person-look]").await?;
        app.wait_for_text("[data-testid=same-person-match]", &duplicate_number)
            .await?;
        app.click("[data-testid=merge-choose]").await?;
        app.fill("input[name=merge_reason]", "เบอร์โทรเดียวกัน ยืนยันกับผู้รับบริการแล้ว")
            .await?;
        app.click("[data-testid=merge-form] button[type=submit]").await?;
        app.screenshot("7-merge").await?;
        app.click("[data-testid=merge-confirm-yes]").await?;
        app.wait_for_text("[data-testid=client-masked]", "น••• ศ•••").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.fill("[data-testid=case-search]", "ศรีสุก").await?;
        let rows = app.wait_for_text("[data-testid=case-rows]", &duplicate_number).await?;
        assert!(
            rows.contains(&first_number) && rows.contains(second_number.trim()),
            "{rows}"
        );
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
