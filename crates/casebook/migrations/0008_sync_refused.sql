-- 0008: this device's events the hub refused, each with the hub's reason (a rule's code) and
-- what was wrong (a field's name, never a value). The hub acknowledges past a refused event,
-- so the device's later events go on; a supervisor sees these on the Sync screen.
CREATE TABLE sync_refused (
  event_id TEXT PRIMARY KEY,
  device_seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  refused_at TEXT NOT NULL
) STRICT;
