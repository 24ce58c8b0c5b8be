//! The audit as people read it: this laptop's entries and those of the unit's other laptops
//! (`unit_audit`, from the hub), filtered by user, case, action and date, each naming who did
//! it and on which laptop; Verify walks every chain. A case's access history reads the same.

use crate::book::Casebook;
use crate::book::audit::{self, AuditBreak, chained_row};
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Invalid, Result, Rule};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the audit screen asks for; every part optional.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct AuditFilter {
    pub user_id: Option<String>,
    /// Entries about the case and about its client: by id (the case page), or by the case
    /// number typed on the audit screen.
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// An action (`identity.reveal`) or a family of them (`case`).
    pub action: Option<String>,
    /// First and last day, `YYYY-MM-DD` (Buddhist or Common Era).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// An entry as shown: who by name, and the laptop (none: this one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditRow {
    pub device_id: Option<String>,
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub detail: Option<String>,
}

/// What Verify found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditCheck {
    /// Entries of this laptop's chain checked.
    #[ts(type = "number")]
    pub here: i64,
    /// Entries of the unit's other laptops checked, and how many laptops.
    #[ts(type = "number")]
    pub unit: i64,
    #[ts(type = "number")]
    pub laptops: i64,
    /// Where a chain breaks, if one does.
    pub broken: Option<ChainBroken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChainBroken {
    /// An entry of this laptop's chain was changed, removed or inserted.
    Entry {
        #[ts(type = "number")]
        seq: i64,
    },
    /// Entries are missing at the end of this laptop's chain.
    Truncated {
        #[ts(type = "number")]
        expected: i64,
        #[ts(type = "number")]
        found: i64,
    },
    /// An entry of another laptop's chain, as kept here, does not follow the one before.
    Laptop {
        device_id: String,
        #[ts(type = "number")]
        seq: i64,
    },
}

/// Both chains, read alike (this laptop's with no device).
const ENTRIES: &str = "SELECT NULL AS device_id, seq, at, user_id, action, entity, entity_id, detail FROM audit_log
     UNION ALL SELECT device_id, seq, at, user_id, action, entity, entity_id, detail FROM unit_audit";

impl Casebook {
    /// The unit's audit, newest first, at most `limit` entries. Supervisors and administrators.
    pub fn audit_log(&self, session: &Session, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>> {
        session
            .require(Permission::Supervise)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        self.audit_rows(filter, limit)
    }

    /// Who did what with this case and its client, on every laptop of the unit: the case
    /// page's access history.
    pub fn case_audit(&self, session: &Session, case_id: &str) -> Result<Vec<AuditRow>> {
        session.require(Permission::ViewCases)?;
        self.load_case(case_id)?;
        let filter = AuditFilter {
            case_id: Some(case_id.to_owned()),
            ..AuditFilter::default()
        };
        self.audit_rows(&filter, 200)
    }

    fn audit_rows(&self, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>> {
        let day = |field: &str, value: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
            value
                .as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| parse_date(v).ok_or_else(|| Invalid::new(field, Rule::NotADate).into()))
                .transpose()
        };
        let from = day("audit.from", &filter.from)?.map(|d| d.to_string());
        let until = day("audit.to", &filter.to)?
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string());
        let typed = filter.case_number.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let case_id = match (&filter.case_id, typed) {
            (Some(id), _) => Some(id.clone()),
            // A number this laptop does not know finds nothing (never every entry).
            (None, Some(number)) => Some(
                self.conn
                    .query_row("SELECT id FROM cases WHERE case_number = ?1", [number], |r| r.get(0))
                    .optional()?
                    .unwrap_or_else(|| number.to_owned()),
            ),
            (None, None) => None,
        };
        let client = match &case_id {
            Some(case_id) => self.load_case(case_id).ok().map(|c| c.client_id),
            None => None,
        };
        let action = filter.action.as_deref().filter(|a| !a.is_empty());
        let user = filter.user_id.as_deref().filter(|u| !u.is_empty());
        let mut stmt = self.conn.prepare(&format!(
            "SELECT e.device_id, e.seq, e.at, e.user_id, u.display_name, e.action, e.entity, e.entity_id, e.detail
             FROM ({ENTRIES}) e LEFT JOIN users u ON u.id = e.user_id
             WHERE (?1 IS NULL OR e.user_id = ?1)
               AND (?2 IS NULL OR e.entity_id = ?2 OR e.entity_id = ?3)
               AND (?4 IS NULL OR e.action = ?4 OR e.action LIKE ?4 || '.%')
               AND (?5 IS NULL OR e.at >= ?5) AND (?6 IS NULL OR e.at < ?6)
             ORDER BY e.at DESC, e.seq DESC LIMIT ?7"
        ))?;
        let rows = stmt.query_map(params![user, case_id, client, action, from, until, limit], |r| {
            Ok(AuditRow {
                device_id: r.get(0)?,
                seq: r.get(1)?,
                at: r.get(2)?,
                user_id: r.get(3)?,
                user_name: r.get(4)?,
                action: r.get(5)?,
                entity: r.get(6)?,
                entity_id: r.get(7)?,
                detail: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks this laptop's chain and every other laptop's as kept here.
    pub fn verify_audit_chains(&self, session: &Session) -> Result<AuditCheck> {
        session
            .require(Permission::Supervise)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        let (here, mut broken) = match audit::verify(&self.conn)? {
            Ok(n) => (n, None),
            Err(AuditBreak::Entry { seq }) => (seq - 1, Some(ChainBroken::Entry { seq })),
            Err(AuditBreak::Truncated { expected, found }) => (found, Some(ChainBroken::Truncated { expected, found })),
        };
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash, device_id
             FROM unit_audit ORDER BY device_id, seq",
        )?;
        let mut rows = stmt.query([])?;
        let (mut unit, mut laptops) = (0, 0);
        let mut last: Option<(String, i64, String)> = None;
        while let Some(row) = rows.next()? {
            let entry = chained_row(row)?;
            let device_id: String = row.get(9)?;
            let follows = match &last {
                Some((device, seq, hash)) if *device == device_id => entry.entry.seq == seq + 1 && entry.follows(hash),
                // A laptop's first entry kept here starts its chain.
                _ => {
                    laptops += 1;
                    entry.follows(&entry.prev_hash)
                }
            };
            if !follows && broken.is_none() {
                broken = Some(ChainBroken::Laptop {
                    device_id: device_id.clone(),
                    seq: entry.entry.seq,
                });
            }
            unit += 1;
            last = Some((device_id, entry.entry.seq, entry.hash));
        }
        Ok(AuditCheck {
            here,
            unit,
            laptops,
            broken,
        })
    }
}
