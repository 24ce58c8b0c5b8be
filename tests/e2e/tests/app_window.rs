//! The app opens a Thai-first window on an empty case list, with its data where it was told.

use oscc_e2e::{App, Result, TempDir};

#[tokio::test]
async fn opens_thai_window_with_empty_case_list() -> Result<()> {
    let data = TempDir::new("window")?;
    let app = App::launch("app-window", data.path()).await?;
    let outcome = async {
        let heading = app.wait_for_text("h1", "สมุดรายกรณี").await?;
        assert_eq!(heading, "สมุดรายกรณี OSCC");
        app.wait_for_text("[data-testid=caselist-empty]", "ยังไม่มีรายกรณี")
            .await?;
        // The footer reports the data folder the app was started with.
        let shown = app
            .wait_for_text("[data-testid=data-dir]", "oscc-e2e-window")
            .await?;
        assert_eq!(shown, data.path().display().to_string());
        app.screenshot("case-list").await?;
        // English is one click away, and the heading follows.
        app.client
            .find(fantoccini::Locator::Css("[data-testid=lang-switch]"))
            .await?
            .click()
            .await?;
        app.wait_for_text("h1", "OSCC Casebook").await?;
        app.wait_for_text("[data-testid=caselist-empty]", "no cases yet")
            .await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
