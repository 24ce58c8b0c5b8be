-- 0014: the audit entries of the unit's other laptops, as the hub passes them on. Kept apart
-- from this laptop's own chain (audit_log), append-only, each laptop's chain checked link by
-- link as it is stored and again by Verify.
CREATE TABLE unit_audit (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  user_id TEXT,
  action TEXT NOT NULL,
  entity TEXT,
  entity_id TEXT,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX unit_audit_entity ON unit_audit(entity_id);
CREATE INDEX unit_audit_at ON unit_audit(at);
CREATE TRIGGER unit_audit_no_update BEFORE UPDATE ON unit_audit BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
CREATE TRIGGER unit_audit_no_delete BEFORE DELETE ON unit_audit BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
