//! Writes a sample page of shaped Thai (left, justified, centred, bold) to look at:
//! `cargo run -p letters --example thai_sample -- sample.pdf`, then `pdftoppm -png -r 100`.

use letters::{Align, Breaker, Font, Page, TextStyle, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "thai-sample.pdf".into());
    let (regular, bold) = (Font::laksaman()?, Font::laksaman_bold()?);
    let breaker = Breaker::default();
    let mut page = Page::new(&regular, &bold, &breaker);
    let size = 16.0 / 1.5; // "16 pt TH Sarabun New" in Laksaman's larger glyphs
    let normal = TextStyle::regular(size);
    let body = "ด้วยศูนย์พึ่งได้ได้รับแจ้งจากสายด่วน ๑๓๐๐ ว่าผู้เสียหายได้รับการช่วยเหลือจากทีมสหวิชาชีพ และส่งต่อไปยังบ้านพักเด็กและครอบครัวจังหวัดชุมพร เพื่อรับการคุ้มครองและฟื้นฟูสภาพจิตใจอย่างต่อเนื่อง ผู้ใหญ่บ้านและญาติพี่น้องให้ความร่วมมือ น้ำใจ ฎีกา ฐาน กล้ำ ปี่ ฝั่ง ฟ้า";
    let (left, width) = (85.0, 425.0);
    let mut y = 760.0;
    y = page.paragraph(
        "ตัวอย่างข้อความภาษาไทย (Thai sample)",
        TextStyle::bold(size),
        left,
        y,
        width,
        0.0,
        Align::Center,
    ) - 8.0;
    y = page.paragraph(body, normal, left, y, width, 71.0, Align::Left) - 8.0;
    page.paragraph(body, normal, left, y, width, 71.0, Align::Justify);
    std::fs::write(&out, render("Thai sample", &regular, &bold, vec![page]))?;
    println!("{out}");
    Ok(())
}
