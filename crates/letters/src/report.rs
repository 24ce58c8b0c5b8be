//! A plain report of headed sections (case summary, register page): a title, a few lines
//! under it, then sections of paragraphs, flowing onto as many A4 pages as it needs.

use crate::layout::Align;
use crate::letter::{BODY_SIZE, LEFT_MARGIN, PAGE_HEIGHT, PAGE_WIDTH, RIGHT_MARGIN, Typesetter};
use crate::pdf::{Page, TextStyle, render};

const TOP: f32 = PAGE_HEIGHT - 20.0 * 72.0 / 25.4;
const BOTTOM: f32 = 20.0 * 72.0 / 25.4;

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

/// Pages being filled top to bottom.
struct Flow<'t> {
    typesetter: &'t Typesetter,
    pages: Vec<Page<'t>>,
    y: f32,
}

impl<'t> Flow<'t> {
    fn new(typesetter: &'t Typesetter) -> Flow<'t> {
        Flow {
            typesetter,
            pages: vec![typesetter.page()],
            y: TOP,
        }
    }

    /// Starts a new page when fewer than `lines` lines fit on this one.
    fn keep(&mut self, lines: f32, line: f32) {
        if self.y - line * lines < BOTTOM {
            self.pages.push(self.typesetter.page());
            self.y = TOP;
        }
    }

    fn paragraph(&mut self, text: &str, style: TextStyle, x: f32, width: f32, align: Align) {
        if let Some(page) = self.pages.last_mut() {
            self.y = page.paragraph(text, style, x, self.y, width, 0.0, align);
        }
    }
}

impl Typesetter {
    pub fn report(&self, report: &Report) -> Vec<u8> {
        let normal = TextStyle::regular(BODY_SIZE);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let line = self.regular.line_height(BODY_SIZE);
        let mut flow = Flow::new(self);
        flow.paragraph(
            &report.title,
            TextStyle::bold(BODY_SIZE * 1.3),
            LEFT_MARGIN,
            width,
            Align::Center,
        );
        for text in &report.header {
            flow.paragraph(text, normal, LEFT_MARGIN, width, Align::Center);
        }
        for section in &report.sections {
            flow.keep(3.0, line);
            flow.y -= line * 0.5;
            flow.paragraph(
                &section.heading,
                TextStyle::bold(BODY_SIZE),
                LEFT_MARGIN,
                width,
                Align::Left,
            );
            for paragraph in &section.paragraphs {
                // A rough count of lines (about 90 Thai characters to a line) keeps a
                // paragraph from running off the page.
                flow.keep((paragraph.chars().count() as f32 / 90.0).ceil().max(1.0), line);
                flow.paragraph(paragraph, normal, LEFT_MARGIN + 14.0, width - 14.0, Align::Left);
            }
        }
        render(&report.title, &self.regular, &self.bold, flow.pages)
    }
}
