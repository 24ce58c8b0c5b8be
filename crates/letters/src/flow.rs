//! Text flowing down A4 pages: paragraphs are cut between lines when a page is full. A letter's
//! continuation pages follow the correspondence regulation: the page number centred at the top
//! ("- ๒ -") and, at the foot of the page before, the first word of what follows ("/word...").

use crate::layout::Align;
use crate::page::{PAGE_HEIGHT, PAGE_WIDTH, PT_PER_MM, RIGHT_MARGIN};
use crate::pdf::{Page, TextStyle};
use crate::typesetter::{Typesetter, in_digits};

const TOP: f32 = PAGE_HEIGHT - 20.0 * PT_PER_MM;
pub(crate) const BOTTOM: f32 = 20.0 * PT_PER_MM;

pub(crate) struct Flow<'t> {
    typesetter: &'t Typesetter,
    pub pages: Vec<Page<'t>>,
    /// The next baseline on the last page.
    pub y: f32,
    /// Continuation pages numbered and announced the official way.
    numbered: Option<Numbering>,
}

#[derive(Clone, Copy)]
pub(crate) struct Numbering {
    pub size: f32,
    pub thai_digits: bool,
}

impl<'t> Flow<'t> {
    pub fn new(typesetter: &'t Typesetter, numbered: Option<Numbering>) -> Flow<'t> {
        Flow {
            typesetter,
            pages: vec![typesetter.page()],
            y: TOP,
            numbered,
        }
    }

    /// Starts a new page unless `height` pt still fit above the bottom margin; `next_word`
    /// is how the new page begins, for the continuation mark.
    pub fn keep(&mut self, height: f32, next_word: Option<&str>) {
        if self.y - height < BOTTOM {
            self.next_page(next_word);
        }
    }

    /// Flows a paragraph from the current baseline, cutting it between lines at the foot of
    /// a page; `y` is then the baseline after it.
    pub fn paragraph(&mut self, text: &str, style: TextStyle, x: f32, width: f32, indent: f32, align: Align) {
        let set = self.typesetter.page().set(text, style, width, indent, align);
        let mut first = 0;
        while first < set.lines.len() {
            // Lines that fit above the bottom margin (the baseline of the last one included).
            let room = ((self.y - BOTTOM) / set.line_height).floor() as usize + 1;
            let fits = if self.y < BOTTOM {
                0
            } else {
                room.min(set.lines.len() - first)
            };
            if fits > 0 {
                let y = self.y;
                self.y = self.page().draw(&set, first..first + fits, x, y);
                first += fits;
            }
            if first < set.lines.len() {
                self.next_page(Some(set.first_word(first)));
            }
        }
    }

    fn next_page(&mut self, next_word: Option<&str>) {
        if let Some(numbering) = self.numbered {
            let style = TextStyle::regular(numbering.size);
            if let (Some(word), Some(page)) = (next_word, self.pages.last_mut()) {
                let text = format!("/{word}...");
                let width = 80.0 * PT_PER_MM;
                page.paragraph(
                    &text,
                    style,
                    PAGE_WIDTH - RIGHT_MARGIN - width,
                    BOTTOM - page.line_height(style),
                    width,
                    0.0,
                    Align::Right,
                );
            }
            let mut page = self.typesetter.page();
            let number = in_digits(numbering.thai_digits, &format!("- {} -", self.pages.len() + 1));
            let line = page.line_height(style);
            page.paragraph(
                &number,
                style,
                0.0,
                PAGE_HEIGHT - 15.0 * PT_PER_MM,
                PAGE_WIDTH,
                0.0,
                Align::Center,
            );
            self.pages.push(page);
            self.y = PAGE_HEIGHT - 15.0 * PT_PER_MM - line * 2.0;
        } else {
            self.pages.push(self.typesetter.page());
            self.y = TOP;
        }
    }

    /// Draws on the current page without moving the flow.
    pub fn page(&mut self) -> &mut Page<'t> {
        if self.pages.is_empty() {
            self.pages.push(self.typesetter.page());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }
}
