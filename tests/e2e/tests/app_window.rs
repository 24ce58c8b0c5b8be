//! The app opens a Thai-first window, on the first-run screen for a new data folder, with its
//! data where it was told; opened again on that folder, it brings the open window forward.

use oscc_e2e::{App, Result, TempDir};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn opens_thai_window_on_first_run() -> Result<()> {
    let data = TempDir::new("window")?;
    let app = App::launch("app-window", data.path()).await?;
    let outcome = async {
        let heading = app.wait_for_text("h1", "สมุดรายกรณี").await?;
        assert_eq!(heading, "สมุดรายกรณี OSCC");
        app.wait_for_text("h2", "ตั้งค่าครั้งแรก").await?;
        // The footer reports the data folder the app was started with.
        let shown = app.wait_for_text("[data-testid=data-dir]", "oscc-e2e-window").await?;
        assert_eq!(shown, data.path().display().to_string());
        // English is one click away, and the screen follows.
        app.click("[data-testid=lang-switch]").await?;
        app.wait_for_text("h1", "OSCC Casebook").await?;
        app.wait_for_text("h2", "First-time set-up").await?;

        // A second launch on the same folder (a double-click while the window sits behind
        // others) opens no second copy: it hands over to the open window and leaves at once,
        // and the open window comes forward.
        app.client.minimize_window().await?;
        assert_eq!(on_screen(&app).await?, "hidden false", "minimized to the taskbar");
        let started = Instant::now();
        let mut second = Command::new(oscc_e2e::app_binary())
            .arg("--data-dir")
            .arg(data.path())
            .stderr(Stdio::piped())
            .spawn()?;
        let status = loop {
            if let Some(status) = second.try_wait()? {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                second.kill()?;
                return Err("the second launch did not leave".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let mut said = String::new();
        second.stderr.take().ok_or("stderr")?.read_to_string(&mut said)?;
        assert!(status.success(), "{status}: {said}");
        assert!(said.contains("already open"), "{said}");
        let rang = Instant::now();
        while on_screen(&app).await? != "visible true" {
            if rang.elapsed() > oscc_e2e::UI_TIMEOUT {
                return Err(format!("the open window stayed {}", on_screen(&app).await?).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        app.wait_for_text("h2", "First-time set-up").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}

/// Whether the page is on screen and has the focus, as the web view sees it.
async fn on_screen(app: &App) -> Result<String> {
    let probe = "return [document.visibilityState, document.hasFocus()].join(' ')";
    Ok(app
        .client
        .execute(probe, vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}
