//! The consent form in Thai, printed for the client (or a child's guardian) to sign: one line
//! per purpose to consent to or not, the right to withdraw, the child's own assent, and the
//! signatures. Names are written by hand on the paper, so the printed form carries no personal
//! data beyond the case number. The signed scan is attached to the ledger row afterwards.

use crate::catalog::th_enum;
use crate::document::{Content, Document};
use casebook::records::consent::Purpose;
use casebook::{Casebook, Session};
use strum::VariantArray;

const BLANK: &str = "..................................................";

pub fn consent_form(book: &mut Casebook, s: &Session, case_id: &str) -> casebook::Result<Document> {
    let number = book.case_number(s, case_id)?;
    let unit = book.unit()?;
    book.record_export(s, case_id, "consent_form")?;
    let section = |heading: &str, paragraphs: Vec<String>| letters::Section {
        heading: heading.into(),
        paragraphs,
    };
    let purposes = Purpose::VARIANTS
        .iter()
        .map(|purpose| {
            let what = match purpose {
                Purpose::Services => "ให้บริการ ช่วยเหลือ และติดตามผล",
                Purpose::Referral => "ส่งต่อข้อมูลที่จำเป็นไปยังหน่วยงาน",
                Purpose::Sharing => "ส่งรายกรณีให้ศูนย์อื่นดูแลต่อ",
                Purpose::Photos => "ถ่ายภาพประกอบการเยี่ยมบ้านหรือหลักฐาน",
                Purpose::Conference => "นำเข้าพิจารณาในการประชุมทีมสหวิชาชีพ",
            };
            let whom = match purpose {
                Purpose::Referral | Purpose::Sharing => format!(" ชื่อ {BLANK}"),
                _ => String::new(),
            };
            format!(
                "( ) ยินยอม   ( ) ไม่ยินยอม   {}: {what}{whom}",
                th_enum("purpose", purpose)
            )
        })
        .collect();
    let report = letters::Report {
        title: "หนังสือแสดงความยินยอมในการเก็บ ใช้ และเปิดเผยข้อมูลส่วนบุคคล".into(),
        header: vec![
            format!("{} ({})", unit.name, unit.code),
            format!("เลขรายกรณี {number}"),
            format!("วันที่ {BLANK}"),
        ],
        sections: vec![
            section(
                "ผู้ให้ความยินยอม",
                vec![
                    format!("ข้าพเจ้า (ชื่อ-สกุล) {BLANK}{BLANK}"),
                    format!("( ) เป็นผู้รับบริการเอง   ( ) เป็นผู้ปกครองของ {BLANK} เกี่ยวข้องเป็น {BLANK}"),
                ],
            ),
            section(
                &format!(
                    "ข้าพเจ้าได้รับคำอธิบายแล้ว และขอแสดงความประสงค์ต่อ{} ดังนี้",
                    unit.name
                ),
                purposes,
            ),
            section(
                "สิทธิของเจ้าของข้อมูล",
                vec![
                    "ข้าพเจ้าทราบว่าจะถอนความยินยอมเมื่อใดก็ได้ โดยแจ้งเจ้าหน้าที่ การถอนความยินยอมไม่กระทบสิ่งที่ได้ทำไปก่อนหน้านั้น และไม่ทำให้ข้าพเจ้าเสียสิทธิในการได้รับความช่วยเหลือ".into(),
                    "ข้าพเจ้าทราบว่าในกรณีที่มีอันตรายต่อชีวิต ร่างกาย หรือสุขภาพ หรือเป็นหน้าที่ตามกฎหมาย (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 ม.24 และ ม.26 และ พ.ร.บ.คุ้มครองเด็ก พ.ศ. 2546) เจ้าหน้าที่อาจเปิดเผยข้อมูลที่จำเป็นได้โดยไม่ต้องขอความยินยอม และจะบันทึกเหตุผลไว้ทุกครั้ง".into(),
                ],
            ),
            section(
                "ความเห็นของเด็ก (กรณีผู้รับบริการอายุต่ำกว่า 18 ปี)",
                vec!["เด็กได้รับฟังคำอธิบายตามวัย และ ( ) เห็นด้วย   ( ) ไม่เห็นด้วย".into()],
            ),
            section(
                "ลงชื่อ",
                vec![
                    format!("ลงชื่อ {BLANK} ผู้ให้ความยินยอม"),
                    format!("ลงชื่อ {BLANK} เด็ก (ถ้ามี)"),
                    format!("ลงชื่อ {BLANK} เจ้าหน้าที่ผู้ให้คำอธิบาย"),
                    format!("ลงชื่อ {BLANK} พยาน"),
                ],
            ),
        ],
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(
        format!("consent-form-{number}.pdf").replace('/', "-"),
        Content::Report(report),
    ))
}
