-- 0002: records purged under the retention rules (PDPA). Sync skips events for them, so a
-- purged case never comes back from the hub or another unit.
CREATE TABLE purged (entity_id TEXT PRIMARY KEY, purged_at TEXT NOT NULL) STRICT, WITHOUT ROWID;
