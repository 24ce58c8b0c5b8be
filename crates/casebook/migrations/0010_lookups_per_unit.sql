-- 0010: a lookup entry is its unit's own: one per unit, kind and code. A coordinator's laptop
-- holds every unit's entries, and two units' entries of one kind and code broke UNIQUE (the
-- second waited in sync_pending for good).
CREATE TABLE lookups_per_unit (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  kind TEXT NOT NULL, code TEXT NOT NULL, label_th TEXT NOT NULL, label_en TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT 1, UNIQUE (unit_code, kind, code)
);
INSERT INTO lookups_per_unit (id, unit_code, created_at, updated_at, kind, code, label_th, label_en, active)
  SELECT id, unit_code, created_at, updated_at, kind, code, label_th, label_en, active FROM lookups;
DROP TABLE lookups;
ALTER TABLE lookups_per_unit RENAME TO lookups;
