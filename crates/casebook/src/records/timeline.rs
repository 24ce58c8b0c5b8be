//! The case timeline: append-only. A late entry (recorded more than a day after it happened)
//! says so; nothing is silently back-dated.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule, serde_name};
use crate::log::entity::Entity;
use crate::store::rows;
use crate::store::rows::new_id;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EntryKind {
    Note,
    HomeVisit,
    Call,
    Service,
    StatusChange,
    Referral,
    ConferenceDecision,
    /// The case moved to another unit (or came in from one).
    Transfer,
    /// The case's provisional number was replaced by a final one.
    Renumbered,
    /// The risk was re-triaged: from, to, and the reason.
    RiskChange,
    /// A supervisor gave the case to another case manager, with a handover note.
    Handover,
    /// A clinical clock marked as given or not needed (`records::clinical`).
    ClinicalMark,
    /// A document received or signed (a medical certificate, a police report, a returned
    /// reply slip, a signed consent form), its scan attached; the body says what it is.
    Document,
}

/// What an entry records as changed: the field, and its values (codes, ids) from and to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub(crate) field: String,
    pub(crate) from: Option<String>,
    pub(crate) to: String,
}

impl Change {
    /// A change of an enum-valued field, recorded by the values' names on the wire.
    pub(crate) fn new<T: Serialize>(field: &str, from: Option<&T>, to: &T) -> Change {
        Change {
            field: field.to_owned(),
            from: from.map(serde_name),
            to: serde_name(to),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    pub id: String,
    pub case_id: String,
    /// The unit whose worker wrote the entry.
    #[serde(default)]
    pub unit_code: String,
    pub kind: EntryKind,
    pub body: String,
    pub occurred_at: String,
    pub created_at: String,
    pub late: bool,
    pub author_id: Option<String>,
    pub attachments: Vec<String>,
    /// What the entry changed, when it records a change (`Change`).
    #[serde(default)]
    pub change_field: Option<String>,
    #[serde(default)]
    pub change_from: Option<String>,
    #[serde(default)]
    pub change_to: Option<String>,
    /// The author's name, when the author is a user of this book (not stored with the entry).
    #[serde(default)]
    pub author_name: Option<String>,
}

/// The most files one entry takes (a home visit's photos; more go in another entry).
pub const MAX_FILES_PER_ENTRY: usize = 12;

/// After this long, an entry is marked as recorded late.
const LATE_AFTER_HOURS: i64 = 24;

impl Casebook {
    pub fn add_timeline_entry(
        &mut self,
        session: &Session,
        case_id: &str,
        kind: EntryKind,
        body: &str,
        occurred_at: &str,
    ) -> Result<String> {
        session.require(Permission::EditCases)?;
        if body.trim().is_empty() {
            return Err(Invalid::new("timeline.body", Rule::Required).into());
        }
        let at = DateTime::parse_from_rfc3339(occurred_at)
            .map_err(|_| Invalid::new("timeline.occurred_at", Rule::NotADate))?;
        let now = Utc::now();
        if at > now + Duration::minutes(5) {
            return Err(Invalid::new("timeline.occurred_at", Rule::InFuture).into());
        }
        self.load_case(case_id)?;
        self.append_entry(session, case_id, kind, body, at.with_timezone(&Utc), None)
    }

    /// `add_timeline_entry` with the photos and scans of the entry (a home visit's photos, a
    /// returned reply slip), all in one transaction: a file that cannot be stored (a HEIC
    /// photo, a damaged scan) leaves nothing saved, and the form keeps what was typed.
    pub fn add_timeline_entry_with_files(
        &mut self,
        session: &Session,
        case_id: &str,
        kind: EntryKind,
        body: &str,
        occurred_at: &str,
        files: &[Vec<u8>],
    ) -> Result<String> {
        if files.len() > MAX_FILES_PER_ENTRY {
            return Err(Invalid::new("timeline.files", Rule::TooLong).into());
        }
        self.batch(|book| {
            let id = book.add_timeline_entry(session, case_id, kind, body, occurred_at)?;
            let mut hashes: Vec<String> = Vec::new();
            for file in files {
                let hash = book.put_attachment(session, file)?;
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
            if !hashes.is_empty() {
                let mut fields = rows::Fields::new();
                fields.insert("attachments".into(), serde_json::json!(hashes));
                book.write(session, Entity::TimelineEntry, &id, fields, "timeline.attach", None)?;
            }
            Ok(id)
        })
    }

    /// Writes an entry the book itself makes (a conference's decisions, a change of risk or
    /// status): no permission check. `body` may be empty where `change` says it all.
    pub(crate) fn append_entry(
        &mut self,
        session: &Session,
        case_id: &str,
        kind: EntryKind,
        body: &str,
        at: DateTime<Utc>,
        change: Option<Change>,
    ) -> Result<String> {
        let id = new_id();
        let mut entry = serde_json::json!({
            "case_id": case_id,
            "kind": kind,
            "body": body.trim(),
            "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "late": Utc::now() - at > Duration::hours(LATE_AFTER_HOURS),
            "author_id": session.user_id,
        });
        if let Some(change) = change {
            entry["change_field"] = change.field.into();
            entry["change_from"] = change.from.into();
            entry["change_to"] = change.to.into();
        }
        self.write(
            session,
            Entity::TimelineEntry,
            &id,
            rows::encode(&entry)?,
            "timeline.add",
            None,
        )?;
        Ok(id)
    }

    pub(crate) fn timeline(&self, case_id: &str) -> Result<Vec<TimelineEntry>> {
        let mut entries: Vec<TimelineEntry> = rows::select(
            &self.conn,
            &self.catalog,
            "timeline_entries",
            "WHERE case_id = ?1 ORDER BY occurred_at, id",
            &[&case_id],
        )?
        .into_iter()
        .map(rows::decode)
        .collect::<Result<_>>()?;
        for entry in &mut entries {
            if let Some(author) = &entry.author_id {
                entry.author_name = self.user_name(author)?;
            }
        }
        Ok(entries)
    }
}
