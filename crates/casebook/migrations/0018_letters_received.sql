-- 0018: the letters received (ทะเบียนหนังสือรับ): a returned reply slip or a partner's letter,
-- logged with its number, date and sender and the scan. Each laptop numbers the letters it
-- logs per Buddhist year (`device_id`, `number`): the hub allots no numbers of this kind. A
-- letter answering a referral lives in the referral's case (erased with it); one answering
-- none is its unit's own.
CREATE TABLE received_letters (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  be_year INTEGER NOT NULL, number INTEGER NOT NULL, device_id TEXT NOT NULL,
  received_on TEXT NOT NULL, their_number TEXT, their_date TEXT,
  sender_agency_id TEXT REFERENCES agencies(id), sender TEXT, subject TEXT NOT NULL,
  case_id TEXT REFERENCES cases(id), referral_id TEXT REFERENCES referrals(id),
  reply_status TEXT, reply TEXT, scan_sha256 TEXT, author_id TEXT,
  cancelled BOOLEAN NOT NULL DEFAULT 0, cancel_reason TEXT,
  UNIQUE (unit_code, be_year, device_id, number)
);
CREATE INDEX received_letters_case ON received_letters(case_id) WHERE case_id IS NOT NULL;
