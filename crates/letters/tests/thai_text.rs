//! Thai in the PDF as a reader meets it: every word extracts exactly (pdftotext), lines
//! break between words, and the same input gives the same bytes.

mod common;

use common::pdftotext;
use letters::{Align, Font, Page, TextStyle, render};

/// Words whose marks, tones, sara am and under-marks break naive PDF text.
const WORDS: &[&str] = &[
    "ที่",
    "น้ำ",
    "ผู้ใหญ่",
    "ปู่",
    "ฎีกา",
    "ฐาน",
    "ญาติ",
    "ทำ",
    "กล้ำ",
    "ปี่",
    "ฝั่ง",
    "ฟ้า",
    "ต่ำ",
    "ค่ำ",
    "กุ้ง",
    "ญี่ปุ่น",
    "ฤดู",
    "ฦา",
    "เด็กหญิง",
    "ผู้เสียหาย",
    "สหวิชาชีพ",
    "ศูนย์พึ่งได้",
    "พ.ศ.",
    "๒๕๖๙",
    "OSCC-2569",
    "ไม่",
    "น้ำใจ",
    "สำนักงาน",
];

fn page_of<'f>(
    regular: &'f Font,
    bold: &'f Font,
    breaker: &'f letters::Breaker,
    lines: &[&str],
    align: Align,
    width: f32,
) -> Page<'f> {
    let mut page = Page::new(regular, bold, breaker);
    let mut y = 780.0;
    for text in lines {
        y = page.paragraph(text, TextStyle::regular(16.0 / 1.5), 85.0, y, width, 0.0, align) - 6.0;
    }
    page
}

#[test]
fn every_word_of_the_thai_list_extracts_exactly() {
    let (regular, bold) = (Font::laksaman().unwrap(), Font::laksaman_bold().unwrap());
    let breaker = letters::Breaker::default();
    let page = page_of(&regular, &bold, &breaker, WORDS, Align::Left, 400.0);
    let text = pdftotext(&render("words", &regular, &bold, vec![page]));
    let extracted: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(extracted, WORDS);
}

#[test]
fn a_long_paragraph_breaks_between_words_and_reads_back_whole() {
    let (regular, bold) = (Font::laksaman().unwrap(), Font::laksaman_bold().unwrap());
    let breaker = letters::Breaker::default();
    let paragraph = "ด้วยศูนย์พึ่งได้ได้รับแจ้งจากสายด่วน ๑๓๐๐ ว่าผู้เสียหายได้รับการช่วยเหลือจากทีมสหวิชาชีพและส่งต่อไปยังบ้านพักเด็กและครอบครัวจังหวัดชุมพรเพื่อรับการคุ้มครองและฟื้นฟูสภาพจิตใจอย่างต่อเนื่อง";
    for align in [Align::Left, Align::Justify] {
        let page = page_of(&regular, &bold, &breaker, &[paragraph], align, 250.0);
        let text = pdftotext(&render("para", &regular, &bold, vec![page]));
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), paragraph.replace(' ', ""));
        for line in &lines {
            let first = line.chars().next().unwrap();
            assert!(
                !matches!(first, '\u{0E30}'..='\u{0E3A}' | '\u{0E45}'..='\u{0E4E}'),
                "a line starts with a mark: {line}"
            );
        }
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (regular, bold) = (Font::laksaman().unwrap(), Font::laksaman_bold().unwrap());
    let breaker = letters::Breaker::default();
    let one = render(
        "same",
        &regular,
        &bold,
        vec![page_of(&regular, &bold, &breaker, WORDS, Align::Left, 400.0)],
    );
    let two = render(
        "same",
        &regular,
        &bold,
        vec![page_of(&regular, &bold, &breaker, WORDS, Align::Left, 400.0)],
    );
    assert!(one.len() > 1000);
    assert!(one == two, "two renders differ");
}
