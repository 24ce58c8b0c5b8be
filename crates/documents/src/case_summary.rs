//! The case summary for a partner agency or the court: masked (the default), or with the identity in
//! full (needs the reveal permission and is audited as a reveal). The export is audited. Masked,
//! every text typed into the case (notes, goals, referral reasons) has the names, ID numbers,
//! phones and addresses of the case's people blacked out, as the projector does.

use crate::catalog::{th, th_enum};
use crate::document::{Content, Document};
use casebook::dates::today;
use casebook::dates::{thai_date_time, thai_long};
use casebook::records::timeline::{EntryKind, TimelineEntry};
use casebook::{Casebook, Session};

pub fn case_summary(book: &mut Casebook, s: &Session, case_id: &str, full: bool) -> casebook::Result<Document> {
    let view = book.open_case(s, case_id)?;
    let unit = book.unit()?;
    let c = &view.case;
    let redactor = if full { None } else { Some(book.redactor(s, case_id)?) };
    let clean = |text: &str| match &redactor {
        Some(redactor) => redactor.redact(text),
        None => text.to_owned(),
    };
    let mut client = if full {
        let p = book.reveal_person(s, &view.client.id, "สรุปรายกรณีฉบับเต็ม")?;
        vec![
            format!("ชื่อ  {}", p.name_th.clone().or(p.name_latin.clone()).unwrap_or_default()),
            format!(
                "เอกสาร  {} {}",
                th_enum("id_kind", &p.id_kind),
                p.id_number.clone().unwrap_or_default()
            ),
            format!("โทรศัพท์  {}", p.phone.clone().unwrap_or_else(|| "-".into())),
            format!("ที่อยู่  {}", p.address.clone().unwrap_or_else(|| "-".into())),
        ]
    } else {
        vec![format!("ชื่อ (ปิดบัง)  {}", view.client.name)]
    };
    client.push(format!(
        "อายุ  {}    เพศ  {}",
        view.client.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        th_enum("sex", &view.client.sex)
    ));
    let categories: Vec<String> = c.categories.iter().map(|x| th_enum("category", x)).collect();
    let violence: Vec<String> = c.violence_types.iter().map(|x| th_enum("violence_type", x)).collect();
    let timeline = view
        .timeline
        .iter()
        .map(|e| {
            let what = [change(e), Some(clean(&e.body)).filter(|b| !b.is_empty())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            format!(
                "{}  {}: {}",
                thai_date_time(&e.occurred_at),
                th_enum("entry_kind", &e.kind),
                what
            )
        })
        .collect();
    let plan = book
        .care_plan(s, case_id)?
        .into_iter()
        .map(|g| {
            format!(
                "{}: {} ({})",
                th_enum("domain", &g.record.domain),
                clean(&g.record.goal),
                th_enum("goal_status", &g.record.status)
            )
        })
        .collect();
    let mut referrals = Vec::new();
    for r in book.referrals(s, case_id)? {
        let agency = book.agency(s, &r.record.agency_id)?.record.name;
        referrals.push(format!(
            "{agency}: {} ({})",
            clean(&r.record.reason),
            th_enum("referral_status", &r.record.status)
        ));
    }
    // Each file attached to an entry: when, to what, its type and size (the files themselves
    // stay in the book).
    let mut attachments = Vec::new();
    for e in view.timeline.iter().filter(|e| !e.attachments.is_empty()) {
        for file in book.entry_attachments(s, &e.id)? {
            let what = if file.mime == "application/pdf" {
                "เอกสาร PDF"
            } else {
                "ภาพถ่าย"
            };
            attachments.push(format!(
                "{}  {}: {}  ·  {what} {} KB",
                thai_date_time(&e.occurred_at),
                th_enum("entry_kind", &e.kind),
                clean(&e.body),
                file.size.unsigned_abs().div_ceil(1024)
            ));
        }
    }
    let consents = book
        .consents(s, case_id)?
        .into_iter()
        .map(|row| {
            let c = row.record;
            let revoked = c
                .revoked_on
                .as_deref()
                .and_then(casebook::dates::parse_date)
                .map(|d| format!(" · ถอนเมื่อ {}", thai_long(d)))
                .unwrap_or_default();
            format!(
                "{}: {}{}",
                th_enum("purpose", &c.purpose),
                th_enum("basis", &c.basis),
                revoked
            )
        })
        .collect();
    let outcomes = book
        .assessments(s, case_id)?
        .into_iter()
        .map(|row| {
            let a = row.record;
            let levels: Vec<String> = a
                .levels
                .iter()
                .map(|(domain, level)| format!("{} {level}", th_enum("domain", domain)))
                .collect();
            format!("{}: {}", th_enum("stage", &a.stage), levels.join(", "))
        })
        .collect();
    let kind = if full { "full" } else { "masked" };
    book.record_export(s, case_id, &format!("case_summary_{kind}"))?;
    let section = |heading: &str, paragraphs: Vec<String>| letters::Section {
        heading: heading.into(),
        paragraphs,
    };
    let report = letters::Report {
        title: "สรุปรายกรณี".into(),
        header: vec![
            unit.name,
            format!(
                "เลขรายกรณี {}  ·  {}  ·  ความเสี่ยง{}",
                c.case_number,
                th_enum("status", &c.status),
                th_enum("risk", &c.risk)
            ),
            format!(
                "พิมพ์เมื่อ {}  ·  {}",
                thai_long(today()),
                if full {
                    "ข้อมูลระบุตัวตนฉบับเต็ม"
                } else {
                    "ปิดบังข้อมูลระบุตัวตน"
                }
            ),
        ],
        sections: vec![
            section("ผู้รับบริการ", client),
            section("ประเด็นปัญหา", vec![categories.join(", "), violence.join(", ")]),
            section("บันทึกความคืบหน้า", timeline),
            section("แผนการช่วยเหลือรายบุคคล", plan),
            section("การส่งต่อ", referrals),
            section("ความยินยอมและฐานทางกฎหมาย", consents),
            section("การประเมินผลลัพธ์ (1 วิกฤต – 4 มั่นคง)", outcomes),
            section("เอกสารแนบ", attachments),
        ],
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(
        format!("summary-{case_id}-{kind}.pdf"),
        Content::Report(report),
    ))
}

/// What a timeline entry changed, in Thai words ("จาก … เป็น …", not an arrow the letter fonts
/// may lack): statuses, risks and clinical marks by their labels, units by their codes. A handover's people are not named in
/// the document.
fn change(e: &TimelineEntry) -> Option<String> {
    let (field, to) = (e.change_field.as_deref()?, e.change_to.as_deref()?);
    let label = |group: &str, code: &str| th(&format!("enum.{group}.{code}"));
    let from = e.change_from.as_deref();
    match (e.kind, field) {
        (EntryKind::Handover, _) => None,
        (EntryKind::ClinicalMark, clock) => Some(format!("{}: {}", label("clock", clock), label("clock_mark", to))),
        (_, "status" | "risk") => Some(format!(
            "จาก {} เป็น {}",
            from.map_or_else(|| "-".to_owned(), |f| label(field, f)),
            label(field, to)
        )),
        _ => Some(format!("จาก {} เป็น {to}", from.unwrap_or("-"))),
    }
}
