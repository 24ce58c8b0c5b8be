-- 0001: the first schema. Released migrations are never edited; later ones only add.
-- Every entity row: id (UUIDv7 text), unit_code (origin), created_at, updated_at (ISO-8601 UTC).
-- Column type JSON marks a column holding a JSON array/object; BOOLEAN holds 0/1.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE users (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, role TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE persons (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  name_th TEXT, name_latin TEXT, id_kind TEXT NOT NULL, id_number TEXT, id_country TEXT,
  birth_date TEXT, estimated_age INTEGER, sex TEXT NOT NULL, nationality TEXT,
  languages JSON NOT NULL DEFAULT '[]', needs_interpreter BOOLEAN NOT NULL DEFAULT 0,
  area_code TEXT, address TEXT, phone TEXT, flags JSON NOT NULL DEFAULT '[]'
);

CREATE TABLE cases (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_number TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL REFERENCES persons(id),
  source TEXT NOT NULL, categories JSON NOT NULL DEFAULT '[]', violence_types JSON NOT NULL DEFAULT '[]',
  -- No foreign key on the case manager: a case transferred in from another unit names that
  -- unit's worker (whose user record stays in the other book) until someone here takes it.
  risk TEXT NOT NULL, status TEXT NOT NULL, case_manager_id TEXT,
  incident_at TEXT, consent TEXT, legal_basis TEXT, retention_date TEXT,
  closure_reason TEXT, outcome TEXT, next_due_date TEXT,
  -- The unit responsible for the case now (its own unit until a transfer).
  held_by TEXT
);
CREATE INDEX cases_status ON cases(status, risk);
CREATE INDEX cases_manager ON cases(case_manager_id);
CREATE INDEX cases_client ON cases(client_id);
CREATE INDEX cases_created ON cases(created_at);

CREATE TABLE case_parties (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), person_id TEXT NOT NULL REFERENCES persons(id),
  role TEXT NOT NULL, relationship TEXT
);
CREATE INDEX case_parties_case ON case_parties(case_id);
CREATE INDEX case_parties_person ON case_parties(person_id);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), occurred_at TEXT, place_kind TEXT, area_code TEXT,
  description TEXT, violence_types JSON NOT NULL DEFAULT '[]'
);
CREATE INDEX incidents_case ON incidents(case_id);

CREATE TABLE timeline_entries (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), kind TEXT NOT NULL, body TEXT NOT NULL,
  occurred_at TEXT NOT NULL, late BOOLEAN NOT NULL DEFAULT 0, author_id TEXT,
  attachments JSON NOT NULL DEFAULT '[]'
);
CREATE INDEX timeline_case ON timeline_entries(case_id, occurred_at);

CREATE TABLE care_plan_goals (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), domain TEXT NOT NULL, goal TEXT NOT NULL,
  agency_id TEXT, due_date TEXT, status TEXT NOT NULL, outcome TEXT
);
CREATE INDEX goals_case ON care_plan_goals(case_id);

CREATE TABLE agencies (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  name TEXT NOT NULL, agency_type TEXT NOT NULL, address TEXT, contacts JSON NOT NULL DEFAULT '[]',
  services JSON NOT NULL DEFAULT '[]', mission TEXT,
  -- The partner's unit code on the province hub, when it keeps its cases in this app.
  hub_unit TEXT
);

CREATE TABLE referrals (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id), agency_id TEXT NOT NULL REFERENCES agencies(id),
  reason TEXT NOT NULL, services JSON NOT NULL DEFAULT '[]', urgency TEXT NOT NULL,
  letter_number TEXT, status TEXT NOT NULL, reply TEXT,
  -- The unit the referral shares the case with through the hub (the agency's hub unit).
  to_unit TEXT
);
CREATE INDEX referrals_case ON referrals(case_id);

CREATE TABLE conferences (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  held_at TEXT NOT NULL, venue TEXT, chair TEXT, minute_taker TEXT, status TEXT NOT NULL
);
CREATE TABLE conference_attendees (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  conference_id TEXT NOT NULL REFERENCES conferences(id), name TEXT NOT NULL, agency_id TEXT,
  agency_name TEXT, role TEXT, confidentiality_ack BOOLEAN NOT NULL DEFAULT 0
);
CREATE TABLE conference_cases (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  conference_id TEXT NOT NULL REFERENCES conferences(id), case_id TEXT NOT NULL REFERENCES cases(id),
  position INTEGER NOT NULL, summary TEXT, risk_assessment TEXT, decisions TEXT
);
CREATE TABLE action_items (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  conference_case_id TEXT NOT NULL REFERENCES conference_cases(id), case_id TEXT NOT NULL REFERENCES cases(id),
  task TEXT NOT NULL, agency_id TEXT, agency_name TEXT, person TEXT, due_date TEXT, status TEXT NOT NULL,
  domain TEXT NOT NULL DEFAULT 'safety', goal_id TEXT
);

