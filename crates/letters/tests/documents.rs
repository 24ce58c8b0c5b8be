//! The referral form (with its reply slip) and the recovery sheet read back as written.

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

#[test]
fn the_recovery_sheet_carries_the_code_exactly() {
    let sheet = letters::RecoverySheet {
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        unit_code: "CPN".into(),
        code: "7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G".into(),
        date: "3 ธันวาคม 2569".into(),
        thai_digits: true,
    };
    let text = common::pdftotext(&Typesetter::laksaman().unwrap().recovery_sheet(&sheet));
    assert!(text.contains("7K3Q-M2XD-9PWA-0TRB-HE4N-C8VZ-5G"), "{text}");
    assert!(text.contains("ใบรหัสกู้คืนสมุดรายกรณี") && text.contains("(CPN)"));
}

#[test]
fn a_long_report_flows_onto_more_pages_and_reads_back() {
    let mut entries: Vec<String> = (1..=60)
        .map(|i| format!("บันทึกที่ {i}: เยี่ยมบ้าน ผู้รับบริการปลอดภัย ให้คำปรึกษาครอบครัวต่อเนื่อง"))
        .collect();
    entries.push("ประชุมทีมสหวิชาชีพ\nมติ: ส่งเข้าบ้านพัก".into());
    let report = letters::Report {
        title: "สรุปรายกรณี".into(),
        header: vec!["CPN-2569-0042 · ปิดบังข้อมูลระบุตัวตน".into()],
        sections: vec![letters::Section {
            heading: "บันทึกความคืบหน้า".into(),
            paragraphs: entries,
        }],
        thai_digits: false,
    };
    let pdf = Typesetter::laksaman().unwrap().report(&report);
    let text = common::pdftotext(&pdf);
    assert!(text.contains("บันทึกที่ 1:") && text.contains("บันทึกที่ 60:"), "{text}");
    // A note's line break starts a line of its own.
    assert!(text.contains("ประชุมทีมสหวิชาชีพ\nมติ: ส่งเข้าบ้านพัก"), "{text}");
    assert!(text.matches('\u{c}').count() >= 2, "expected at least two pages");
}
