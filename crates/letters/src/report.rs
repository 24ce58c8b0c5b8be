//! A plain report of headed sections (case summary, register page): a title, a few lines
//! under it, then sections of paragraphs, flowing onto as many A4 pages as it needs.

use crate::flow::Flow;
use crate::layout::Align;
use crate::page::{BODY_SIZE, LEFT_MARGIN, PAGE_WIDTH, RIGHT_MARGIN};
use crate::pdf::{TextStyle, render};
use crate::typesetter::{Typesetter, in_digits};

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// Under the title: unit, date, case number, "masked" or "full".
    pub header: Vec<String>,
    pub sections: Vec<Section>,
    /// Thai digits (๐–๙) throughout, or Arabic: a unit setting.
    pub thai_digits: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

impl Typesetter {
    pub fn report(&self, report: &Report) -> Vec<u8> {
        let digits = |s: &str| in_digits(report.thai_digits, s);
        let normal = TextStyle::regular(BODY_SIZE);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let line = self.regular.line_height(BODY_SIZE);
        let mut flow = Flow::new(self, None);
        let title = digits(&report.title);
        flow.paragraph(
            &title,
            TextStyle::bold(BODY_SIZE * 1.3),
            LEFT_MARGIN,
            width,
            0.0,
            Align::Center,
        );
        for text in &report.header {
            flow.paragraph(&digits(text), normal, LEFT_MARGIN, width, 0.0, Align::Center);
        }
        for section in &report.sections {
            // A heading never ends a page: it keeps two lines of its section with it.
            flow.keep(line * 3.5, None);
            flow.y -= line * 0.5;
            flow.paragraph(
                &digits(&section.heading),
                TextStyle::bold(BODY_SIZE),
                LEFT_MARGIN,
                width,
                0.0,
                Align::Left,
            );
            // A line break typed into a note starts a new line (the font has no glyph for it).
            for line in section.paragraphs.iter().flat_map(|p| p.split('\n')) {
                flow.paragraph(
                    &digits(line.trim_end_matches('\r')),
                    normal,
                    LEFT_MARGIN + 14.0,
                    width - 14.0,
                    0.0,
                    Align::Left,
                );
            }
        }
        render(&title, &self.regular, &self.bold, flow.pages)
    }
}
