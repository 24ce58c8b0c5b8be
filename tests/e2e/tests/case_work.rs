//! A social worker's day through the real window: first run, sign-in, intake with a
//! validation error that keeps what was typed, search by a Thai name fragment, revealing
//! identity with a reason (and its audit entry), a home visit with a photo, a referral letter,
//! the agency's reply slip logged in the register of letters received answering the referral,
//! lock, sign in again.

use oscc_e2e::{App, Result, TempDir, artifacts_dir};

/// The value of the first real option of a picker (the one after its blank choice).
async fn first_choice(app: &App, select: &str) -> Result<String> {
    let option = app.find(&format!("{select} option:nth-child(2)")).await?;
    Ok(option.attr("value").await?.unwrap_or_default())
}

const ADMIN_PASS: &str = "passphrase-ทดสอบ-2569";
/// Set by the administrator; the worker replaces it with her own at her first sign-in.
const WORKER_PASS: &str = "นักสังคม-passphrase-1";
const WORKER_OWN: &str = "ของมาลีเอง-passphrase-9";

/// Every file in `dir` and below.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_in(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn first_run_intake_search_reveal_visit_lock() -> Result<()> {
    let data = TempDir::new("casework")?;
    let app = App::launch("casework", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        // First run: the unit and its administrator.
        app.wait_for_text("h2", "ตั้งค่าครั้งแรก").await?;
        app.fill("input[name=unit_code]", "CPN").await?;
        app.fill("input[name=unit_name]", "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ").await?;
        app.select("select[name=org_type]", "hospital_oscc").await?;
        app.select("select[name=province]", "86").await?;
        app.fill(
            "input[name=unit_address]",
            "ถนนสมมุติ ตำบลท่าตะเภา อำเภอเมืองชุมพร จังหวัดชุมพร 86000",
        )
        .await?;
        app.fill("input[name=admin_username]", "somjai").await?;
        app.fill("input[name=admin_display_name]", "สมใจ ทดสอบ").await?;
        app.fill("input[name=passphrase]", ADMIN_PASS).await?;
        app.fill("input[name=passphrase_again]", ADMIN_PASS).await?;
        app.screenshot("1-first-run").await?;
        app.click("form[data-testid=setup-form] button[type=submit]").await?;
        let code = app.wait_for_text("[data-testid=recovery-code]", "-").await?;
        assert_eq!(code.len(), 32, "recovery code {code:?}");
        app.click("[data-testid=recovery-pdf]").await?;
        let sheet_path = app
            .wait_for_text("[data-testid=recovery-path]", "recovery-sheet.pdf")
            .await?;
        // Written outside the data folder, in a folder only this user may enter.
        let sheet_path = std::path::PathBuf::from(sheet_path);
        assert!(!sheet_path.starts_with(data.path()), "{sheet_path:?}");
        let exports_dir = sheet_path.parent().map(|p| p.to_owned()).unwrap_or_default();
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&exports_dir)?.permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{exports_dir:?}");
        }
        let sheet = std::process::Command::new("pdftotext")
            .arg(&sheet_path)
            .arg("-")
            .output()?;
        assert!(
            String::from_utf8_lossy(&sheet.stdout).contains(&code),
            "the PDF sheet carries the code"
        );
        app.screenshot("2-recovery-sheet").await?;
        app.click("[data-testid=recovery-done]").await?;

        // The administrator sees no case; they add the social worker who will.
        app.wait_for_text("h2", "ผู้ใช้งานในหน่วย").await?;
        app.fill("input[name=new_username]", "malee").await?;
        app.fill("input[name=new_display_name]", "มาลี นักสังคม").await?;
        app.select("select[name=new_role]", "social_worker").await?;
        app.fill("input[name=new_passphrase]", WORKER_PASS).await?;
        app.click("form[data-testid=user-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=users]", "malee").await?;
        // The emblem for letters: a file that is not a PNG is refused in Thai; a PNG is taken.
        let emblem_input = "[data-testid=emblem] input[name=emblem]";
        let not_png = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        app.find(emblem_input)
            .await?
            .send_keys(&not_png.display().to_string())
            .await?;
        app.wait_for_text("[data-testid=emblem]", "ต้องเป็นไฟล์ภาพ PNG").await?;
        let emblem = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/icons/128x128.png");
        app.find(emblem_input)
            .await?
            .send_keys(&emblem.canonicalize()?.display().to_string())
            .await?;
        app.wait_for_text("[data-testid=emblem]", "พิมพ์ตราสัญลักษณ์ที่เลือกไว้").await?;
        app.click("[data-testid=lock]").await?;
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        app.fill("input[name=username]", "malee").await?;
        app.fill("input[name=passphrase]", WORKER_PASS).await?;
        app.click("form[data-testid=signin-form] button[type=submit]").await?;
        // The administrator chose her passphrase: nothing opens until she chooses her own.
        app.wait_for_text("[data-testid=passphrase-forced]", "ผู้ดูแลระบบเป็นผู้ตั้ง")
            .await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("[data-testid=nav-cases]"))
                .await
                .is_err()
        );
        app.screenshot("2b-own-passphrase").await?;
        app.choose_own_passphrase(WORKER_PASS, WORKER_OWN).await?;
        // Today is the home screen; with no case yet, nothing is due.
        app.wait_for_text("[data-testid=today-empty]", "ไม่มีงานครบกำหนด").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=caselist-empty]", "ยังไม่มีรายกรณี").await?;

        // Intake with a wrong check digit: refused next to the field, nothing typed is lost.
        app.click("[data-testid=nav-intake]").await?;
        app.fill("input[name=name_th]", "นางสมศรีใจดี ทดลองระบบ").await?;
        app.select("select[name=id_kind]", "thai_citizen").await?;
        app.fill("input[name=id_number]", "1103702345670").await?;
        app.wait_for_text("[data-testid=id-feedback]", "หลักตรวจสอบ").await?;
        app.fill("input[name=birth_date]", "01/06/2535").await?;
        app.select("select[name=sex]", "female").await?;
        app.click("[data-testid=categories] input[value=violence_woman]")
            .await?;
        app.fill("input[name=party_name_0]", "นายผู้ถูกกล่าวหา สมมุติขึ้น").await?;
        app.select("select[name=party_role_0]", "alleged_perpetrator").await?;
        app.click("[data-testid=intake-submit]").await?;
        app.wait_for_text(".field-error", "หลักตรวจสอบ").await?;
        assert_eq!(app.value("input[name=name_th]").await?, "นางสมศรีใจดี ทดลองระบบ");
        assert_eq!(app.value("input[name=birth_date]").await?, "01/06/2535");
        app.screenshot("3-intake-error").await?;
        app.fill("input[name=id_number]", "1103702345679").await?;
        app.wait_for_text("[data-testid=id-feedback]", "ถูกต้อง").await?;
        app.click("[data-testid=intake-submit]").await?;
        let number = app.wait_for_text("[data-testid=case-number]", "CPN-").await?;
        assert!(number.starts_with("CPN-25"), "{number}");

        // Find it by a fragment of the Thai name (no spaces in Thai).
        app.click("[data-testid=nav-cases]").await?;
        app.fill("[data-testid=case-search]", "สมศรี").await?;
        app.wait_for_text("[data-testid=case-row]", &number).await?;
        app.wait_for_text("[data-testid=case-row]", "มาลี นักสังคม").await?;
        app.screenshot("4-case-list-search").await?;
        // The alleged perpetrator named at intake leads to the same case. A query nobody
        // matches comes first, so the row below is this search's, not the last one's.
        app.fill("[data-testid=case-search]", "ไม่มีใครชื่อนี้แน่นอน").await?;
        app.wait_for_text("[data-testid=caselist-empty]", "ไม่พบ").await?;
        app.fill("[data-testid=case-search]", "ผู้ถูกกล่าวหา").await?;
        app.wait_for_text("[data-testid=case-row]", &number).await?;
        app.click("[data-testid=case-row]").await?;
        app.wait_for_text("[data-testid=client-masked]", "น••• ท•••").await?;
        let masked = app
            .find("[data-testid=client-masked]")
            .await?
            .prop("textContent")
            .await?
            .unwrap_or_default();
        assert!(
            !masked.contains("สมศรี") && !masked.contains("1103702345679"),
            "{masked}"
        );

        // Reveal identity with a reason; the access history shows it.
        app.click("[data-testid=reveal]").await?;
        app.fill("[data-testid=reveal-form] input[name=reason]", "ยืนยันตัวตนกับพนักงานสอบสวน")
            .await?;
        app.click("[data-testid=reveal-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=client-identity]", "1103702345679")
            .await?;
        app.wait_for_text("[data-testid=revealed-marker]", "ข้อมูลระบุตัวตน")
            .await?;
        app.screenshot("5-case-page-revealed").await?;
        app.click("[data-testid=tab-documents]").await?;
        app.wait_for_text("[data-testid=case-audit]", "ยืนยันตัวตนกับพนักงานสอบสวน")
            .await?;

        // A home visit with a photo from disk.
        let photo = artifacts_dir().join("casework-1-first-run.png");
        app.click("[data-testid=tab-timeline]").await?;
        app.select("[data-testid=entry-form] select[name=kind]", "home_visit")
            .await?;
        app.fill("[data-testid=entry-form] textarea[name=body]", "เยี่ยมบ้าน ผู้รับบริการปลอดภัย")
            .await?;
        app.find("[data-testid=entry-form] input[name=photo]")
            .await?
            .send_keys(&photo.display().to_string())
            .await?;
        app.click("[data-testid=entry-submit]").await?;
        app.wait_for_text("[data-testid=timeline]", "เยี่ยมบ้าน ผู้รับบริการปลอดภัย")
            .await?;
        app.wait_for_text("[data-testid=photo-count]", "1").await?;
        // Leaving the page masks the identity again.
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.wait_for_text("[data-testid=client-masked]", "น••• ท•••").await?;
        app.screenshot("6-case-page").await?;

        // A partner agency, a referral to it, and its letter and form issued as PDFs.
        app.click("[data-testid=nav-agencies]").await?;
        app.fill("input[name=agency_name]", "บ้านพักเด็กและครอบครัวจังหวัดสมมุติ")
            .await?;
        app.select("select[name=agency_type]", "shelter").await?;
        app.fill("input[name=agency_address]", "ถนนสมมุติ อำเภอเมือง").await?;
        app.click("[data-testid=agency-save]").await?;
        app.wait_for_text("[data-testid=agencies]", "บ้านพักเด็กและครอบครัวจังหวัดสมมุติ")
            .await?;
        // Letters to a shelter go to its director by default; this one's head is named
        // otherwise, so the unit corrects whom letters go to.
        app.click("[data-testid=agency-edit]").await?;
        app.fill("input[name=agency_addressee]", "ผู้ปกครองบ้านพักเด็กและครอบครัวจังหวัดสมมุติ")
            .await?;
        app.click("[data-testid=agency-save]").await?;
        app.wait_for_text("[data-testid=agencies]", "ผู้รับหนังสือ (ตำแหน่ง): ผู้ปกครองบ้านพัก")
            .await?;
        app.screenshot("7b-agency-addressee").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-plan]").await?;
        app.select(
            "select[name=referral_agency]",
            &first_choice(&app, "select[name=referral_agency]").await?,
        )
        .await?;
        app.fill("input[name=referral_reason]", "คุ้มครองชั่วคราวและฟื้นฟูสภาพจิตใจ")
            .await?;
        app.select("select[name=referral_urgency]", "very_urgent").await?;
        app.click("form[data-testid=referral-form] button[type=submit]").await?;
        // No consent recorded yet: the referral goes on the basis the worker names.
        app.fill("input[name=basis_reason]", "เด็กถูกทำร้ายซ้ำ ต้องได้ที่พักปลอดภัยทันที")
            .await?;
        app.click("[data-testid=basis-go]").await?;
        app.click("[data-testid=issue-letter]").await?;
        // The body is edited (a paragraph added), and the preview shows the letter before it
        // takes a number.
        app.find("[data-testid=letter-form] textarea[name=letter_body]")
            .await?
            .send_keys("\n\nย่อหน้าที่แก้ไขในตัวอย่าง")
            .await?;
        app.click("[data-testid=letter-preview]").await?;
        let preview = app
            .wait_for_text("[data-testid=preview-path]", "preview-letter.pdf")
            .await?;
        let out = std::process::Command::new("pdftotext")
            .arg(preview.trim())
            .arg("-")
            .output()?;
        let preview_text = String::from_utf8_lossy(&out.stdout);
        assert!(
            preview_text.contains("ที่ CPN/……") && preview_text.contains("ย่อหน้าที่แก้ไขในตัวอย่าง"),
            "{preview_text}"
        );
        assert!(
            preview_text
                .lines()
                .any(|l| l.starts_with("เรียน") && l.contains("ผู้ปกครองบ้านพักเด็กและครอบครัวจังหวัดสมมุติ")),
            "the letter goes to whom the unit set: {preview_text}"
        );
        app.click("[data-testid=issue-confirm]").await?;
        let issued = app.wait_for_text("[data-testid=issued]", "letter.pdf").await?;
        app.wait_for_text("[data-testid=letter-number]", "CPN/1").await?;
        app.screenshot("8-referral-letter-issued").await?;
        let letter = exports_dir
            .read_dir()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with("-letter.pdf"));
        let letter = letter.ok_or_else(|| format!("no letter PDF; the page said {issued:?}"))?;
        std::fs::copy(&letter, artifacts_dir().join("casework-referral-letter.pdf"))?;
        let text = std::process::Command::new("pdftotext").arg(&letter).arg("-").output()?;
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("บ้านพักเด็กและครอบครัวจังหวัดสมมุติ") && text.contains("ด่วนมาก"),
            "{text}"
        );
        let images = std::process::Command::new("pdfimages")
            .arg("-list")
            .arg(&letter)
            .output()?;
        let images = String::from_utf8_lossy(&images.stdout);
        let emblem_drawn = images.lines().any(|l| {
            let columns: Vec<&str> = l.split_whitespace().collect();
            columns.get(2..5) == Some(&["image", "128", "128"][..])
        });
        assert!(emblem_drawn, "the letter should carry the 128×128 emblem:\n{images}");
        // The body template was filled with the unit and the referral's reason.
        assert!(text.contains("ด้วยศูนย์พึ่งได้") && text.contains("คุ้มครองชั่วคราว"), "{text}");
        assert!(
            text.contains("ย่อหน้าที่แก้ไขในตัวอย่าง"),
            "the edited paragraph is missing: {text}"
        );

        // The register lists the issued number with its addressee, on screen and on its page.
        app.click("[data-testid=nav-agencies]").await?;
        app.wait_for_text("[data-testid=register-entries]", "CPN/1").await?;
        app.wait_for_text("[data-testid=register-entry]", "บ้านพักเด็ก").await?;
        app.client
            .execute(
                "document.querySelector('[data-testid=register]').scrollIntoView();",
                vec![],
            )
            .await?;
        // A moment for the scrolled page to be painted before it is captured.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.screenshot("9-register").await?;
        app.click("[data-testid=register-pdf]").await?;
        let register = app.wait_for_text("[data-testid=register-path]", "register-").await?;
        let out = std::process::Command::new("pdftotext")
            .arg(register.trim())
            .arg("-")
            .output()?;
        // The unit chose Thai digits at its first run (the default): the page writes them.
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("CPN/๑"),
            "register page lacks CPN/๑"
        );

        // The shelter's reply slip comes back: logged in the register of letters received,
        // from the agency, answering the referral of this case (accepted, with what it says),
        // its scan attached.
        app.click("[data-testid=register-part-received]").await?;
        app.click("[data-testid=received-new]").await?;
        app.fill("[data-testid=received-form] input[name=their_number]", "บพ 0123/2569")
            .await?;
        let sender = "[data-testid=received-form] select[name=sender_agency_id]";
        app.select(sender, &first_choice(&app, sender).await?).await?;
        app.fill("[data-testid=received-form] input[name=subject]", "แบบตอบรับการส่งต่อ")
            .await?;
        app.fill("[data-testid=received-form] input[name=case_number]", &number)
            .await?;
        app.click("[data-testid=received-find-case]").await?;
        let answered = "[data-testid=received-form] select[name=referral_id]";
        app.select(answered, &first_choice(&app, answered).await?).await?;
        app.select("[data-testid=received-form] select[name=reply_status]", "accepted")
            .await?;
        app.fill(
            "[data-testid=received-form] input[name=reply]",
            "รับเด็กเข้าบ้านพักแล้ว นัดประเมินสัปดาห์หน้า",
        )
        .await?;
        app.find("[data-testid=received-form] input[name=scan]")
            .await?
            .send_keys(&photo.display().to_string())
            .await?;
        app.client
            .execute(
                "document.querySelector('[data-testid=received-form] fieldset').scrollIntoView();",
                vec![],
            )
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.screenshot("9b-letter-received-form").await?;
        app.click("[data-testid=received-save]").await?;
        app.wait_for_text("[data-testid=received-letter]", "แบบตอบรับการส่งต่อ")
            .await?;
        app.wait_for_text("[data-testid=received-number]", "1").await?;
        app.wait_for_text("[data-testid=received-answer]", "รับดำเนินการ").await?;
        app.click("[data-testid=received-scan]").await?;
        app.wait_for_image("[data-testid=received-scan-view] img").await?;
        app.screenshot("9c-letters-received").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-plan]").await?;
        // Wait for the page to finish loading (the referrals come last) before going on.
        app.wait_for_text("[data-testid=letter-number]", "CPN/1").await?;
        // The referral is answered by the slip logged in the register.
        app.wait_for_text("[data-testid=referrals]", "รับดำเนินการ").await?;
        app.wait_for_text("[data-testid=referrals]", "รับเด็กเข้าบ้านพักแล้ว").await?;
        app.client
            .execute(
                "document.querySelector('[data-testid=referrals]').scrollIntoView();",
                vec![],
            )
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.screenshot("9d-referral-answered").await?;
        app.click("[data-testid=tab-documents]").await?;

        // Case summaries: the masked one never names the client; the full one does.
        let pdf_text = |path: &str| -> Result<String> {
            let out = std::process::Command::new("pdftotext").arg(path).arg("-").output()?;
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        app.click("[data-testid=summary-masked]").await?;
        let masked = app.wait_for_text("[data-testid=summary-path]", "masked.pdf").await?;
        let masked_path = masked.rsplit(' ').next().unwrap_or_default().to_owned();
        std::fs::copy(&masked_path, artifacts_dir().join("casework-summary-masked.pdf"))?;
        // The unit chose Thai digits: numbers are on paper in them.
        let masked = pdf_text(&masked_path)?;
        assert!(
            masked.contains(&letters::thai_digits(&number))
                && !masked.contains("สมศรี")
                && !masked.contains("1103702345679")
                && !masked.contains(&letters::thai_digits("1103702345679")),
            "{masked}"
        );
        app.click("[data-testid=summary-full]").await?;
        let full = app.wait_for_text("[data-testid=summary-path]", "full.pdf").await?;
        let full = pdf_text(full.rsplit(' ').next().unwrap_or_default())?;
        assert!(full.contains("นางสมศรีใจดี") && full.contains("เยี่ยมบ้าน"), "{full}");

        // Lock, then sign in again.
        app.click("[data-testid=lock]").await?;
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        app.fill("input[name=username]", "malee").await?;
        app.fill("input[name=passphrase]", "wrong-passphrase").await?;
        app.click("form[data-testid=signin-form] button[type=submit]").await?;
        app.wait_for_text("[role=alert]", "ไม่ถูกต้อง").await?;
        app.fill("input[name=passphrase]", WORKER_OWN).await?;
        app.click("form[data-testid=signin-form] button[type=submit]").await?;
        app.wait_for_text("h2", "งานวันนี้").await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-row]", &number).await?;
        app.screenshot("7-signed-in-again").await?;

        // The quick exit: one key blanks the window to a clock and locks the book.
        app.press_key('\u{E03C}').await?;
        app.find("[data-testid=neutral]").await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("[data-testid=case-row]"))
                .await
                .is_err()
        );
        let page = app.client.source().await?;
        assert!(
            !page.contains(&number) && !page.contains("สมศรี"),
            "nothing of the case is left on the page"
        );
        app.screenshot("8-quick-exit").await?;
        app.click("[data-testid=neutral]").await?;
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;

        // Locked: the documents written for the viewer are gone (their folder stays, private,
        // for the run), and nothing in the data
        // folder holds the recovery code or a document in clear.
        let left: Vec<_> = std::fs::read_dir(&exports_dir)?.flatten().map(|e| e.path()).collect();
        assert!(left.is_empty(), "documents left after the lock: {left:?}");
        for file in files_in(data.path()) {
            let bytes = std::fs::read(&file)?;
            assert!(
                !bytes.windows(code.len()).any(|w| w == code.as_bytes()),
                "{file:?} holds the recovery code"
            );
            assert!(!bytes.starts_with(b"%PDF"), "{file:?} is a document in clear");
        }
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
