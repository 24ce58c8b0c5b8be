//! The letters a unit sends, each from a Thai template the unit may edit: its subject and
//! text, with placeholders in braces ({หน่วยงานผู้รับ}) that the letter fills from the book.
//! A unit that never edited a kind's template writes from the one built in here.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LetterKind {
    Referral,
    /// An invitation to a case conference, one to each agency invited.
    Invitation,
    /// A reminder about a referral the agency has not answered.
    FollowUp,
    /// The answer to a request from the police or a court.
    Reply,
    /// A request for information from an agency.
    InformationRequest,
}

/// The placeholders every kind fills: the agency written to, the unit, today's date.
const COMMON: [&str; 3] = ["{หน่วยงานผู้รับ}", "{หน่วยของเรา}", "{วันที่}"];

impl LetterKind {
    /// The placeholders this kind's letter fills beyond the common ones.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            LetterKind::Referral => &["{นามสมมุติ}", "{เหตุผล}"],
            LetterKind::Invitation => &["{วันประชุม}", "{เวลา}", "{สถานที่}", "{วาระ}"],
            LetterKind::FollowUp => &["{นามสมมุติ}", "{หนังสือเดิม}", "{กำหนดตอบ}"],
            LetterKind::Reply | LetterKind::InformationRequest => &["{นามสมมุติ}", "{หนังสือเดิม}"],
        }
    }

    /// The template built in, in the words Thai official letters use.
    fn built_in(self) -> LetterTemplate {
        let (subject, body) = match self {
            LetterKind::Referral => (
                "ขอส่งต่อผู้รับบริการเพื่อรับความช่วยเหลือ",
                "ด้วย{หน่วยของเรา} ได้ให้การช่วยเหลือผู้รับบริการ ({นามสมมุติ}) ตามรายละเอียดในแบบส่งต่อที่แนบมาพร้อมนี้ \
                 ทีมผู้ดูแลได้ประเมินแล้วเห็นว่าควรส่งต่อเพื่อ{เหตุผล}\n\n\
                 จึงเรียนมาเพื่อโปรดพิจารณาให้ความช่วยเหลือต่อไป และขอความกรุณาส่งแบบตอบรับคืนมายังหน่วยงาน จะขอบคุณยิ่ง",
            ),
            LetterKind::Invitation => (
                "ขอเชิญประชุมทีมสหวิชาชีพ",
                "ด้วย{หน่วยของเรา} กำหนดประชุมทีมสหวิชาชีพเพื่อร่วมวางแผนช่วยเหลือผู้รับบริการ \
                 ในวันที่ {วันประชุม} เวลา {เวลา} ณ {สถานที่} วาระการประชุม: {วาระ}\n\n\
                 จึงเรียนมาเพื่อโปรดพิจารณามอบหมายผู้แทน{หน่วยงานผู้รับ}เข้าร่วมประชุมตามวัน เวลา และสถานที่ดังกล่าว จะขอบคุณยิ่ง",
            ),
            LetterKind::FollowUp => (
                "ติดตามผลการส่งต่อผู้รับบริการ",
                "ตามหนังสือที่อ้างถึง {หน่วยของเรา} ได้ส่งต่อผู้รับบริการ ({นามสมมุติ}) เพื่อรับความช่วยเหลือ \
                 และขอความกรุณาแจ้งผลภายในวันที่ {กำหนดตอบ} นั้น บัดนี้ยังไม่ได้รับแจ้งผลการดำเนินการ\n\n\
                 จึงเรียนมาเพื่อโปรดแจ้งผลการดำเนินการให้ทราบด้วย จะขอบคุณยิ่ง",
            ),
            LetterKind::Reply => (
                "ตอบข้อหารือ",
                "ตามหนังสือที่อ้างถึง {หน่วยงานผู้รับ} ขอทราบข้อมูลเกี่ยวกับผู้รับบริการ ({นามสมมุติ}) นั้น \
                 {หน่วยของเรา} ขอเรียนข้อมูลเท่าที่จำเป็นตามอำนาจหน้าที่ ดังนี้\n\n\
                 จึงเรียนมาเพื่อโปรดทราบ",
            ),
            LetterKind::InformationRequest => (
                "ขอความอนุเคราะห์ข้อมูล",
                "ด้วย{หน่วยของเรา} อยู่ระหว่างให้การช่วยเหลือผู้รับบริการ ({นามสมมุติ}) \
                 และมีความจำเป็นต้องใช้ข้อมูลประกอบการวางแผนช่วยเหลือ\n\n\
                 จึงเรียนมาเพื่อโปรดพิจารณาให้ความอนุเคราะห์ข้อมูลดังกล่าว จะขอบคุณยิ่ง",
            ),
        };
        LetterTemplate {
            kind: self,
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LetterTemplate {
    pub kind: LetterKind,
    pub subject: String,
    /// Paragraphs separated by blank lines.
    pub body: String,
}

impl LetterTemplate {
    /// The subject and text with each placeholder replaced by its value; a placeholder with no
    /// value is left for the worker to see and type over.
    pub fn fill(&self, values: &[(&str, String)]) -> (String, String) {
        let fill = |text: &str| {
            values.iter().fold(text.to_owned(), |text, (placeholder, value)| {
                text.replace(placeholder, value)
            })
        };
        (fill(&self.subject), fill(&self.body))
    }

    /// A placeholder the kind does not fill (a typo such as {หน่วยงาน}) is refused, so that
    /// it never reaches paper.
    fn validate(&self) -> Result<()> {
        if self.subject.trim().is_empty() {
            return Err(Invalid::new("template.subject", Rule::Required).into());
        }
        for (field, text) in [("template.subject", &self.subject), ("template.body", &self.body)] {
            let mut rest = text.as_str();
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').map(|c| open + c + 1);
                let Some(close) = close else {
                    return Err(Invalid::new(field, Rule::UnknownCode).into());
                };
                let placeholder = &rest[open..close];
                if !COMMON.contains(&placeholder) && !self.kind.placeholders().contains(&placeholder) {
                    return Err(Invalid::new(field, Rule::UnknownCode).into());
                }
                rest = &rest[close..];
            }
        }
        Ok(())
    }
}

impl Casebook {
    /// The unit's template for `kind`: the one it last saved, else the one built in.
    pub fn letter_template(&self, session: &Session, kind: LetterKind) -> Result<LetterTemplate> {
        session.require(Permission::ViewCases)?;
        Ok(self
            .saved_template(kind)?
            .map_or_else(|| kind.built_in(), |saved| saved.record))
    }

    /// Saves the unit's template of a kind (a supervisor's task): it replaces the earlier one.
    pub fn save_letter_template(&mut self, session: &Session, template: &LetterTemplate) -> Result<()> {
        session.require(Permission::Supervise)?;
        template.validate()?;
        match self.saved_template(template.kind)? {
            Some(saved) => self.update_record(
                session,
                Entity::LetterTemplate,
                &saved.id,
                template,
                "letter_template.save",
            ),
            None => self
                .insert_record(session, Entity::LetterTemplate, template, "letter_template.save")
                .map(|_| ()),
        }
    }

    /// The built-in template of `kind` again, in place of the unit's own.
    pub fn reset_letter_template(&mut self, session: &Session, kind: LetterKind) -> Result<()> {
        self.save_letter_template(session, &kind.built_in())
    }

    /// Two laptops may each save a kind's first template before they sync: the latest wins.
    fn saved_template(&self, kind: LetterKind) -> Result<Option<Stored<LetterTemplate>>> {
        let kind = crate::error::serde_name(&kind);
        Ok(self
            .records(
                Entity::LetterTemplate,
                "WHERE unit_code = ?1 AND kind = ?2 ORDER BY updated_at DESC, id LIMIT 1",
                &[&self.unit_code(), &kind],
            )?
            .pop())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn every_built_in_template_uses_only_its_placeholders_and_fills_them_all() {
        for &kind in LetterKind::VARIANTS {
            let template = kind.built_in();
            template.validate().unwrap();
            let values: Vec<(&str, String)> = COMMON
                .iter()
                .chain(kind.placeholders())
                .map(|p| (*p, "ค่า".to_owned()))
                .collect();
            let (subject, body) = template.fill(&values);
            assert!(!subject.contains('{') && !body.contains('{'), "{kind:?}: {body}");
        }
    }

    #[test]
    fn a_placeholder_the_kind_does_not_fill_is_refused() {
        let mut template = LetterKind::Invitation.built_in();
        template.body.push_str(" {นามสมมุติ}");
        assert!(template.validate().is_err(), "an invitation names no case");
        template.body = "ข้อความ {หน่วยงาน".into();
        assert!(template.validate().is_err(), "an unclosed brace");
    }
}
