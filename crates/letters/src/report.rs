//! A plain report of headed sections (case summary, register page): a title, a few lines
//! under it, then sections of paragraphs, flowing onto as many A4 pages as it needs.

use crate::flow::Flow;
use crate::layout::Align;
use crate::page::{BODY_SIZE, LEFT_MARGIN, PAGE_WIDTH, RIGHT_MARGIN};
use crate::pdf::{TextStyle, render};
use crate::typesetter::Typesetter;

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// Under the title: unit, date, case number, "masked" or "full".
    pub header: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

impl Typesetter {
    pub fn report(&self, report: &Report) -> Vec<u8> {
        let normal = TextStyle::regular(BODY_SIZE);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let line = self.regular.line_height(BODY_SIZE);
        let mut flow = Flow::new(self, None);
        flow.paragraph(
            &report.title,
            TextStyle::bold(BODY_SIZE * 1.3),
            LEFT_MARGIN,
            width,
            0.0,
            Align::Center,
        );
        for text in &report.header {
            flow.paragraph(text, normal, LEFT_MARGIN, width, 0.0, Align::Center);
        }
        for section in &report.sections {
            // A heading never ends a page: it keeps two lines of its section with it.
            flow.keep(line * 3.5, None);
            flow.y -= line * 0.5;
            flow.paragraph(
                &section.heading,
                TextStyle::bold(BODY_SIZE),
                LEFT_MARGIN,
                width,
                0.0,
                Align::Left,
            );
            for paragraph in &section.paragraphs {
                flow.paragraph(paragraph, normal, LEFT_MARGIN + 14.0, width - 14.0, 0.0, Align::Left);
            }
        }
        render(&report.title, &self.regular, &self.bold, flow.pages)
    }
}
