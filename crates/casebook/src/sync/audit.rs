//! The audit travels: this laptop's entries go to the hub with the head of their chain (which
//! the device signs, in the sync crate), and the entries of the unit's other laptops come back,
//! each laptop's chain checked link by link before an entry is kept. A reveal on one laptop is
//! so on every laptop's audit screen, and a chain cut or rewritten on a laptop shows at the hub.

use crate::book::Casebook;
use crate::book::audit::{self, ChainedEntry};
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

/// What this laptop sends of its audit at a sync.
#[derive(Debug, Clone)]
pub struct AuditOut {
    /// Entries the hub has not acknowledged, oldest first.
    pub entries: Vec<ChainedEntry>,
    /// The chain's head now: how many entries, and the last one's hash.
    pub count: i64,
    pub head_hash: String,
    /// The point in the unit's entries (the hub's numbering) this laptop has.
    pub after: i64,
}

impl Casebook {
    /// The next entries for the hub (at most `limit`), the chain's head, and the unit's point.
    pub fn audit_to_send(&self, limit: usize) -> Result<AuditOut> {
        let (count, head_hash) = audit::head(&self.conn)?;
        Ok(AuditOut {
            entries: audit::chained_after(&self.conn, self.audit_number("audit_sent")?, limit)?,
            count,
            head_hash,
            after: self.audit_number("audit_cursor")?,
        })
    }

    /// The hub holds this laptop's chain up to `stored`.
    pub fn audit_sent(&mut self, stored: i64) -> Result<()> {
        self.set_audit_number("audit_sent", stored)
    }

    /// Keeps the entries of the unit's other laptops (device id, entry) that follow their
    /// chains, up to the hub's point `cursor`. Returns how many did not follow (set aside:
    /// never kept, so a forged or altered entry never shows as a laptop's).
    pub fn take_unit_audit(&mut self, entries: &[(String, ChainedEntry)], cursor: i64) -> Result<usize> {
        let own = self.device_id().to_owned();
        let tx = self.conn.transaction()?;
        let mut not_following = 0;
        for (device_id, entry) in entries {
            if *device_id == own {
                continue;
            }
            let seq = entry.entry.seq;
            let stored: Option<String> = tx
                .prepare_cached("SELECT hash FROM unit_audit WHERE device_id = ?1 AND seq = ?2")?
                .query_row(params![device_id, seq], |r| r.get(0))
                .optional()?;
            if let Some(hash) = stored {
                not_following += usize::from(hash != entry.hash);
                continue;
            }
            // The entry before it in its laptop's chain; a laptop's first entry here starts its
            // chain where the laptop's pushes began (a restored laptop's chain goes on).
            let before: Option<(i64, String)> = tx
                .prepare_cached("SELECT seq, hash FROM unit_audit WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1")?
                .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let follows = match &before {
                Some((last, hash)) => *last + 1 == seq && entry.follows(hash),
                None => entry.follows(&entry.prev_hash),
            };
            if !follows {
                not_following += 1;
                continue;
            }
            let e = &entry.entry;
            tx.prepare_cached(
                "INSERT INTO unit_audit (device_id, seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                device_id,
                seq,
                e.at,
                e.user_id,
                e.action,
                e.entity,
                e.entity_id,
                e.detail,
                entry.prev_hash,
                entry.hash
            ])?;
        }
        tx.commit()?;
        self.set_audit_number("audit_cursor", cursor)?;
        Ok(not_following)
    }

    /// A number kept for this device id: a laptop that becomes a new device (restored,
    /// enrolled again) starts its chain at the hub and its view of the unit's entries afresh.
    fn audit_number(&self, key: &str) -> Result<i64> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        Ok(value
            .and_then(|v| {
                let (device, number) = v.split_once(':')?;
                (device == self.device_id()).then(|| number.parse().ok())?
            })
            .unwrap_or(0))
    }

    fn set_audit_number(&mut self, key: &str, number: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, format!("{}:{number}", self.device_id())],
        )?;
        Ok(())
    }
}
