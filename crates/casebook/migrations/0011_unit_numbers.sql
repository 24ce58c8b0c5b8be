-- 0011: case and letter numbers unique across a unit's laptops. The hub allots each laptop
-- blocks of numbers per kind and Buddhist year (`number_blocks` keeps every block of the unit
-- the hub named); a laptop with none left takes a provisional number, replaced by a final one
-- at its next sync, the provisional one kept in `former_numbers` so it still leads to its
-- record.
-- `next`: the next number this laptop gives from one of its own blocks (it only moves on, so
-- a number is never given twice, even once its record is purged).
CREATE TABLE number_blocks (
  kind TEXT NOT NULL, be_year INTEGER NOT NULL, device_id TEXT NOT NULL,
  first INTEGER NOT NULL, last INTEGER NOT NULL, next INTEGER NOT NULL,
  PRIMARY KEY (kind, be_year, first)
) STRICT;

-- A book enrolled before this version takes its numbers from the hub from now on.
INSERT INTO sync_state (key, value)
  SELECT 'numbered_by_hub', '1' WHERE EXISTS (SELECT 1 FROM sync_state WHERE key = 'hub_url');

ALTER TABLE cases ADD COLUMN former_numbers JSON NOT NULL DEFAULT '[]';
DROP TRIGGER cases_search_ai;
CREATE TRIGGER cases_search_ai AFTER INSERT ON cases BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('case', new.id,
    concat_ws(' ', new.case_number, new.former_numbers), 1);
END;
CREATE TRIGGER cases_search_au AFTER UPDATE OF case_number, former_numbers ON cases BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('case', new.id,
    concat_ws(' ', new.case_number, new.former_numbers), 0);
END;

-- A register number is NULL while the letter has a provisional one; `device_id` is the laptop
-- that issued it, `addressee` whom the letter went to.
CREATE TABLE letter_register_v11 (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  be_year INTEGER NOT NULL, number INTEGER, provisional TEXT, former_numbers JSON NOT NULL DEFAULT '[]',
  device_id TEXT, issued_by TEXT NOT NULL, addressee TEXT, subject TEXT NOT NULL,
  referral_id TEXT, cancelled BOOLEAN NOT NULL DEFAULT 0, cancel_reason TEXT,
  UNIQUE (unit_code, be_year, number), UNIQUE (unit_code, be_year, provisional)
);
INSERT INTO letter_register_v11 (id, unit_code, created_at, updated_at, be_year, number, issued_by,
    subject, referral_id, cancelled, cancel_reason)
  SELECT id, unit_code, created_at, updated_at, be_year, number, issued_by, subject, referral_id,
    cancelled, cancel_reason FROM letter_register;
DROP TABLE letter_register;
ALTER TABLE letter_register_v11 RENAME TO letter_register;

-- A record waiting for one it refers to: since when, through how many syncs, and what it
-- waits for, so one that waits longer than a sync is shown to a supervisor.
ALTER TABLE sync_pending RENAME TO sync_pending_v10;
CREATE TABLE sync_pending (
  entity TEXT NOT NULL, entity_id TEXT NOT NULL, since TEXT NOT NULL,
  syncs INTEGER NOT NULL DEFAULT 1, reason TEXT NOT NULL,
  PRIMARY KEY (entity, entity_id)
) STRICT, WITHOUT ROWID;
INSERT INTO sync_pending (entity, entity_id, since, reason)
  SELECT entity, entity_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'missing' FROM sync_pending_v10;
DROP TABLE sync_pending_v10;
