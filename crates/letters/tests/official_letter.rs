//! The referral letter as the partner agency receives it: every part in its place, the
//! regulation's margins and indent within 0.5 mm, Thai digits when the unit wants them.

mod common;

use letters::{LEFT_MARGIN, PAGE_WIDTH, PARAGRAPH_INDENT, RIGHT_MARGIN, Typesetter, specimen_letter as sample};

const HALF_MM: f32 = 72.0 / 25.4 / 2.0;

#[test]
fn every_part_of_the_letter_reads_back() {
    let pdf = Typesetter::laksaman().unwrap().official_letter(&sample(true));
    let text = common::pdftotext(&pdf);
    for part in [
        "ด่วนมาก",
        "ที่ CPN/๑๒",
        "จังหวัดชุมพร ๘๖๐๐๐",
        "๓ ธันวาคม ๒๕๖๙",
        "เรื่อง  ขอส่งต่อผู้รับบริการ",
        "เรียน  ผู้อำนวยการบ้านพักเด็กและครอบครัวจังหวัดชุมพร",
        "สิ่งที่ส่งมาด้วย  แบบส่งต่อผู้รับบริการ จำนวน ๑ ชุด",
        "ขอแสดงความนับถือ",
        "(นางสาวสมมุติ ตัวอย่าง)",
        "โทร. ๐ ๗๗๕๐ ๐๐๐๐",
        "ไปรษณีย์อิเล็กทรอนิกส์ oscc@example.org",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    assert!(!text.contains("2569"), "Arabic digits left in a Thai-digit letter");
    let arabic = common::pdftotext(&Typesetter::laksaman().unwrap().official_letter(&sample(false)));
    assert!(arabic.contains("3 ธันวาคม 2569") && arabic.contains("ที่ CPN/12"));
}

#[test]
fn margins_and_paragraph_indent_follow_the_regulation() {
    let pdf = Typesetter::laksaman().unwrap().official_letter(&sample(true));
    let lines = common::lines(&pdf);
    let right_edge = PAGE_WIDTH - RIGHT_MARGIN;
    for line in &lines {
        assert!(line.x_min >= LEFT_MARGIN - HALF_MM, "left of the margin: {line:?}");
        assert!(line.x_max <= right_edge + HALF_MM, "right of the margin: {line:?}");
    }
    let at = |start: &str| {
        lines
            .iter()
            .position(|l| l.text.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}"))
    };
    // ที่, เรื่อง, เรียน start at the 3 cm margin.
    for start in ["ที่", "เรื่อง", "เรียน"] {
        assert!(
            (lines[at(start)].x_min - LEFT_MARGIN).abs() <= HALF_MM,
            "{start}: {:?}",
            lines[at(start)]
        );
    }
    // A body paragraph starts 2.5 cm in; its following (justified) line fills to the right margin.
    let first = at("ด้วยศูนย์พึ่งได้");
    assert!(
        (lines[first].x_min - (LEFT_MARGIN + PARAGRAPH_INDENT)).abs() <= HALF_MM,
        "{:?}",
        lines[first]
    );
    assert!(
        (lines[first].x_max - right_edge).abs() <= HALF_MM,
        "not justified: {:?}",
        lines[first]
    );
    assert!(
        (lines[first + 1].x_min - LEFT_MARGIN).abs() <= HALF_MM,
        "{:?}",
        lines[first + 1]
    );
}

#[test]
fn one_letter_is_small() {
    let pdf = Typesetter::laksaman().unwrap().official_letter(&sample(true));
    assert!(pdf.len() < 60 * 1024, "{} bytes", pdf.len());
}

/// The reviewed look of the sample letter: pdftoppm renders it at 40 dpi in grey and it must
/// match `tests/reference/official-letter.pgm` (looked at as a PNG when it was made). Set
/// LETTERS_UPDATE_REFERENCE=1 to write a new reference after a reviewed change.
#[test]
fn the_sample_letter_looks_like_its_reviewed_reference() {
    let pdf = Typesetter::laksaman().unwrap().official_letter(&sample(true));
    let page = common::render_gray(&pdf, 40);
    let reference_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/official-letter.pgm");
    if std::env::var_os("LETTERS_UPDATE_REFERENCE").is_some() {
        std::fs::create_dir_all(reference_path.parent().unwrap()).unwrap();
        std::fs::write(&reference_path, &page.pgm).unwrap();
    }
    let reference = common::Gray::parse(&std::fs::read(&reference_path).unwrap());
    assert_eq!((page.width, page.height), (reference.width, reference.height));
    let differing = page
        .pixels
        .iter()
        .zip(&reference.pixels)
        .filter(|(a, b)| a.abs_diff(**b) > 64)
        .count();
    assert!(
        differing * 1000 < page.pixels.len(),
        "{differing} of {} pixels differ from the reference",
        page.pixels.len()
    );
}
