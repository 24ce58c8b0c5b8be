//! A specimen letter: every part filled, no real person, unit or case.

use crate::form::ReferralForm;
use crate::letter::{OfficialLetter, Urgency};

/// A complete referral letter with fictional names: for the preview before a unit fills in
/// its own details, the tests and the README's picture.
pub fn specimen_letter(thai_digits: bool) -> OfficialLetter {
    OfficialLetter {
        emblem: None,
        urgency: Some(Urgency::VeryUrgent),
        number: "CPN/12".into(),
        unit_address: vec!["ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(), "ถนนสมมุติ อำเภอเมือง".into(), "จังหวัดชุมพร 86000".into()],
        date: "3 ธันวาคม 2569".into(),
        subject: "ขอส่งต่อผู้รับบริการเพื่อรับการคุ้มครองและฟื้นฟูสภาพจิตใจ".into(),
        salutation: "เรียน".into(),
        to: "ผู้อำนวยการบ้านพักเด็กและครอบครัวจังหวัดชุมพร".into(),
        reference: None,
        enclosures: vec!["แบบส่งต่อผู้รับบริการ จำนวน 1 ชุด".into()],
        body: vec![
            "ด้วยศูนย์พึ่งได้ โรงพยาบาลสมมุติ ได้ให้การช่วยเหลือผู้รับบริการซึ่งได้รับความรุนแรงในครอบครัว ทีมสหวิชาชีพได้ประเมินแล้วเห็นว่าผู้รับบริการควรได้รับการคุ้มครองและฟื้นฟูสภาพจิตใจอย่างต่อเนื่อง".into(),
            "จึงเรียนมาเพื่อโปรดพิจารณาให้ความอนุเคราะห์รับผู้รับบริการไว้ในความดูแล จะขอบคุณยิ่ง".into(),
        ],
        closing: "ขอแสดงความนับถือ".into(),
        signer_name: "นางสาวสมมุติ ตัวอย่าง".into(),
        signer_position: vec!["นักสังคมสงเคราะห์ชำนาญการ".into()],
        owner: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        phone: Some("0 7750 0000".into()),
        fax: Some("0 7750 0001".into()),
        email: Some("oscc@example.org".into()),
        thai_digits,
    }
}

/// A referral form for the same fictional case.
pub fn specimen_form(thai_digits: bool) -> ReferralForm {
    ReferralForm {
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        unit_phone: Some("0 7750 0000".into()),
        to_agency: "บ้านพักเด็กและครอบครัวจังหวัดชุมพร".into(),
        date: "3 ธันวาคม 2569".into(),
        case_number: "CPN-2569-0042".into(),
        letter_number: Some("CPN/12".into()),
        urgency: Some(Urgency::VeryUrgent),
        client: vec![
            ("ชื่อ".into(), "เด็กหญิงสมมุติ ตัวอย่าง".into()),
            ("อายุ".into(), "14 ปี".into()),
            ("ภาษาที่ใช้".into(), "ไทย".into()),
        ],
        reason: "ผู้รับบริการได้รับความรุนแรงในครอบครัว ทีมสหวิชาชีพประเมินแล้วว่าไม่ปลอดภัยที่จะกลับบ้าน จึงขอส่งต่อเพื่อรับการคุ้มครองชั่วคราวและฟื้นฟูสภาพจิตใจ".into(),
        services: vec!["ที่พักชั่วคราว".into(), "ฟื้นฟูสภาพจิตใจ".into(), "ประสานการศึกษาต่อ".into()],
        contact: "นางสาวสมมุติ ตัวอย่าง นักสังคมสงเคราะห์".into(),
        thai_digits,
    }
}
