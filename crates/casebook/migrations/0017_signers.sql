-- 0017: who signs the unit's letters (the head, and those who sign for the head: a deputy
-- "ปฏิบัติราชการแทน", someone acting as head "รักษาราชการแทน"), kept after they leave for the
-- letters they signed; and each user's position, printed under their name on what they sign
-- themselves (forms, minutes).
CREATE TABLE signers (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  name TEXT NOT NULL, position TEXT NOT NULL, standing TEXT NOT NULL,
  retired BOOLEAN NOT NULL DEFAULT 0
);
ALTER TABLE users ADD COLUMN position TEXT;
