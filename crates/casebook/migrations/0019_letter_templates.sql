-- 0019: the unit's own templates of the letters it sends (referral, invitation to a case
-- conference, follow-up, reply to police or a court, request for information), one per kind;
-- a kind never saved writes from the template built into the app.
CREATE TABLE letter_templates (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL
);
