//! The recovery sheet: printed once at the first run for the unit head, with the code that
//! opens the case book on a new laptop.

use crate::layout::Align;
use crate::page::{BODY_SIZE, LEFT_MARGIN, PAGE_HEIGHT, PAGE_WIDTH, RIGHT_MARGIN};
use crate::pdf::{TextStyle, render};
use crate::typesetter::{Typesetter, in_digits};

#[derive(Debug, Clone)]
pub struct RecoverySheet {
    pub unit_name: String,
    pub unit_code: String,
    /// As shown to the user: groups of four, e.g. "7K3Q-…".
    pub code: String,
    /// The date it was made, as written.
    pub date: String,
    /// Thai digits (๐–๙) in the date, or Arabic: a unit setting. The code keeps the digits it
    /// is typed with.
    pub thai_digits: bool,
}

impl Typesetter {
    pub fn recovery_sheet(&self, sheet: &RecoverySheet) -> Vec<u8> {
        let mut page = self.page();
        let normal = TextStyle::regular(BODY_SIZE);
        let width = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN;
        let mut y = PAGE_HEIGHT - 30.0 * 72.0 / 25.4;
        y = page.paragraph(
            "ใบรหัสกู้คืนสมุดรายกรณี",
            TextStyle::bold(BODY_SIZE * 1.4),
            LEFT_MARGIN,
            y,
            width,
            0.0,
            Align::Center,
        ) - 12.0;
        for text in [
            format!("หน่วยงาน  {} ({})", sheet.unit_name, sheet.unit_code),
            format!("ออกให้เมื่อ  {}", sheet.date),
        ] {
            let text = in_digits(sheet.thai_digits, &text);
            y = page.paragraph(&text, normal, LEFT_MARGIN, y, width, 0.0, Align::Left);
        }
        y -= 24.0;
        page.rule(LEFT_MARGIN, PAGE_WIDTH - RIGHT_MARGIN, y + 30.0, true);
        y = page.paragraph(
            &sheet.code,
            TextStyle::bold(BODY_SIZE * 2.0),
            LEFT_MARGIN,
            y,
            width,
            0.0,
            Align::Center,
        );
        page.rule(LEFT_MARGIN, PAGE_WIDTH - RIGHT_MARGIN, y + 4.0, true);
        y -= 24.0;
        for text in [
            "รหัสนี้ใช้เปิดสมุดรายกรณีบนเครื่องใหม่ เมื่อเครื่องเดิมเสีย สูญหาย หรือกู้คืนจากข้อมูลสำรอง ผู้ที่ได้รหัสนี้พร้อมแฟ้มข้อมูลจะเปิดอ่านข้อมูลผู้รับบริการทั้งหมดได้",
            "เก็บใบนี้ไว้ในที่ปลอดภัยที่มีกุญแจ แยกจากเครื่องคอมพิวเตอร์และแฟ้มสำรองข้อมูล ห้ามถ่ายภาพ ห้ามส่งทางข้อความหรืออีเมล และห้ามบันทึกไว้ในเครื่อง",
            "เมื่อใช้รหัสนี้แล้ว ผู้ดูแลระบบต้องตั้งรหัสผ่านใหม่ให้ผู้ใช้ทุกคนบนเครื่องใหม่",
        ] {
            y = page.paragraph(text, normal, LEFT_MARGIN, y, width, 0.0, Align::Justify) - 8.0;
        }
        y -= 40.0;
        page.paragraph(
            "ลงชื่อผู้รับมอบ ...................................................",
            normal,
            PAGE_WIDTH / 2.0 - 40.0,
            y,
            width / 2.0 + 40.0,
            0.0,
            Align::Left,
        );
        render("ใบรหัสกู้คืน", &self.regular, &self.bold, vec![page])
    }
}
