//! `cargo xtask gen --cases N [--dir DIR]`: a deterministic synthetic case book of fictional
//! people, to try the app with at scale. Prints the sign-in it created (synthetic, not secret).

use casebook::synth;
use casebook::{Casebook, KdfParams, NewBook, Role};
use std::path::PathBuf;

const PASSPHRASE: &str = "synthetic-demo-passphrase";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let cases: u64 = value("--cases").ok_or("usage: gen --cases N [--dir DIR]")?.parse()?;
    let dir = PathBuf::from(value("--dir").unwrap_or_else(|| format!("target/synthetic-{cases}")));
    if Casebook::exists(&dir) {
        return Err(format!("{} already holds a case book", dir.display()).into());
    }
    let new = NewBook {
        unit_code: "SYN".into(),
        unit_name: "ศูนย์พึ่งได้ สมมุติ (ข้อมูลสังเคราะห์)".into(),
        admin_username: "admin".into(),
        admin_display_name: "ผู้ดูแลระบบ".into(),
        admin_passphrase: PASSPHRASE.into(),
        ..NewBook::default()
    };
    let (mut book, admin, _) = Casebook::create(&dir, &new, KdfParams::default())?;
    book.add_user(&admin, "worker", "นักสังคมสงเคราะห์ สมมุติ", Role::SocialWorker, PASSPHRASE)?;
    drop(book);
    let (mut book, worker) = Casebook::unlock(&dir, "worker", PASSPHRASE)?;
    synth::populate(&mut book, &worker, 2569, cases, 10, |done| {
        eprintln!("{done}/{cases} cases")
    })?;
    println!(
        "{}: sign in as `worker` or `admin` with passphrase `{PASSPHRASE}`",
        dir.display()
    );
    Ok(())
}
