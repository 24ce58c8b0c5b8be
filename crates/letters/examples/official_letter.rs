//! Writes the specimen referral letter: `cargo run -p letters --example official_letter -- out.pdf`
//! (then `pdftoppm -png -r 80 out.pdf page` to look at it).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "official-letter.pdf".into());
    let pdf = letters::Typesetter::laksaman()?.official_letter(&letters::specimen_letter(true));
    std::fs::write(&out, pdf)?;
    println!("{out}");
    Ok(())
}
