//! A supervisor's month-end in the real app: the month's statistics for the province (on
//! screen, as CSV and PDF), PDPA duties (an erasure request, a breach, purging a case past
//! its retention date, the record of processing), a backup to a "USB drive"; then a new
//! laptop (an empty data folder) restores the backup with the recovery code, the recovery
//! administrator gives the supervisor a new passphrase, and every remaining case is there.
//!
//! The book is made beforehand with crates/casebook; the first run and intake are the
//! case-work test's job.

use casebook::Role;
use casebook::records::case::{CaseInput, Category, Risk, Source, ViolenceType};
use casebook::records::person::{IdKind, PersonInput, Sex};
use oscc_e2e::{App, Result, TempDir};
use std::path::Path;

mod common;

const HEAD_PASS: &str = "หัวหน้าศูนย์-passphrase-3";
const NEW_HEAD_PASS: &str = "เครื่องใหม่-passphrase-4";

/// Three fictional cases this month; the third is past its retention date.
fn book(dir: &Path) -> std::result::Result<(String, String), casebook::Error> {
    let (mut book, head, recovery) = common::unit_book(dir, "head", "หัวหน้า สมมุติ", Role::Supervisor, HEAD_PASS)?;
    let mut last = String::new();
    for (name, sex, birth, category) in [
        ("เด็กหญิงแก้วตา สมมุติ", Sex::Female, "2556-03-01", Category::ViolenceChild),
        ("นางสายใจ ตัวอย่าง", Sex::Female, "2525-07-12", Category::ViolenceWoman),
        ("เด็กชายเก็บลบ ครบกำหนด", Sex::Male, "2557-01-20", Category::ChildLabour),
    ] {
        let person = PersonInput {
            name_th: Some(name.into()),
            id_kind: Some(IdKind::None),
            birth_date: Some(birth.into()),
            sex: Some(sex),
            ..PersonInput::default()
        };
        let (client, _) = book.create_person(&head, &person)?;
        let case = book.create_case(
            &head,
            &CaseInput {
                client_id: client,
                source: Source::WalkIn,
                categories: vec![category],
                violence_types: vec![ViolenceType::Physical],
                risk: Risk::Yellow,
                case_manager_id: None,
                incident_at: None,
                consent: Some("client".into()),
                legal_basis: Some("vital_interest".into()),
            },
        )?;
        last = case.case_number.clone();
        if name.contains("ครบกำหนด") {
            let yesterday = casebook::dates::today() - chrono::Duration::days(1);
            book.set_retention_date(&head, &case.id, &yesterday.to_string())?;
        }
    }
    Ok((recovery, last))
}

/// The PDF's text; a copy goes to the artifacts to look at.
fn pdf_text(path: &str) -> Result<String> {
    let name = Path::new(path).file_name().ok_or("no file name")?;
    std::fs::create_dir_all(oscc_e2e::artifacts_dir())?;
    std::fs::copy(path, oscc_e2e::artifacts_dir().join(name))?;
    let out = std::process::Command::new("pdftotext").arg(path).arg("-").output()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test(flavor = "current_thread")]
