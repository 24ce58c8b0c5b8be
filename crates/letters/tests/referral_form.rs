//! The referral form says what the agency needs and carries the reply slip it sends back.

mod common;

use letters::{Typesetter, specimen_form};

#[test]
fn the_form_and_its_reply_slip_read_back() {
    let pdf = Typesetter::laksaman().unwrap().referral_form(&specimen_form(true));
    let text = common::pdftotext(&pdf);
    for part in [
        "แบบส่งต่อผู้รับบริการ",
        "ถึง  บ้านพักเด็กและครอบครัวจังหวัดชุมพร",
        "เลขรายกรณี  CPN-๒๕๖๙-๐๐๔๒",
        "ตามหนังสือที่  CPN/๑๒",
        "อายุ:  ๑๔ ปี",
        "เหตุผลการส่งต่อ",
        "ฟื้นฟูสภาพจิตใจ",
        "แบบตอบรับการส่งต่อ  (ส่งคืน ศูนย์พึ่งได้ โรงพยาบาลสมมุติ)",
        "ได้รับเรื่องแล้ว",
        "รับดำเนินการ",
        "ไม่รับดำเนินการ เนื่องจาก",
        "ให้บริการแล้ว ดังนี้",
        "ผู้รับเรื่อง",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}
