//! A laptop that protects what it holds, through the real window: the screen saver coming on
//! (what Linux says when the lid closes or the screen locks) locks the book and clears the
//! page at once, and so does waking from a sleep; a lost key file leads to the recovery screen with the database untouched,
//! never to a first run; the administrator changes the book's key, after which the old key
//! file opens nothing.

mod common;

use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::{Casebook, Role};
use oscc_e2e::{App, Result, TempDir};

const PASS: &str = "มาลี-passphrase-ของเธอ";

#[tokio::test]
async fn locks_with_the_screen_and_recovers_a_lost_key_file() -> Result<()> {
    let data = TempDir::new("protection")?;
    let (recovery, number) = {
        let (mut book, worker, recovery) =
            common::unit_book(data.path(), "malee", "มาลี ทดสอบ", Role::SocialWorker, PASS)?;
        let client = PersonInput {
            name_th: Some("นางสาวปกป้อง ข้อมูลดี".into()),
            id_kind: Some(IdKind::None),
            sex: Some(Sex::Female),
            estimated_age: Some(16),
            ..PersonInput::default()
        };
        let (person, _) = book.create_person(&worker, &client)?;
        let number = book
            .create_case(&worker, &casebook::synth::walk_in_case(&person))?
            .case_number;
        (recovery, number)
    };

    // The idle check every 2 s, so that a sleep shows as a gap of seconds (over 8).
    let app = App::launch_with("protection", data.path(), &[("OSCC_IDLE_CHECK_SECS", "2")]).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.sign_in("malee", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-rows]", &number).await?;
        // The screen saver comes on: the book locks and the page drops the case at once, long
        // before the idle lock (10 minutes) or the page's next look (15 s).
        let sent = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--type=signal",
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver.ActiveChanged",
                "boolean:true",
            ])
            .status()?;
        assert!(sent.success(), "dbus-send");
        let started = std::time::Instant::now();
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        assert!(started.elapsed().as_secs() < 10, "locked by the signal, not by a poll");
        let page = app.client.source().await?;
        assert!(
            !page.contains(&number) && !page.contains("ปกป้อง"),
            "the case left the page"
        );
        app.screenshot("1-locked-by-the-screen-saver").await?;
        // Signed in again, the work is where it was.
        app.sign_in("malee", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-rows]", &number).await?;

        // The laptop sleeps (the app's process stopped for 12 s, as a suspend stops it): it
        // wakes up locked, the case gone from the page.
        let data_dir = data.path().display().to_string();
        let found = std::process::Command::new("pgrep")
            .args(["-f", &format!("oscc-casebook --data-dir {data_dir}")])
            .output()?;
        let pid = String::from_utf8_lossy(&found.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(!pid.is_empty(), "the app's process");
        assert!(
            std::process::Command::new("kill")
                .args(["-STOP", &pid])
                .status()?
                .success()
        );
        tokio::time::sleep(std::time::Duration::from_secs(12)).await;
        assert!(
            std::process::Command::new("kill")
                .args(["-CONT", &pid])
                .status()?
                .success()
        );
        let woke = std::time::Instant::now();
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        assert!(woke.elapsed().as_secs() < 6, "locked as it woke");
        assert!(!app.client.source().await?.contains(&number));
        app.sign_in("malee", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-rows]", &number).await?;
        // Her look at the case is in its access history, by her name.
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-documents]").await?;
        app.wait_for_text("[data-testid=case-audit]", "มาลี ทดสอบ · เปิดดูรายกรณี")
            .await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await?;

    // The key file is lost (deleted by a clean-up tool, a bad copy): the app offers recovery,
    // not a new book, and the database is left as it was.
    std::fs::remove_file(data.path().join("casebook.keys"))?;
    let database = std::fs::read(data.path().join("casebook.db"))?;
    let app = App::launch("protection-recovery", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.wait_for_text("[data-testid=recover-form] h2", "ไฟล์กุญแจ").await?;
        assert!(
            app.client
                .find(fantoccini::Locator::Css("[data-testid=setup-form]"))
                .await
                .is_err()
        );
        assert!(std::fs::read(data.path().join("casebook.db"))? == database, "untouched");
        app.wait_for_text("[data-testid=recover-form]", "ไม่มีสิ่งใดถูกลบ").await?;
        app.screenshot("2-key-file-lost").await?;
        app.fill("input[name=recover_code]", "AAAA-BBBB-CCCC").await?;
        app.click("[data-testid=recover-form] button[type=submit]").await?;
        app.wait_for_text("[data-testid=recover-form]", "รหัสกู้คืนไม่ถูกต้อง").await?;
        app.fill("input[name=recover_code]", &recovery).await?;
        app.click("[data-testid=recover-form] button[type=submit]").await?;
        // The recovery administrator: the users, and the book's key to change.
        app.wait_for_text("[data-testid=users]", "malee").await?;
        std::fs::copy(data.path().join("casebook.keys"), data.path().join("old.keys"))?;
        app.click("[data-testid=rekey-run]").await?;
        app.wait_for_text("[data-testid=rekey-done]", "เปลี่ยนกุญแจแล้ว").await?;
        app.screenshot("3-key-changed").await?;
        // The audit: her look at the case, the recovery and the key change, each by whom;
        // Verify walks the chain.
        app.click("[data-testid=nav-audit]").await?;
        app.wait_for_text("[data-testid=audit-rows]", "เปลี่ยนกุญแจสมุดบันทึก")
            .await?;
        app.wait_for_text("[data-testid=audit-rows]", "เปิดด้วยรหัสกู้คืน").await?;
        app.select("select[name=audit_action]", "case.view").await?;
        app.click("[data-testid=audit-filter] button[type=submit]").await?;
        app.wait_for_text("[data-testid=audit-row]", "มาลี ทดสอบ").await?;
        app.click("[data-testid=audit-verify]").await?;
        app.wait_for_text("[data-testid=audit-check]", "ไม่พบการแก้ไขหรือตัดทอน")
            .await?;
        app.screenshot("4-audit").await?;
        app.click("[data-testid=lock]").await?;
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await?;

    // Under the new key, the old key file opens nothing, even with the right recovery code.
    let current = std::fs::read(data.path().join("casebook.keys"))?;
    std::fs::copy(data.path().join("old.keys"), data.path().join("casebook.keys"))?;
    assert!(Casebook::unlock_with_recovery(data.path(), &recovery).is_err());
    std::fs::write(data.path().join("casebook.keys"), current)?;
    Casebook::unlock_with_recovery(data.path(), &recovery)?;
    Ok(())
}
