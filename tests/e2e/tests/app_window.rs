//! The app opens a Thai-first window, on the first-run screen for a new data folder, with its
//! data where it was told.

use oscc_e2e::{App, Result, TempDir};

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
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
