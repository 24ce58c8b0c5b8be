-- 0015: an approved purge travels. The laptop that purges a case writes an erasure, an event
-- like any other, which the hub and every laptop holding the case apply (the same purge,
-- records::erasure); the row stays as the tombstone: which case, which number, why. Never a
-- foreign key: the case is gone, or never reached this laptop.
CREATE TABLE erasures (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL, case_number TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE INDEX erasures_case ON erasures(case_id);
