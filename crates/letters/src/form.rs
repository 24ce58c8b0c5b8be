//! The referral form (แบบส่งต่อ): only what the partner agency needs to act, and below a cut
//! line the reply slip it fills in and returns (received / accepted / declined / services
//! given, signature, date).

use crate::layout::Align;
use crate::letter::Urgency;
use crate::page::{BODY_SIZE, LEFT_MARGIN, PAGE_HEIGHT, PAGE_WIDTH, RIGHT_MARGIN};
use crate::pdf::{TextStyle, render};
use crate::typesetter::{Typesetter, in_digits};

#[derive(Debug, Clone)]
pub struct ReferralForm {
    /// The sending unit's name (not its code) and phone.
    pub unit_name: String,
    pub unit_phone: Option<String>,
    pub to_agency: String,
    pub date: String,
    pub case_number: String,
    /// The outgoing letter this form goes with, if any.
    pub letter_number: Option<String>,
    pub urgency: Option<Urgency>,
    /// Label and value of each fact about the client the agency needs, nothing more.
    pub client: Vec<(String, String)>,
    pub reason: String,
    pub services: Vec<String>,
    /// Who at the unit to call back.
    pub contact: String,
    pub thai_digits: bool,
}

impl Typesetter {
    pub fn referral_form(&self, form: &ReferralForm) -> Vec<u8> {
        let digits = |s: &str| in_digits(form.thai_digits, s);
        let mut page = self.page();
        let normal = TextStyle::regular(BODY_SIZE);
        let strong = TextStyle::bold(BODY_SIZE);
        let line = page.line_height(normal);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let right = PAGE_WIDTH - RIGHT_MARGIN;
        let mut y = PAGE_HEIGHT - 20.0 * 72.0 / 25.4;

        y = page.paragraph(
            "แบบส่งต่อผู้รับบริการ",
            TextStyle::bold(BODY_SIZE * 1.3),
            LEFT_MARGIN,
            y,
            width,
            0.0,
            Align::Center,
        );
        if let Some(urgency) = form.urgency {
            page.paragraph(
                urgency.mark(),
                TextStyle { red: true, ..strong },
                LEFT_MARGIN,
                y,
                width,
                0.0,
                Align::Right,
            );
        }
        let mut facts = vec![
            format!("จาก  {}", form.unit_name),
            format!("ถึง  {}", form.to_agency),
            format!("วันที่  {}    เลขรายกรณี  {}", form.date, form.case_number),
        ];
        if let Some(number) = &form.letter_number {
            facts.push(format!("ตามหนังสือที่  {number}"));
        }
        for fact in &facts {
            y = page.paragraph(&digits(fact), normal, LEFT_MARGIN, y, width, 0.0, Align::Left);
        }
        // A bold heading, then its lines indented under it.
        let section = |page: &mut crate::pdf::Page<'_>, y: f32, heading: &str, lines: &[String], align: Align| {
            let mut y = page.paragraph(heading, strong, LEFT_MARGIN, y - line * 0.4, width, 0.0, Align::Left);
            for text in lines {
                y = page.paragraph(&digits(text), normal, LEFT_MARGIN + 20.0, y, width - 20.0, 0.0, align);
            }
            y
        };
        let client: Vec<String> = form
            .client
            .iter()
            .map(|(label, value)| format!("{label}:  {value}"))
            .collect();
        y = section(&mut page, y, "ข้อมูลผู้รับบริการ", &client, Align::Left);
        y = section(
            &mut page,
            y,
            "เหตุผลการส่งต่อ",
            std::slice::from_ref(&form.reason),
            Align::Justify,
        );
        if !form.services.is_empty() {
            let services: Vec<String> = form.services.iter().map(|s| format!("•  {s}")).collect();
            y = section(&mut page, y, "บริการที่ขอรับ", &services, Align::Left);
        }
        y -= line * 0.4;
        let contact = match &form.unit_phone {
            Some(phone) => format!("ผู้ประสานงาน  {}  โทร. {phone}", form.contact),
            None => format!("ผู้ประสานงาน  {}", form.contact),
        };
        y = page.paragraph(&digits(&contact), normal, LEFT_MARGIN, y, width, 0.0, Align::Left);

        // Cut here: the reply slip.
        y = y.min(PAGE_HEIGHT * 0.42);
        let note = TextStyle::regular(BODY_SIZE * 0.8);
        page.paragraph(
            "ตัดตามรอยประ กรอกแล้วส่งคืน",
            note,
            LEFT_MARGIN,
            y + 4.0,
            width,
            0.0,
            Align::Right,
        );
        page.rule(LEFT_MARGIN, right, y, true);
        y -= line * 1.3;
        y = page.paragraph(
            &digits(&format!("แบบตอบรับการส่งต่อ  (ส่งคืน {})", form.unit_name)),
            strong,
            LEFT_MARGIN,
            y,
            width,
            0.0,
            Align::Center,
        );
        y = page.paragraph(
            &digits(&format!("เลขรายกรณี  {}    ส่งต่อเมื่อ  {}", form.case_number, form.date)),
            normal,
            LEFT_MARGIN,
            y,
            width,
            0.0,
            Align::Left,
        );
        y -= line * 0.3;
        let box_size = BODY_SIZE * 0.8;
        for choice in [
            "ได้รับเรื่องแล้ว",
            "รับดำเนินการ",
            "ไม่รับดำเนินการ เนื่องจาก ........................................................................",
        ] {
            page.checkbox(LEFT_MARGIN + 20.0, y - 1.0, box_size);
            y = page.paragraph(
                choice,
                normal,
                LEFT_MARGIN + 20.0 + box_size + 6.0,
                y,
                width - 40.0,
                0.0,
                Align::Left,
            );
        }
        page.checkbox(LEFT_MARGIN + 20.0, y - 1.0, box_size);
        y = page.paragraph(
            "ให้บริการแล้ว ดังนี้",
            normal,
            LEFT_MARGIN + 20.0 + box_size + 6.0,
            y,
            width - 40.0,
            0.0,
            Align::Left,
        );
        for _ in 0..3 {
            y -= line * 0.9;
            page.rule(LEFT_MARGIN + 40.0, right, y, false);
        }
        y -= line * 1.6;
        let sign_x = PAGE_WIDTH / 2.0;
        y = page.paragraph(
            "ลงชื่อ ...................................................... ผู้รับเรื่อง",
            normal,
            sign_x - 40.0,
            y,
            right - sign_x + 40.0,
            0.0,
            Align::Left,
        );
        y = page.paragraph(
            "(......................................................)",
            normal,
            sign_x - 6.0,
            y,
            right - sign_x,
            0.0,
            Align::Left,
        );
        y = page.paragraph(
            "ตำแหน่ง ...................................................",
            normal,
            sign_x - 26.0,
            y,
            right - sign_x + 26.0,
            0.0,
            Align::Left,
        );
        page.paragraph(
            "วันที่ ........ / ........ / ............",
            normal,
            sign_x - 14.0,
            y,
            right - sign_x + 14.0,
            0.0,
            Align::Left,
        );
        render("แบบส่งต่อผู้รับบริการ", &self.regular, &self.bold, vec![page])
    }
}
