//! Sync in the real app with the real hub: two laptops of one unit (the app on laptop A; laptop
//! B is a case book the test drives) changed the same partner agency's name offline. When the
//! app starts it syncs in the background; the Sync screen shows the conflict with both values;
//! the social worker picks one; the choice reaches laptop B.
//!
//! Both books and A's enrollment are made with the crates beforehand (the enrollment form's
//! wrong-code message is checked on a third, unenrolled book).

use casebook::partners::{Agency, AgencyType};
use casebook::{Casebook, Session};
use oscc_e2e::{App, Result, TempDir, hub_binary};
use oscc_sync::{Client, sync_once};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

const PASS: &str = "ผู้ทดสอบ-passphrase-5";

struct Hub(Child, String);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_hub(database: &Path) -> Result<Hub> {
    let mut child = Command::new(hub_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(database)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("oscc-hub ({e}): run `cargo xtask test`"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no hub stdout")?).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or("hub did not start")?
        .to_owned();
    Ok(Hub(child, format!("http://{addr}")))
}

fn enroll_code(database: &Path) -> Result<String> {
    let out = Command::new(hub_binary())
        .args(["enroll-code", "--unit", "CPN", "--database"])
        .arg(database)
        .output()?;
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

fn rename(book: &mut Casebook, worker: &Session, id: &str, name: &str) -> Result<()> {
    let mut agency = book.agencies(worker)?[0].record.clone();
    agency.name = name.into();
    book.update_agency(worker, id, &agency)?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_conflict_from_two_laptops_is_shown_resolved_in_the_app_and_reaches_the_other() -> Result<()> {
    let data = TempDir::new("sync")?;
    let hub = start_hub(&data.path().join("hub.db"))?;
    let schema = casebook::store::schema_version();
    let (a_dir, b_dir) = (data.path().join("laptop-a"), data.path().join("laptop-b"));
    std::fs::create_dir_all(&a_dir)?;
    std::fs::create_dir_all(&b_dir)?;

    // Laptop A: enrolled, records an agency, syncs. Laptop B: enrolled, receives it.
    let (mut a, a_admin, a_worker) = casebook::synth::unit_laptop(&a_dir, "a", PASS)?;
    let token = Client::new(&hub.1, None)
        .enroll(&enroll_code(&data.path().join("hub.db"))?, a.device_id(), "a")
        .await?
        .token;
    a.set_hub(&a_admin, &hub.1, &token)?;
    let agency = a.add_agency(&a_worker, &Agency::new("บ้านพักเด็ก", AgencyType::Shelter))?;
    let a = Mutex::new(a);
    sync_once(&a, &Client::new(&hub.1, Some(token.clone())), schema).await?;
    let (b, _, b_worker) = casebook::synth::unit_laptop(&b_dir, "b", PASS)?;
    let b_client = Client::new(
        &hub.1,
        Some(
            Client::new(&hub.1, None)
                .enroll(&enroll_code(&data.path().join("hub.db"))?, b.device_id(), "b")
                .await?
                .token,
        ),
    );
    let b = Mutex::new(b);
    sync_once(&b, &b_client, schema).await?;

    // Offline, both rename it; B syncs, A does not (its app is closed).
    rename(
        &mut *a.lock().map_err(|_| "lock")?,
        &a_worker,
        &agency,
        "บ้านพักเด็ก (ชื่อจากเครื่อง A)",
    )?;
    rename(
        &mut *b.lock().map_err(|_| "lock")?,
        &b_worker,
        &agency,
        "บ้านพักเด็ก (ชื่อจากเครื่อง B)",
    )?;
    sync_once(&b, &b_client, schema).await?;
    drop(a);

    // The app opens laptop A: the background sync runs at once and finds the conflict.
    let app = App::launch("sync", &a_dir).await?;
    let outcome = async {
        app.sign_in("workera", PASS).await?;
        app.click("[data-testid=nav-sync]").await?;
        app.wait_for_text("[data-testid=sync-conflicts]", "1").await?;
        let shown = app.wait_for_text("[data-testid=conflicts]", "ชื่อจากเครื่อง").await?;
        assert!(
            shown.contains("ชื่อจากเครื่อง A") && shown.contains("ชื่อจากเครื่อง B"),
            "both values should be offered: {shown}"
        );
        app.wait_for_text("[data-testid=sync-pending]", "0").await?;
        app.screenshot("conflict").await?;
        // The social worker keeps A's name, whichever one is shown.
        let take_other = app.find("[data-testid=take-other]").await?.text().await?;
        if take_other.contains("เครื่อง A") {
            app.click("[data-testid=take-other]").await?;
        } else {
            app.click("[data-testid=keep-shown]").await?;
        }
        app.wait_for_text("[data-testid=sync-conflicts]", "0").await?;
        app.click("[data-testid=sync-now]").await?;
        app.wait_for_text("[data-testid=sync-pending]", "0").await?;
        app.screenshot("resolved").await?;

        // Laptop B receives the choice: A's name, and no open conflict.
        let mut settled = false;
        for _ in 0..50 {
            sync_once(&b, &b_client, schema).await?;
            let book = b.lock().map_err(|_| "lock")?;
            let name = book.agencies(&b_worker)?[0].record.name.clone();
            if name.contains("เครื่อง A") && book.conflicts(&b_worker)?.is_empty() {
                settled = true;
                break;
            }
            drop(book);
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(settled, "laptop B never received the choice");
        Ok(())
    }
    .await;
    drop(hub);
    app.finish(outcome).await
}
