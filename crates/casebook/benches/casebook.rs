//! `cargo xtask bench`: figures on a synthetic case book (default 100,000 cases, 150,000
//! people, 1,000,000 timeline entries; `OSCC_BENCH_CASES` to change), encrypted and plain.
//! Books are generated once into target/bench/ and reused. Prints p50/p95 per operation.

use casebook::records::case_list::CaseFilter;
use casebook::records::timeline::EntryKind;
use casebook::synth::{self, Rng};
use casebook::{Casebook, KdfParams, NewBook, Session};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASS: &str = "synthetic-bench-passphrase";
const NOTES_PER_CASE: u64 = 10;
const SAMPLES: usize = 500;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: u64 = std::env::var("OSCC_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    println!(
        "synthetic book: {cases} cases, {} people, {} timeline entries",
        cases * 3 / 2,
        cases * NOTES_PER_CASE
    );

    let (mut enc, enc_session) = encrypted_book(&root.join(format!("encrypted-{cases}")), cases)?;
    let (mut plain, plain_session) = plain_book(&root.join(format!("plain-{cases}")), cases)?;
    // A first pass warms both books' caches; the second pass is the one reported. Between
    // them each book gets the housekeeping the app does while the user is idle.
    workload(&mut enc, &enc_session, cases)?;
    workload(&mut plain, &plain_session, cases + 1)?;
    enc.maintain()?;
    plain.maintain()?;
    let enc_figures = workload(&mut enc, &enc_session, cases + 2)?;
    let plain_figures = workload(&mut plain, &plain_session, cases + 3)?;

    println!(
        "\n{:<36} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}",
        "operation", "p50 enc", "p95 enc", "p50 plain", "p95 plain", "p50 ratio", "p95 ratio"
    );
    let ratio = |a: &Duration, b: &Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    for ((name, enc_p50, enc_p95, _), (_, plain_p50, plain_p95, _)) in enc_figures.iter().zip(&plain_figures) {
        println!(
            "{name:<36} {:>10} {:>10} {:>10} {:>10} {:>8.2}x {:>8.2}x",
            ms(*enc_p50),
            ms(*enc_p95),
            ms(*plain_p50),
            ms(*plain_p95),
            ratio(enc_p50, plain_p50),
            ratio(enc_p95, plain_p95)
        );
    }
    // The whole workload, each operation as often as above: what a user's session of
    // searching, opening and writing costs in all.
    let total = |figures: &Figures| figures.iter().map(|f| f.3).sum::<Duration>();
    println!(
        "{:<36} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8.2}x",
        "whole workload, total time",
        "",
        ms(total(&enc_figures)),
        "",
        ms(total(&plain_figures)),
        "",
        ratio(&total(&enc_figures), &total(&plain_figures))
    );
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// The encrypted synthetic book, generated once. Its recovery code is kept beside it (the data
/// is synthetic), so a later run under another keyring (`cargo xtask bench` uses a throw-away
/// one) opens it the way a new laptop would, instead of generating it again.
fn encrypted_book(dir: &Path, cases: u64) -> Result<(Casebook, Session), Box<dyn std::error::Error>> {
    let code_file = dir.with_extension("recovery");
    if Casebook::exists(dir) {
        match Casebook::unlock(dir, "bench", PASS) {
            Ok(opened) => return Ok(opened),
            Err(casebook::Error::DeviceSecretMissing) if code_file.exists() => {
                let code = std::fs::read_to_string(&code_file)?;
                let (mut book, admin) = Casebook::unlock_with_recovery(dir, &code)?;
                book.set_kdf(KdfParams::fast());
                book.reset_passphrase(&admin, "bench", PASS)?;
                drop(book);
                return Ok(Casebook::unlock(dir, "bench", PASS)?);
            }
            Err(casebook::Error::DeviceSecretMissing) => {
                eprintln!("  cached book has no recovery code: making it anew")
            }
            Err(e) => return Err(e.into()),
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    let new = NewBook {
        unit_code: "BEN".into(),
        unit_name: "หน่วยทดสอบสมรรถนะ".into(),
        admin_username: "admin".into(),
        admin_display_name: "ผู้ดูแล".into(),
        admin_passphrase: PASS.into(),
        ..NewBook::default()
    };
    let (mut book, admin, recovery) = Casebook::create(dir, &new, KdfParams::fast())?;
    std::fs::write(&code_file, recovery.display())?;
    book.set_kdf(KdfParams::fast());
    book.add_user(
        &admin,
        "bench",
        "นักสังคมสงเคราะห์ทดสอบ",
        casebook::Role::SocialWorker,
        PASS,
    )?;
    drop(book);
    let (mut book, session) = Casebook::unlock(dir, "bench", PASS)?;
    generate(&mut book, &session, cases, "encrypted")?;
    Ok((book, session))
}

fn plain_book(dir: &Path, cases: u64) -> Result<(Casebook, Session), Box<dyn std::error::Error>> {
    let fresh = !dir.join(casebook::store::DB_FILE).exists();
    let (mut book, session) = Casebook::create_unencrypted_for_benchmark(dir)?;
    if fresh {
        generate(&mut book, &session, cases, "plain")?;
    }
    Ok((book, session))
}

fn generate(book: &mut Casebook, session: &Session, cases: u64, label: &str) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    synth::populate(book, session, 2569, cases, NOTES_PER_CASE, |done| {
        if done % 10_000 == 0 || done == cases {
            eprintln!(
                "  generating {label}: {done}/{cases} cases ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    })?;
    println!("generated {label} book in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// p50, p95 and the sum of all samples.
fn timed(
    mut op: impl FnMut(usize) -> Result<(), casebook::Error>,
) -> Result<(Duration, Duration, Duration), casebook::Error> {
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let start = Instant::now();
        op(i)?;
        samples.push(start.elapsed());
    }
    let total = samples.iter().sum();
    Ok((percentile(samples.clone(), 0.5), percentile(samples, 0.95), total))
}

type Figures = Vec<(&'static str, Duration, Duration, Duration)>;

fn workload(book: &mut Casebook, session: &Session, pass: u64) -> Result<Figures, casebook::Error> {
    let mut rng = Rng::new(42);
    let ids: Vec<String> = book
        .list_cases(
            session,
            &CaseFilter {
                limit: Some(10_000),
                ..CaseFilter::default()
            },
        )?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let queries: Vec<String> = (0..SAMPLES)
        .map(|i| {
            synth::person(&mut rng, i as u64)
                .name_th
                .unwrap_or_default()
                .chars()
                .skip(4)
                .take(4)
                .collect()
        })
        .collect();
    let mut figures = Figures::new();

    let (p50, p95, total) = timed(|i| book.search_cases(session, &queries[i], 50).map(|_| ()))?;
    figures.push(("search (Thai name fragment)", p50, p95, total));
    let (p50, p95, total) = timed(|i| book.open_case(session, &ids[(i * 7919) % ids.len()]).map(|_| ()))?;
    figures.push(("open case (incl. view audit)", p50, p95, total));
    let (p50, p95, total) = timed(|_| {
        book.list_cases(
            session,
            &CaseFilter {
                limit: Some(200),
                ..CaseFilter::default()
            },
        )
        .map(|_| ())
    })?;
    figures.push(("case list, first 200 rows", p50, p95, total));
    // `pass` keeps the people this pass creates apart from earlier passes'.
    let mut rng = Rng::new(pass);
    let (p50, p95, total) = timed(|i| {
        let (pid, _) = book.create_person(session, &synth::person(&mut rng, pass * 4 + i as u64))?;
        book.create_case(session, &synth::walk_in_case(&pid)).map(|_| ())
    })?;
    figures.push(("create person + case (audit+event)", p50, p95, total));
    let (p50, p95, total) = timed(|i| {
        book.add_timeline_entry(
            session,
            &ids[i % ids.len()],
            EntryKind::Note,
            "บันทึกทดสอบสมรรถนะ",
            "2026-02-01T09:00:00Z",
        )
        .map(|_| ())
    })?;
    figures.push(("add timeline entry", p50, p95, total));
    Ok(figures)
}
