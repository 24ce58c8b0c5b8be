-- 0012: daily case work.

-- What a timeline entry changed, when it records a change (risk, status, case manager, a
-- clinical clock): the field and the values from and to, as codes, so each screen shows them
-- in its own language; the body keeps the reason or the note.
ALTER TABLE timeline_entries ADD COLUMN change_field TEXT;
ALTER TABLE timeline_entries ADD COLUMN change_from TEXT;
ALTER TABLE timeline_entries ADD COLUMN change_to TEXT;

-- Co-workers beside the case manager; the next planned contact; a handover by a supervisor
-- until the receiving worker acknowledges it.
ALTER TABLE cases ADD COLUMN co_worker_ids JSON NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN follow_up_on TEXT;
ALTER TABLE cases ADD COLUMN handover_at TEXT;
ALTER TABLE cases ADD COLUMN handover_acknowledged_at TEXT;
CREATE INDEX cases_follow_up ON cases(follow_up_on);
-- The next due date is worked out from what is due (`records::today`), never stored: no
-- version ever wrote it.
ALTER TABLE cases DROP COLUMN next_due_date;

-- A party removed from a case (named by mistake) stays in the log; it no longer shows or
-- leads a search to the case.
ALTER TABLE case_parties ADD COLUMN removed BOOLEAN NOT NULL DEFAULT 0;

-- When the agency's reply is expected.
ALTER TABLE referrals ADD COLUMN reply_by TEXT;

CREATE INDEX action_items_case ON action_items(case_id);

-- What was typed in an open form when the book locked, given back to the same user after
-- sign-in. This laptop's own: never an event, never synced.
CREATE TABLE drafts (
  user_id TEXT NOT NULL, form TEXT NOT NULL, body TEXT NOT NULL, saved_at TEXT NOT NULL,
  PRIMARY KEY (user_id, form)
) STRICT;
