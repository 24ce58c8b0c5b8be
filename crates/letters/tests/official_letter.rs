//! The referral letter as the partner agency receives it: every part in its place, the
//! regulation's margins and indent within 0.5 mm, Thai digits when the unit wants them.

mod common;

use letters::{Image, LEFT_MARGIN, PAGE_WIDTH, PARAGRAPH_INDENT, RIGHT_MARGIN, Typesetter, specimen_letter as sample};

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

const MM: f32 = 72.0 / 25.4;

/// A body too long for one page goes on to page ๒ the regulation's way: the page number centred
/// at the top, the first word of the next page at the foot of the one before ("/word..."), the
/// signature and the owner's lines together on the last page, and no word lost.
#[test]
fn a_long_body_goes_on_to_numbered_pages() {
    // Lengths that break inside a paragraph, and before the signature.
    let marks: Vec<String> = (6..=11).flat_map(long_letter).collect();
    assert!(
        marks.iter().any(|m| m == "ขอแสดงความนับถือ"),
        "never broke before the signature: {marks:?}"
    );
    assert!(
        marks.iter().any(|m| m != "ขอแสดงความนับถือ"),
        "never broke inside the body: {marks:?}"
    );
}

/// Checks a letter of `paragraphs` body paragraphs; returns the words of its continuation marks.
fn long_letter(paragraphs: usize) -> Vec<String> {
    let mut letter = sample(true);
    let paragraph = letter.body[0].clone();
    letter.body = (0..paragraphs).map(|i| format!("ข้อ {} {paragraph}", i + 1)).collect();
    let pdf = Typesetter::laksaman().unwrap().official_letter(&letter);
    let lines = common::lines(&pdf);
    let pages = lines.iter().map(|l| l.page).max().unwrap();
    assert!(pages >= 2, "{paragraphs} paragraphs on one page");
    let mut marks = Vec::new();

    let on = |page: usize| lines.iter().filter(move |l| l.page == page);
    for page in 2..=pages {
        let top = on(page).min_by(|a, b| a.y_min.total_cmp(&b.y_min)).unwrap();
        assert_eq!(top.text, format!("- {} -", letters::thai_digits(&page.to_string())));
        let centre = (top.x_min + top.x_max) / 2.0;
        assert!(
            (centre - PAGE_WIDTH / 2.0).abs() < 2.0 * MM,
            "page number not centred: {top:?}"
        );
    }
    for page in 1..pages {
        let foot = on(page).max_by(|a, b| a.y_max.total_cmp(&b.y_max)).unwrap();
        let word = foot
            .text
            .strip_prefix('/')
            .and_then(|w| w.strip_suffix("..."))
            .unwrap_or_else(|| panic!("no continuation mark: {foot:?}"));
        let next_text = on(page + 1)
            .filter(|l| !l.text.starts_with("- "))
            .min_by(|a, b| a.y_min.total_cmp(&b.y_min))
            .unwrap();
        assert!(
            next_text.text.starts_with(word),
            "{word:?} is not how page {} begins: {next_text:?}",
            page + 1
        );
        marks.push(word.to_owned());
        // Text stays above the 2 cm bottom margin; only the continuation mark is below it.
        let page_height = 297.0 * MM;
        for line in on(page).filter(|l| !std::ptr::eq(*l, foot)) {
            assert!(
                line.y_max <= page_height - 20.0 * MM + 3.0,
                "below the margin: {line:?}"
            );
        }
        assert!(
            foot.x_max > PAGE_WIDTH - RIGHT_MARGIN - HALF_MM * 2.0,
            "mark not at the right: {foot:?}"
        );
    }
    for last_page_part in ["ขอแสดงความนับถือ", "(นางสาวสมมุติ ตัวอย่าง)", "โทร. ๐ ๗๗๕๐ ๐๐๐๐"]
    {
        assert!(
            on(pages).any(|l| l.text.contains(last_page_part)),
            "{last_page_part} not on the last page"
        );
    }
    // Every paragraph reads back whole once the page furniture is taken out.
    let text: String = lines
        .iter()
        .filter(|l| !l.text.starts_with("- ") && !l.text.starts_with('/'))
        .map(|l| l.text.replace(' ', ""))
        .collect();
    for (i, paragraph) in letter.body.iter().enumerate() {
        let expected = letters::thai_digits(paragraph).replace(' ', "");
        assert!(text.contains(&expected), "paragraph {} is not whole", i + 1);
    }
    marks
}

/// The unit's emblem (a PNG they choose) is drawn 3 cm high, centred, 1.5 cm from the top.
#[test]
fn the_emblem_is_centred_at_the_top() {
    let (w, h) = (60u32, 80u32);
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&vec![0u8; (w * h) as usize]).unwrap();
    }
    let mut letter = sample(true);
    letter.emblem = Some(Image::from_png("Emblem", &png).unwrap());
    let pdf = Typesetter::laksaman().unwrap().official_letter(&letter);

    let scratch = common::Scratch::new("emblem");
    let path = scratch.write("letter.pdf", &pdf);
    let list = common::run("pdfimages", &["-list", path.to_str().unwrap()]);
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{list}");
    let columns: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!((columns[3], columns[4]), ("60", "80"), "{list}");

    let page = common::render_gray(&pdf, 40);
    let px = |x_mm: f32, y_mm: f32| {
        let x = (x_mm / 25.4 * 40.0) as usize;
        let y = (y_mm / 25.4 * 40.0) as usize;
        page.pixels[y * page.width + x]
    };
    let dark = |x: f32, y: f32| px(x, y) < 64;
    // 3 cm high from 1.5 cm: 2.25 cm wide, centred on 105 mm.
    for (x, y) in [(105.0, 17.0), (105.0, 43.0), (95.0, 30.0), (115.0, 30.0)] {
        assert!(dark(x, y), "no emblem at {x} mm, {y} mm");
    }
    for (x, y) in [(105.0, 12.0), (105.0, 48.0), (91.0, 30.0), (119.0, 30.0)] {
        assert!(!dark(x, y), "emblem spills to {x} mm, {y} mm");
    }
    assert!(Image::from_png("Emblem", b"not a picture").is_err());
}

/// A batch of letters prints as one PDF, each letter on its own sheets, with progress told
/// letter by letter.
#[test]
fn a_batch_prints_every_letter_in_order() {
    let typesetter = Typesetter::laksaman().unwrap();
    let batch: Vec<_> = (1..=5)
        .map(|n| {
            let mut letter = sample(false);
            letter.number = format!("CPN/{n}");
            letter
        })
        .collect();
    let mut told = Vec::new();
    let pdf = typesetter.letter_batch("หนังสือส่งต่อ", &batch, |done| {
        told.push(done)
    });
    assert_eq!(told, vec![1, 2, 3, 4, 5]);
    let lines = common::lines(&pdf);
    let numbers: Vec<(usize, &str)> = lines
        .iter()
        .filter(|l| l.text.starts_with("ที่ CPN/"))
        .map(|l| (l.page, l.text.as_str()))
        .collect();
    assert_eq!(
        numbers,
        vec![
            (1, "ที่ CPN/1"),
            (2, "ที่ CPN/2"),
            (3, "ที่ CPN/3"),
            (4, "ที่ CPN/4"),
            (5, "ที่ CPN/5")
        ]
    );
}
