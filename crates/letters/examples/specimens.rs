//! Writes the specimen documents (fictional names) to a folder, to look at them:
//! `cargo run -p letters --example specimens -- out/` then `pdftoppm -png -r 80 out/letter.pdf page`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let typesetter = letters::Typesetter::laksaman()?;
    std::fs::write(
        dir.join("letter.pdf"),
        typesetter.official_letter(&letters::specimen_letter(true)),
    )?;
    std::fs::write(
        dir.join("referral-form.pdf"),
        typesetter.referral_form(&letters::specimen_form(true)),
    )?;
    println!("{}", dir.display());
    Ok(())
}