async fn month_end_statistics_pdpa_backup_and_restore_on_a_new_laptop() -> Result<()> {
    let data = TempDir::new("operations")?;
    let usb = TempDir::new("operations-usb")?;
    let (recovery, due_number) = book(data.path())?;

    let app = App::launch("operations", data.path()).await?;
    let backup_folder = async {
        app.sign_in("head", HEAD_PASS).await?;

        // This month's statistics: on screen, then CSV and PDF for the province.
        app.click("[data-testid=nav-statistics]").await?;
        app.wait_for_text("[data-testid=statistics-total]", "3").await?;
        app.wait_for_text("[data-testid=statistics-category]", "ความรุนแรงต่อเด็ก")
            .await?;
        app.wait_for_text("[data-testid=statistics-age_band]", "12-17").await?;
        app.wait_for_text("[data-testid=statistics-sex]", "หญิง").await?;
        app.screenshot("statistics").await?;
        app.click("[data-testid=statistics-csv]").await?;
        let csv_path = app.wait_for_text("[data-testid=statistics-file]", ".csv").await?;
        let csv = std::fs::read_to_string(&csv_path)?;
        assert!(csv.contains("total,all,รวม,3"), "{csv}");
        assert!(csv.contains("category,violence_child,ความรุนแรงต่อเด็ก,1"), "{csv}");
        assert!(!csv.contains("สมมุติ"), "counts only: {csv}");
        app.click("[data-testid=statistics-pdf]").await?;
        let pdf_path = app.wait_for_text("[data-testid=statistics-file]", ".pdf").await?;
        let pdf = pdf_text(&pdf_path)?;
        assert!(pdf.contains("สถิติการให้บริการ"), "{pdf}");
        assert!(pdf.contains("ความรุนแรงต่อเด็ก"), "{pdf}");

        // PDPA: an erasure request, a breach, and the purge of the case past retention.
        app.click("[data-testid=nav-pdpa]").await?;
        app.select("select[name=dsr_kind]", "erasure").await?;
        app.fill("input[name=dsr_notes]", "ขอให้ลบข้อมูลทั้งหมด").await?;
        app.click("[data-testid=dsr] form button[type=submit]").await?;
        app.wait_for_text("[data-testid=dsr]", "ขอให้ลบ").await?;
        app.fill("input[name=breach_description]", "แฟลชไดรฟ์สำรองข้อมูลหาย (เข้ารหัสไว้)")
            .await?;
        app.click("[data-testid=breaches] form button[type=submit]").await?;
        app.wait_for_text("[data-testid=breaches]", "ต้องแจ้ง สคส. ภายใน").await?;
        app.wait_for_text("[data-testid=purge]", &due_number).await?;
        app.click("[data-testid=purge] button.danger").await?;
        app.wait_for_text("[data-testid=purge]", "จำเป็นต้องกรอก").await?;
        app.fill("input[name=purge_reason]", "ครบกำหนดเก็บรักษา").await?;
        app.click("[data-testid=purge] button.danger").await?;
        // A purge cannot be undone: it asks first.
        app.click("[data-testid=purge-confirm-yes]").await?;
        app.wait_for_text("[data-testid=purge-log]", &format!("{due_number}: ครบกำหนดเก็บรักษา"))
            .await?;
        app.click("[data-testid=ropa-pdf]").await?;
        let ropa = app.wait_for_text("[data-testid=ropa-file]", ".pdf").await?;
        assert!(pdf_text(&ropa)?.contains("บันทึกรายการกิจกรรมการประมวลผล"));
        app.screenshot("pdpa").await?;

        // Backup to the "USB drive", with progress to 100 %.
        app.click("[data-testid=nav-backup]").await?;
        app.fill(
            "input[name=backup_dest]",
            &usb.path().join("missing").display().to_string(),
        )
        .await?;
        app.click("[data-testid=backup-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=backup-form]", "ไม่พบโฟลเดอร์นี้").await?;
        app.fill("input[name=backup_dest]", &usb.path().display().to_string())
            .await?;
        app.click("[data-testid=backup-form] button[type=submit]").await?;
        let done = app
            .wait_for_text("[data-testid=backup-done]", "oscc-backup-CPN-")
            .await?;
        let progress = app
            .client
            .execute(
                "return document.querySelector('[data-testid=backup-progress]').value",
                vec![],
            )
            .await?;
        assert_eq!(progress, serde_json::json!(100));
        app.screenshot("backup").await?;
        let folder = done.split_whitespace().last().unwrap_or_default().to_owned();
        Ok::<String, oscc_e2e::Error>(folder)
    }
    .await;
    let folder = match backup_folder {
        Ok(folder) => {
            app.finish(Ok(())).await?;
            folder
        }
        Err(e) => return app.finish(Err(e)).await,
    };

    // A new laptop: an empty data folder, the backup and the recovery code.
    let laptop = TempDir::new("operations-new-laptop")?;
    let app = App::launch("operations-restore", laptop.path()).await?;
    let outcome = async {
        app.fill("input[name=restore_folder]", &folder).await?;
        app.fill("input[name=restore_code]", "AAAA-BBBB").await?;
        app.click("[data-testid=restore-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=restore-form]", "รหัสกู้คืนไม่ถูกต้อง").await?;
        app.fill("input[name=restore_code]", &recovery).await?;
        app.click("[data-testid=restore-form] button[type=submit]").await?;
        // The recovery administrator gives the supervisor a new passphrase.
        app.select("select[name=reset_username]", "head").await?;
        app.fill("input[name=reset_passphrase]", NEW_HEAD_PASS).await?;
        app.click("[data-testid=reset-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=reset-done]", "ตั้งรหัสผ่านใหม่แล้ว").await?;
        app.screenshot("restored-users").await?;
        app.click("[data-testid=lock]").await?;
        app.sign_in("head", NEW_HEAD_PASS).await?;
        app.choose_own_passphrase(NEW_HEAD_PASS, "หัวหน้าเลือกเอง-passphrase-5")
            .await?;
        // Every case that was not purged is there.
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-count]", "2").await?;
        app.click("[data-testid=nav-statistics]").await?;
        app.wait_for_text("[data-testid=statistics-total]", "2").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