CREATE TABLE letter_register (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  be_year INTEGER NOT NULL, number INTEGER NOT NULL, issued_by TEXT NOT NULL, subject TEXT NOT NULL,
  referral_id TEXT, cancelled BOOLEAN NOT NULL DEFAULT 0, cancel_reason TEXT,
  UNIQUE (unit_code, be_year, number)
);

CREATE TABLE attachments (
  sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
-- Attachments the hub is known to hold (sent from here, or received from it).
CREATE TABLE blobs_at_hub (sha256 TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

CREATE TABLE lookups (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  kind TEXT NOT NULL, code TEXT NOT NULL, label_th TEXT NOT NULL, label_en TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT 1, UNIQUE (kind, code)
);

-- Administrative areas: reference data loaded from assets/, not events.
CREATE TABLE areas (
  code TEXT PRIMARY KEY, level TEXT NOT NULL, parent_code TEXT, name_th TEXT NOT NULL,
  name_en TEXT NOT NULL, postcode TEXT
) STRICT;
CREATE INDEX areas_parent ON areas(parent_code);

CREATE TABLE data_subject_requests (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  person_id TEXT REFERENCES persons(id), kind TEXT NOT NULL, received_on TEXT NOT NULL,
  due_on TEXT NOT NULL, status TEXT NOT NULL, answered_on TEXT, notes TEXT
);
CREATE TABLE breaches (
  id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  discovered_at TEXT NOT NULL, notify_by TEXT NOT NULL, description TEXT NOT NULL,
  status TEXT NOT NULL, notified_at TEXT
);

-- Case numbers: the last number this book issued per unit and Buddhist year (numbers grow
-- past 9999, so the highest case number string is not the highest number).
CREATE TABLE case_counters (
  unit_code TEXT NOT NULL, be_year INTEGER NOT NULL, last INTEGER NOT NULL,
  PRIMARY KEY (unit_code, be_year)
) STRICT;

-- The append-only, hash-chained audit log.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id TEXT, action TEXT NOT NULL,
  entity TEXT, entity_id TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
) STRICT;

-- The event log: every device's append-only log of changes; the state tables derive from it.
CREATE TABLE events (
  rowid_ INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL, hlc TEXT NOT NULL, user_id TEXT, schema_version INTEGER NOT NULL,
  entity TEXT NOT NULL, entity_id TEXT NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL,
  bases TEXT NOT NULL, UNIQUE (device_id, device_seq)
) STRICT;
CREATE INDEX events_entity ON events(entity, entity_id);

-- The clock of the value each field of a record holds now (the merge's "base"), as a JSON
-- object field -> HLC: one row per record keeps a write to one read and one write.
CREATE TABLE field_clocks (
  entity TEXT NOT NULL, entity_id TEXT NOT NULL, clocks TEXT NOT NULL,
  PRIMARY KEY (entity, entity_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
-- Events of a schema or wire version this book does not know: kept whole, applied after an upgrade.
CREATE TABLE quarantine (event_id TEXT PRIMARY KEY, body TEXT NOT NULL, received_at TEXT NOT NULL) STRICT;
-- Received records that refer to one not received yet: written once it comes.
CREATE TABLE sync_pending (entity TEXT NOT NULL, entity_id TEXT NOT NULL, PRIMARY KEY (entity, entity_id)) STRICT, WITHOUT ROWID;
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY, entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL,
  kept_value TEXT, kept_hlc TEXT NOT NULL, other_value TEXT, other_hlc TEXT NOT NULL,
  detected_at TEXT NOT NULL, resolved_at TEXT
) STRICT;
CREATE INDEX conflicts_record ON conflicts(entity, entity_id, field);

-- Search: one trigram index (Thai has no spaces between words) fed by triggers, so every
-- transaction that writes a row keeps the index in step.
CREATE VIRTUAL TABLE search_index USING fts5(
  entity UNINDEXED, entity_id UNINDEXED, body, tokenize = 'trigram'
);

CREATE TRIGGER persons_search_ai AFTER INSERT ON persons BEGIN
  INSERT INTO search_index(entity, entity_id, body) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone));
END;
CREATE TRIGGER persons_search_au AFTER UPDATE ON persons BEGIN
  DELETE FROM search_index WHERE entity = 'person' AND entity_id = old.id;
  INSERT INTO search_index(entity, entity_id, body) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone));
END;
CREATE TRIGGER cases_search_ai AFTER INSERT ON cases BEGIN
  INSERT INTO search_index(entity, entity_id, body) VALUES ('case', new.id, new.case_number);
END;
CREATE TRIGGER timeline_search_ai AFTER INSERT ON timeline_entries BEGIN
  INSERT INTO search_index(entity, entity_id, body) VALUES ('timeline', new.id, new.body);
END;
CREATE TRIGGER timeline_search_au AFTER UPDATE OF body ON timeline_entries BEGIN
  DELETE FROM search_index WHERE entity = 'timeline' AND entity_id = old.id;
  INSERT INTO search_index(entity, entity_id, body) VALUES ('timeline', new.id, new.body);
END;
