//! The official external letter (หนังสือภายนอก) of the correspondence regulation
//! (ระเบียบงานสารบรรณ พ.ศ. 2526 and amendments): A4, left margin 3 cm, right 2 cm, 16 pt
//! TH Sarabun New (Laksaman at the same visual size), paragraph indent 2.5 cm, 6 pt before
//! each part, the urgency mark in red.

use crate::flow::{Flow, Numbering};
use crate::layout::Align;
use crate::page::{BODY_SIZE, LEFT_MARGIN, PAGE_HEIGHT, PAGE_WIDTH, PARAGRAPH_INDENT, PT_PER_MM, RIGHT_MARGIN};
use crate::pdf::{Image, Page, TextStyle, render};
use crate::typesetter::{Typesetter, in_digits};

const PART_GAP: f32 = 6.0;
/// The emblem (ครุฑ) is 3 cm high, 1.5 cm from the top; the text starts below it.
const EMBLEM_TOP: f32 = 15.0 * PT_PER_MM;
const EMBLEM_HEIGHT: f32 = 30.0 * PT_PER_MM;
const BOTTOM_MARGIN: f32 = crate::flow::BOTTOM;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Urgent,
    VeryUrgent,
    MostUrgent,
}

impl Urgency {
    pub(crate) fn mark(self) -> &'static str {
        match self {
            Urgency::Urgent => "ด่วน",
            Urgency::VeryUrgent => "ด่วนมาก",
            Urgency::MostUrgent => "ด่วนที่สุด",
        }
    }
}

/// Everything an external letter says, already in the words the unit chose.
#[derive(Debug, Clone)]
pub struct OfficialLetter {
    /// The emblem (ครุฑ or the agency's seal) centred at the top, 3 cm high; none leaves the
    /// space blank for letterhead paper.
    pub emblem: Option<Image>,
    pub urgency: Option<Urgency>,
    /// ที่: the unit's code and the register number, e.g. "ชพ 0033.1/12".
    pub number: String,
    pub unit_address: Vec<String>,
    /// The date as written, e.g. "3 ธันวาคม 2569".
    pub date: String,
    pub subject: String,
    /// เรียน, or กราบเรียน for the highest offices.
    pub salutation: String,
    pub to: String,
    pub reference: Option<String>,
    pub enclosures: Vec<String>,
    pub body: Vec<String>,
    pub closing: String,
    pub signer_name: String,
    pub signer_position: Vec<String>,
    /// ส่วนราชการเจ้าของเรื่อง
    pub owner: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    /// Thai digits (๐–๙) throughout, or Arabic: a unit setting.
    pub thai_digits: bool,
}

impl Typesetter {
    /// The letter as an A4 PDF; a long body goes on to numbered continuation pages.
    pub fn official_letter(&self, letter: &OfficialLetter) -> Vec<u8> {
        render(&letter.subject, &self.regular, &self.bold, self.letter_pages(letter))
    }

    /// Many letters in one PDF to print at once, each starting on a new sheet. `progress` is
    /// told after each letter how many are done, for a progress bar.
    pub fn letter_batch(&self, title: &str, letters: &[OfficialLetter], mut progress: impl FnMut(usize)) -> Vec<u8> {
        let mut pages = Vec::new();
        for (i, letter) in letters.iter().enumerate() {
            pages.extend(self.letter_pages(letter));
            progress(i + 1);
        }
        render(title, &self.regular, &self.bold, pages)
    }

    fn letter_pages(&self, letter: &OfficialLetter) -> Vec<Page<'_>> {
        let digits = |s: &str| in_digits(letter.thai_digits, s);
        let normal = TextStyle::regular(BODY_SIZE);
        let mut flow = Flow::new(
            self,
            Some(Numbering {
                size: BODY_SIZE,
                thai_digits: letter.thai_digits,
            }),
        );
        let line = flow.page().line_height(normal);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let middle = PAGE_WIDTH / 2.0;

