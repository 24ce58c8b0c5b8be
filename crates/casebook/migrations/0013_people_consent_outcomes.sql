-- 0013: people, consent and outcomes.

-- A person recorded without a name: a description instead ("เด็กชาย ไม่ทราบชื่อ อายุประมาณ 8
-- ปี"), or a hotline reporter who gave none (`anonymous`). A Thai citizen whose card was not at
-- hand has `id_to_follow` until the number is added.
ALTER TABLE persons ADD COLUMN description TEXT;
ALTER TABLE persons ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN id_to_follow BOOLEAN NOT NULL DEFAULT 0;
-- Two records found to be one person: the later record points at the earlier one, which
-- stays (records::merge). Never a foreign key: the earlier record may reach a laptop later.
ALTER TABLE persons ADD COLUMN merged_into TEXT;
-- A survivor who, with their own consent, supports others as a peer volunteer or mentor.
ALTER TABLE persons ADD COLUMN volunteer TEXT;
ALTER TABLE persons ADD COLUMN volunteer_consent_on TEXT;
CREATE INDEX persons_merged ON persons(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX persons_id_number ON persons(id_number) WHERE id_number IS NOT NULL;
CREATE INDEX persons_phone ON persons(phone) WHERE phone IS NOT NULL;

-- The description is searched like a name.
DROP TRIGGER persons_search_ai;
DROP TRIGGER persons_search_au;
CREATE TRIGGER persons_search_ai AFTER INSERT ON persons BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone, new.description), 1);
END;
CREATE TRIGGER persons_search_au AFTER UPDATE OF name_th, name_latin, id_number, phone, description ON persons BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone, new.description), 0);
END;

-- The consent ledger: on what ground each use of a case's data rests, per purpose (services,
-- a referral to a named agency, sharing with another unit, photos, a case conference): the
-- consent of the client, or of a child's guardian with the child's own assent; or, without
-- consent, a legal basis and the reason for relying on it.
CREATE TABLE consents (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), purpose TEXT NOT NULL,
  agency_id TEXT, to_unit TEXT, basis TEXT NOT NULL,
  given_by TEXT, guardian_name TEXT, child_assent BOOLEAN, method TEXT, given_on TEXT NOT NULL,
  reason TEXT, revoked_on TEXT, revoke_reason TEXT, form_sha256 TEXT, author_id TEXT
);
CREATE INDEX consents_case ON consents(case_id);
-- The ledger row a referral rests on.
ALTER TABLE referrals ADD COLUMN consent_id TEXT;

-- Outcomes on the person: each domain (the four necessities, safety, health, education,
-- income, documents) rated 1-4 at intake (baseline), at reviews and at closure.
CREATE TABLE assessments (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), stage TEXT NOT NULL, assessed_on TEXT NOT NULL,
  levels JSON NOT NULL DEFAULT '{}', note TEXT, author_id TEXT
);
CREATE INDEX assessments_case ON assessments(case_id, assessed_on);

-- When a care-plan goal is next reviewed.
ALTER TABLE care_plan_goals ADD COLUMN review_on TEXT;

-- Interpreted sessions: the language, the interpreter and their agency, and the pledge of
-- confidentiality.
CREATE TABLE interpreter_sessions (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), held_on TEXT NOT NULL, language TEXT NOT NULL,
  language_other TEXT, interpreter TEXT NOT NULL, agency TEXT, pledged BOOLEAN NOT NULL DEFAULT 0,
  author_id TEXT
);
CREATE INDEX interpreter_sessions_case ON interpreter_sessions(case_id);
