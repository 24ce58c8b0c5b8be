//! Start-up figures on a large synthetic book (not a pass/fail test; run by hand or from
//! `cargo xtask bench` when a book is given):
//!   OSCC_STARTUP_BOOK=target/bench/encrypted-100000 OSCC_STARTUP_USER=bench \
//!   OSCC_STARTUP_PASS=… cargo test -p oscc-e2e --test startup -- --ignored --nocapture

use oscc_e2e::{App, Result};
use std::time::Instant;

/// Resident memory of the app and its WebKit processes, in MiB.
fn rss_mib() -> f64 {
    let mut kib = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let name = status.lines().next().unwrap_or_default();
        if name.contains("oscc-casebook") || name.contains("WebKit") {
            kib += status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    kib as f64 / 1024.0
}

#[tokio::test]
#[ignore = "needs a generated book: see the module comment"]
async fn start_to_usable_list_on_a_large_book() -> Result<()> {
    let book = std::env::var("OSCC_STARTUP_BOOK")?;
    let user = std::env::var("OSCC_STARTUP_USER")?;
    let pass = std::env::var("OSCC_STARTUP_PASS")?;
    let started = Instant::now();
    let app = App::launch("startup", std::path::Path::new(&book)).await?;
    let outcome = async {
        app.wait_for_text("h2", "เข้าสู่ระบบ").await?;
        let to_sign_in = started.elapsed();
        app.fill("input[name=username]", &user).await?;
        app.fill("input[name=passphrase]", &pass).await?;
        let clicked = Instant::now();
        app.click("form[data-testid=signin-form] button[type=submit]").await?;
        app.wait_for_text("h2", "งานวันนี้").await?;
        app.find("[data-testid=today-empty], [data-testid=today-follow-ups], [data-testid=today-clocks], [data-testid=today-referrals], [data-testid=today-actions], [data-testid=today-quiet]").await?;
        let to_today = clicked.elapsed();
        app.click("[data-testid=nav-cases]").await?;
        app.wait_for_text("[data-testid=case-row]", "-").await?;
        let to_list = clicked.elapsed();
        let count = app.wait_for_text("[data-testid=case-count]", "").await?;
        println!("launch to sign-in screen: {:.2} s", to_sign_in.as_secs_f64());
        println!("sign-in to Today, the home screen: {:.2} s", to_today.as_secs_f64());
        println!("sign-in to usable list ({count}): {:.2} s", to_list.as_secs_f64());
        println!("RSS of app + WebKit processes: {:.0} MiB", rss_mib());
        app.screenshot("large-book-list").await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