        if let Some(emblem) = &letter.emblem {
            let x = middle - emblem.aspect() * EMBLEM_HEIGHT / 2.0;
            flow.page()
                .image(emblem, x, PAGE_HEIGHT - EMBLEM_TOP - EMBLEM_HEIGHT, EMBLEM_HEIGHT);
        }
        if let Some(urgency) = letter.urgency {
            let mark = TextStyle {
                size: BODY_SIZE * 1.5,
                bold: true,
                red: true,
            };
            flow.page().paragraph(
                urgency.mark(),
                mark,
                LEFT_MARGIN,
                PAGE_HEIGHT - EMBLEM_TOP - line,
                width,
                0.0,
                Align::Left,
            );
        }
        // ที่ on the left and the unit's address on the right, level with the emblem's foot.
        let top = PAGE_HEIGHT - EMBLEM_TOP - EMBLEM_HEIGHT - line * 0.3;
        flow.page().paragraph(
            &digits(&format!("ที่ {}", letter.number)),
            normal,
            LEFT_MARGIN,
            top,
            width / 2.0,
            0.0,
            Align::Left,
        );
        let address_x = LEFT_MARGIN + width * 0.52;
        flow.y = top;
        for address_line in &letter.unit_address {
            flow.paragraph(
                &digits(address_line),
                normal,
                address_x,
                PAGE_WIDTH - RIGHT_MARGIN - address_x,
                0.0,
                Align::Left,
            );
        }
        flow.y -= PART_GAP;
        let block_width = PAGE_WIDTH - RIGHT_MARGIN - middle;
        flow.paragraph(&digits(&letter.date), normal, middle, block_width, 0.0, Align::Left);
        flow.y -= PART_GAP;

        let part = |flow: &mut Flow<'_>, label: &str, text: &str| {
            flow.paragraph(
                &digits(&format!("{label}  {text}")),
                normal,
                LEFT_MARGIN,
                width,
                0.0,
                Align::Left,
            );
            flow.y -= PART_GAP;
        };
        part(&mut flow, "เรื่อง", &letter.subject);
        part(&mut flow, &letter.salutation, &letter.to);
        if let Some(reference) = &letter.reference {
            part(&mut flow, "อ้างถึง", reference);
        }
        match letter.enclosures.as_slice() {
            [] => {}
            [one] => part(&mut flow, "สิ่งที่ส่งมาด้วย", one),
            many => {
                for (i, enclosure) in many.iter().enumerate() {
                    let label = if i == 0 {
                        "สิ่งที่ส่งมาด้วย"
                    } else {
                        "               "
                    };
                    part(&mut flow, label, &format!("{}. {enclosure}", i + 1));
                }
            }
        }
        for paragraph in &letter.body {
            flow.paragraph(
                &digits(paragraph),
                normal,
                LEFT_MARGIN,
                width,
                PARAGRAPH_INDENT,
                Align::Justify,
            );
            flow.y -= PART_GAP;
        }

        let mut footer: Vec<String> = vec![letter.owner.clone()];
        if let Some(phone) = &letter.phone {
            footer.push(format!("โทร. {phone}"));
        }
        if let Some(fax) = &letter.fax {
            footer.push(format!("โทรสาร {fax}"));
        }
        if let Some(email) = &letter.email {
            footer.push(format!("ไปรษณีย์อิเล็กทรอนิกส์ {email}"));
        }
        // The closing, the space to sign, the name and position, and the owner's lines below
        // stay on one page.
        let signature = line * (6.0 + letter.signer_position.len() as f32) + PART_GAP;
        flow.keep(
            signature + line * (footer.len() as f32 + 1.0),
            letter.closing.split_whitespace().next(),
        );
        flow.y -= PART_GAP;
        flow.paragraph(&letter.closing, normal, middle, block_width, 0.0, Align::Left);
        flow.y -= line * 3.0;
        flow.paragraph(
            &format!("({})", letter.signer_name),
            normal,
            middle - 30.0,
            block_width,
            0.0,
            Align::Center,
        );
        for position in &letter.signer_position {
            flow.paragraph(
                &digits(position),
                normal,
                middle - 30.0,
                block_width,
                0.0,
                Align::Center,
            );
        }
        flow.y = BOTTOM_MARGIN + line * (footer.len() as f32 - 1.0);
        for footer_line in &footer {
            flow.paragraph(&digits(footer_line), normal, LEFT_MARGIN, width, 0.0, Align::Left);
        }
        flow.pages
    }
}
