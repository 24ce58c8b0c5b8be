//! Lists that differ between provinces (closure reasons, outcomes, referral destinations):
//! data the administrator edits, not code. The app comes with the lists it needs
//! (`BUILT_IN`); a unit's entry of the same code renames or deactivates a built-in one. A code,
//! once used, is deactivated, never deleted.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Lookup {
    /// The list: "closure_reason", "referral_destination", "party_role_label", …
    pub kind: String,
    pub code: String,
    pub label_th: String,
    pub label_en: String,
    pub active: bool,
}

/// The lists the app offers before an administrator edits them: (kind, code, Thai, English).
const BUILT_IN: &[(&str, &str, &str, &str)] = &[
    (
        "closure_reason",
        "goals_met",
        "บรรลุเป้าหมายตามแผนการช่วยเหลือ",
        "Care plan goals met",
    ),
    (
        "closure_reason",
        "taken_on",
        "หน่วยงานอื่นรับดูแลต่อ",
        "Taken on by another agency",
    ),
    ("closure_reason", "moved_away", "ย้ายออกนอกพื้นที่", "Moved out of the area"),
    (
        "closure_reason",
        "declined",
        "ผู้รับบริการไม่ประสงค์รับความช่วยเหลือ",
        "Client declined help",
    ),
    ("closure_reason", "lost_contact", "ติดต่อผู้รับบริการไม่ได้", "Contact lost"),
    ("closure_reason", "died", "ผู้รับบริการเสียชีวิต", "Client died"),
    ("closure_reason", "other", "อื่น ๆ", "Other"),
    (
        "closure_outcome",
        "safe",
        "ปลอดภัยและได้รับการคุ้มครอง",
        "Safe and protected",
    ),
    ("closure_outcome", "improved", "สถานการณ์ดีขึ้น", "Situation improved"),
    (
        "closure_outcome",
        "unchanged",
        "สถานการณ์ไม่เปลี่ยนแปลง",
        "Situation unchanged",
    ),
    ("closure_outcome", "worse", "สถานการณ์แย่ลง", "Situation worse"),
    ("closure_outcome", "unknown", "ไม่ทราบผล", "Not known"),
];

/// The lists the app uses, which the administrator's screen offers.
pub const KINDS: [&str; 2] = ["closure_reason", "closure_outcome"];

impl Casebook {
    /// Adds the entry, or changes the labels or activity of this unit's (kind, code).
    pub fn set_lookup(&mut self, admin: &Session, lookup: &Lookup) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        for (field, value) in [
            ("lookup.kind", &lookup.kind),
            ("lookup.code", &lookup.code),
            ("lookup.label_th", &lookup.label_th),
        ] {
            if value.trim().is_empty() {
                return Err(Invalid::new(field, Rule::Required).into());
            }
        }
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM lookups WHERE kind = ?1 AND code = ?2 AND unit_code = ?3",
                rusqlite::params![lookup.kind, lookup.code, self.unit_code()],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(id) => self.update_record(admin, Entity::Lookup, &id, lookup, "lookup.update"),
            None => self
                .insert_record(admin, Entity::Lookup, lookup, "lookup.add")
                .map(|_| ()),
        }
    }

    /// The active entries of a list, for pickers; anyone signed in may read them.
    pub fn lookups(&self, kind: &str) -> Result<Vec<Lookup>> {
        Ok(self.list(kind)?.into_iter().filter(|l| l.active).collect())
    }

    /// A list with its inactive entries, for the administrator to edit.
    pub fn lookup_list(&self, admin: &Session, kind: &str) -> Result<Vec<Lookup>> {
        admin.require(Permission::ManageUsers)?;
        self.list(kind)
    }

    /// Whether `code` is an active entry of the list.
    pub(crate) fn lookup_active(&self, kind: &str, code: &str) -> Result<bool> {
        Ok(self.lookups(kind)?.iter().any(|l| l.code == code))
    }

    /// The built-in entries of the list, each replaced by this unit's entry of its code, then
    /// the unit's own codes by their Thai labels.
    fn list(&self, kind: &str) -> Result<Vec<Lookup>> {
        let mut own: Vec<Lookup> = self
            .records::<Stored<Lookup>>(
                Entity::Lookup,
                "WHERE kind = ?1 AND unit_code = ?2 ORDER BY label_th",
                &[&kind, &self.unit_code()],
            )?
            .into_iter()
            .map(|stored| stored.record)
            .collect();
        let mut list: Vec<Lookup> = BUILT_IN
            .iter()
            .filter(|(k, ..)| *k == kind)
            .map(|(kind, code, th, en)| {
                let position = own.iter().position(|l| l.code == *code);
                position.map(|i| own.remove(i)).unwrap_or_else(|| Lookup {
                    kind: (*kind).to_owned(),
                    code: (*code).to_owned(),
                    label_th: (*th).to_owned(),
                    label_en: (*en).to_owned(),
                    active: true,
                })
            })
            .collect();
        list.append(&mut own);
        Ok(list)
    }
}
