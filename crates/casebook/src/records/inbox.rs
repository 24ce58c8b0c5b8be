//! The inbox (เรื่องเข้าใหม่): what arrived for this unit or this worker and waits for someone
//! to take it on. Cases transferred in and hotline 1300 reports routed here wait until a worker
//! here takes them; a case opened here without a manager (or whose manager left) likewise;
//! a case another unit shares by a referral waits until it is acknowledged (the referral is
//! then received); a case a supervisor handed to me waits until I acknowledge it.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule, serde_name};
use crate::log::entity::Entity;
use crate::records::case::{Category, Risk, Source};
use crate::records::handover::WORKERS;
use crate::records::referral::{Referral, ReferralStatus};
use crate::records::{from_json, from_name};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxKind {
    TransferredIn,
    HotlineReport,
    SharedByReferral,
    NoManager,
    HandedToMe,
}

/// What the inbox offers to do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxStep {
    /// Become the case manager (`take_case`).
    Take,
    /// Acknowledge a handover (`acknowledge_handover`).
    AcknowledgeHandover,
    /// Acknowledge a referral (`acknowledge_referral`).
    AcknowledgeReferral,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InboxItem {
    pub kind: InboxKind,
    pub step: InboxStep,
    pub case_id: String,
    pub case_number: String,
    pub risk: Risk,
    pub categories: Vec<Category>,
    /// When it arrived: the transfer, the referral, the handover, or the case's opening.
    pub since: String,
    /// The unit it came from (a transfer or a referral).
    pub from_unit: Option<String>,
    /// The transfer's reason, the referral's reason, or the handover note.
    pub note: Option<String>,
    /// The referral that shares the case, for `acknowledge_referral`.
    pub referral_id: Option<String>,
}

impl Casebook {
    /// The inbox of the signed-in worker, newest first.
    pub fn inbox(&self, session: &Session) -> Result<Vec<InboxItem>> {
        session.require(Permission::ViewCases)?;
        let unit = self.unit_code();
        let mut items = Vec::new();
        // Cases this unit holds with no manager of its own.
        let unmanaged = format!(
            "SELECT c.id, c.case_number, c.risk, c.categories, c.unit_code, c.source,
                    t.occurred_at, t.unit_code, t.body, c.created_at
             FROM cases c
             LEFT JOIN timeline_entries t ON t.id = (SELECT id FROM timeline_entries
                 WHERE case_id = c.id AND kind = 'transfer' ORDER BY occurred_at DESC, id DESC LIMIT 1)
             WHERE coalesce(c.held_by, c.unit_code) = ?1 AND c.status != 'closed'
               AND (c.case_manager_id IS NULL OR c.case_manager_id NOT IN ({WORKERS}))"
        );
        let mut stmt = self.conn.prepare_cached(&unmanaged)?;
        let mut rows = stmt.query([unit])?;
        while let Some(r) = rows.next()? {
            let opened_by: String = r.get(4)?;
            let source: String = r.get(5)?;
            let transferred_at: Option<String> = r.get(6)?;
            let kind = if opened_by == unit {
                InboxKind::NoManager
            } else if source == serde_name(&Source::Hotline1300) {
                InboxKind::HotlineReport
            } else {
                InboxKind::TransferredIn
            };
            let from_own = kind == InboxKind::NoManager;
            items.push(InboxItem {
                kind,
                step: InboxStep::Take,
                case_id: r.get(0)?,
                case_number: r.get(1)?,
                risk: from_name(r.get(2)?)?,
                categories: from_json(&r.get::<_, String>(3)?)?,
                since: if from_own {
                    r.get(9)?
                } else {
                    transferred_at.unwrap_or(r.get(9)?)
                },
                from_unit: if from_own {
                    None
                } else {
                    r.get::<_, Option<String>>(7)?.or(Some(opened_by))
                },
                note: if from_own { None } else { r.get(8)? },
                referral_id: None,
            });
        }
        drop(rows);
        drop(stmt);
        // Cases other units share with this one by a referral not yet received.
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.case_number, c.risk, c.categories, r.created_at, r.unit_code, r.reason, r.id
             FROM referrals r JOIN cases c ON c.id = r.case_id
             WHERE r.to_unit = ?1 AND r.status IN ('draft', 'sent') AND c.status != 'closed'",
        )?;
        let mut rows = stmt.query([unit])?;
        while let Some(r) = rows.next()? {
            items.push(InboxItem {
                kind: InboxKind::SharedByReferral,
                step: InboxStep::AcknowledgeReferral,
                case_id: r.get(0)?,
                case_number: r.get(1)?,
                risk: from_name(r.get(2)?)?,
                categories: from_json(&r.get::<_, String>(3)?)?,
                since: r.get(4)?,
                from_unit: r.get(5)?,
                note: r.get(6)?,
                referral_id: r.get(7)?,
            });
        }
        drop(rows);
        drop(stmt);
        // Cases a supervisor handed to me, not yet acknowledged.
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.case_number, c.risk, c.categories, c.handover_at,
                    (SELECT body FROM timeline_entries WHERE case_id = c.id AND kind = 'handover'
                     ORDER BY occurred_at DESC, id DESC LIMIT 1)
             FROM cases c
             WHERE c.case_manager_id = ?1 AND c.handover_at IS NOT NULL AND c.handover_acknowledged_at IS NULL",
        )?;
        let mut rows = stmt.query([&session.user_id])?;
        while let Some(r) = rows.next()? {
            items.push(InboxItem {
                kind: InboxKind::HandedToMe,
                step: InboxStep::AcknowledgeHandover,
                case_id: r.get(0)?,
                case_number: r.get(1)?,
                risk: from_name(r.get(2)?)?,
                categories: from_json(&r.get::<_, String>(3)?)?,
                since: r.get(4)?,
                from_unit: None,
                note: r.get(5)?,
                referral_id: None,
            });
        }
        items.sort_by(|a, b| b.since.cmp(&a.since));
        Ok(items)
    }

    /// This unit acknowledges a case shared with it by a referral: the referral is received.
    pub fn acknowledge_referral(&mut self, session: &Session, referral_id: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let referral: Referral = self.record(Entity::Referral, referral_id)?;
        if referral.to_unit.as_deref() != Some(self.unit_code()) {
            return Err(Invalid::new("referral.to_unit", Rule::NotAStep).into());
        }
        if !matches!(referral.status, ReferralStatus::Draft | ReferralStatus::Sent) {
            return Ok(());
        }
        self.update_referral(session, referral_id, ReferralStatus::Received, None)
    }
}
