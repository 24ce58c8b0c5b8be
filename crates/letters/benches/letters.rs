//! `cargo xtask bench`: time and size of the specimen referral letter, and of 100 letters
//! printed as one batch with progress (release build).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let typesetter = letters::Typesetter::laksaman()?;
    println!(
        "fonts and segmenter loaded in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let letter = letters::specimen_letter(true);
    let count = 100;
    let mut times = Vec::with_capacity(count);
    let mut size = 0;
    for _ in 0..count {
        let start = Instant::now();
        size = typesetter.official_letter(&letter).len();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "official letter: p50 {:.1} ms, p95 {:.1} ms, {} letters in {:.2} s, {:.1} KB each",
        times[count / 2],
        times[count * 95 / 100],
        count,
        times.iter().sum::<f64>() / 1000.0,
        size as f64 / 1024.0
    );

    // 100 letters to as many agencies, numbered in turn, as one PDF to print.
    let batch: Vec<letters::OfficialLetter> = (1..=100)
        .map(|n| {
            let mut letter = letters::specimen_letter(true);
            letter.number = format!("CPN/{n}");
            letter
        })
        .collect();
    let start = Instant::now();
    let pdf = typesetter.letter_batch("หนังสือส่งต่อ", &batch, |done| {
        if done % 25 == 0 {
            println!(
                "  batch progress: {done}/100 letters ({:.0} ms)",
                start.elapsed().as_secs_f64() * 1000.0
            );
        }
    });
    println!(
        "batch of 100 letters: {:.2} s, one PDF of {:.1} KB",
        start.elapsed().as_secs_f64(),
        pdf.len() as f64 / 1024.0
    );
    Ok(())
}
