//! Writes the specimen documents (fictional names) to a folder, to look at them:
//! `cargo run -p letters --example specimens -- out/ [emblem.png]` then
//! `pdftoppm -png -r 80 out/letter.pdf page`. `letter-long.pdf` runs onto a second page.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let typesetter = letters::Typesetter::laksaman()?;
    std::fs::write(
        dir.join("letter.pdf"),
        typesetter.official_letter(&letters::specimen_letter(true)),
    )?;
    let mut long = letters::specimen_letter(true);
    if let Some(emblem) = std::env::args().nth(2) {
        long.emblem = Some(letters::Image::from_png("Emblem", &std::fs::read(emblem)?)?);
    }
    long.body = long.body.iter().cycle().take(long.body.len() * 4).cloned().collect();
    std::fs::write(dir.join("letter-long.pdf"), typesetter.official_letter(&long))?;
    std::fs::write(
        dir.join("referral-form.pdf"),
        typesetter.referral_form(&letters::specimen_form(true)),
    )?;
    println!("{}", dir.display());
    Ok(())
}
