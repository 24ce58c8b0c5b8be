//! Who signs the unit's letters. An external letter is signed by the head of the unit, or by
//! someone the head has allowed to sign for them; the correspondence regulation then has the
//! signer's own position followed by ปฏิบัติราชการแทน (a deputy signing for the head) or
//! รักษาราชการแทน (someone acting as head while the post is empty or the head away), and the
//! head's position on the line below. A supervisor keeps the list; a signer who leaves is
//! retired, kept for the letters they signed.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::store::rows::Fields;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// In what capacity a signer signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Standing {
    /// The head of the unit, signing in their own name.
    Head,
    /// Signs for the head: ปฏิบัติราชการแทน.
    ForHead,
    /// Acts as head: รักษาราชการแทน.
    ActingHead,
}

impl Standing {
    /// The words after the signer's position, before the head's.
    fn phrase(self) -> Option<&'static str> {
        match self {
            Standing::Head => None,
            Standing::ForHead => Some("ปฏิบัติราชการแทน"),
            Standing::ActingHead => Some("รักษาราชการแทน"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Signer {
    /// The name as printed in brackets under the signature, title included: "นางสาว…".
    pub name: String,
    /// The signer's own position: "ผู้อำนวยการโรงพยาบาล…", "รองผู้อำนวยการฝ่าย…".
    pub position: String,
    pub standing: Standing,
    #[serde(default)]
    pub retired: bool,
}

/// What goes under the closing: the name in brackets and the position lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub name: String,
    pub position: Vec<String>,
}

impl Signer {
    /// The signature block of this signer when the head's position is `head`: the head signs
    /// with their position; anyone else with "<own position> ปฏิบัติราชการแทน" (or
    /// รักษาราชการแทน) and the head's position below.
    pub fn signature(&self, head: &str) -> Signature {
        let position = match self.standing.phrase() {
            None => vec![self.position.trim().to_owned()],
            Some(phrase) => vec![format!("{} {phrase}", self.position.trim()), head.trim().to_owned()],
        };
        Signature {
            name: self.name.trim().to_owned(),
            position,
        }
    }
}

fn validate(signer: &Signer) -> Result<()> {
    for (field, value) in [("signer.name", &signer.name), ("signer.position", &signer.position)] {
        if value.trim().is_empty() {
            return Err(Invalid::new(field, Rule::Required).into());
        }
        if value.chars().count() > 200 {
            return Err(Invalid::new(field, Rule::TooLong).into());
        }
    }
    Ok(())
}

impl Casebook {
    /// The unit's signers, those still signing first.
    pub fn signers(&self, session: &Session) -> Result<Vec<Stored<Signer>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::Signer,
            "WHERE unit_code = ?1 ORDER BY retired, standing <> 'head', name",
            &[&self.unit_code()],
        )
    }

    pub fn add_signer(&mut self, session: &Session, signer: &Signer) -> Result<String> {
        session.require(Permission::Supervise)?;
        validate(signer)?;
        self.insert_record(session, Entity::Signer, signer, "signer.add")
    }

    pub fn update_signer(&mut self, session: &Session, id: &str, signer: &Signer) -> Result<()> {
        session.require(Permission::Supervise)?;
        validate(signer)?;
        self.record::<Signer>(Entity::Signer, id)?;
        self.update_record(session, Entity::Signer, id, signer, "signer.update")
    }

    /// The signature block of a letter signed by `signer_id`, one of this unit's signers:
    /// under the head's position when the signer signs for the head. Without a signer, the
    /// signed-in user signs with their own position (or the unit's name when they gave none),
    /// but only in a unit that lists no head: once it does, an external letter is the head's
    /// or signed for the head.
    pub fn signature(&self, session: &Session, signer_id: Option<&str>) -> Result<Signature> {
        let signers = self.signers(session)?;
        let head = signers
            .iter()
            .find(|s| s.record.standing == Standing::Head && !s.record.retired);
        let Some(id) = signer_id.filter(|id| !id.is_empty()) else {
            if head.is_some() {
                return Err(Invalid::new("letter.signer", Rule::Required).into());
            }
            let (name, position) = self.users_name_and_position(session)?;
            return Ok(Signature {
                name,
                position: vec![position.unwrap_or(self.unit()?.name)],
            });
        };
        let signer = &signers
            .iter()
            .find(|s| s.id == id && !s.record.retired)
            .ok_or(Invalid::new("letter.signer", Rule::UnknownCode))?
            .record;
        if signer.standing == Standing::Head {
            return Ok(signer.signature(&signer.position));
        }
        let head = head.ok_or(Invalid::new("signer.head", Rule::Required))?;
        Ok(signer.signature(&head.record.position))
    }

    /// Sets the signed-in user's own position, printed under their name on what they sign.
    pub fn set_own_position(&mut self, session: &Session, position: &str) -> Result<()> {
        if position.chars().count() > 200 {
            return Err(Invalid::new("user.position", Rule::TooLong).into());
        }
        let position = position.trim();
        let mut fields = Fields::new();
        fields.insert(
            "position".into(),
            if position.is_empty() {
                json!(null)
            } else {
                json!(position)
            },
        );
        let user_id = session.user_id.clone();
        self.write(session, Entity::User, &user_id, fields, "user.position", None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(position: &str, standing: Standing) -> Signer {
        Signer {
            name: "นางสาวทดสอบ ลงนาม".into(),
            position: position.into(),
            standing,
            retired: false,
        }
    }

    #[test]
    fn a_deputy_signs_for_the_head_under_the_heads_position() {
        let head = "ผู้อำนวยการโรงพยาบาลสมมุติ";
        assert_eq!(signer(head, Standing::Head).signature(head).position, vec![head]);
        assert_eq!(
            signer("รองผู้อำนวยการฝ่ายการแพทย์", Standing::ForHead)
                .signature(head)
                .position,
            vec!["รองผู้อำนวยการฝ่ายการแพทย์ ปฏิบัติราชการแทน", head]
        );
        let acting = signer(" หัวหน้ากลุ่มงานสังคมสงเคราะห์ ", Standing::ActingHead).signature(head);
        assert_eq!(acting.position, vec!["หัวหน้ากลุ่มงานสังคมสงเคราะห์ รักษาราชการแทน", head]);
        assert_eq!(acting.name, "นางสาวทดสอบ ลงนาม");
    }
}
