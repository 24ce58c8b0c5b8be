-- 0009: why an event from elsewhere was set aside. `newer_version`: this build cannot read it
-- yet (applied after an upgrade); anything else: it failed this laptop's checks (its body and
-- label disagree, its shape is not the schema's, it claims this laptop's own device) and stays
-- set aside, counted on the Sync screen. Neither stops a sync.
ALTER TABLE quarantine ADD COLUMN reason TEXT NOT NULL DEFAULT 'newer_version';
