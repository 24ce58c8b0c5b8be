-- 0003: rows for the search index wait in a queue that is moved into the index once per
-- transaction (search.rs, flush). FTS5 writes a new index segment at the start of every
-- statement that touches it inside a transaction, so a trigger feeding it directly made one
-- segment per row: slow bulk writes and sync, and later merges. `fresh` marks a new record,
-- which has nothing in the index to replace.
CREATE TABLE search_queue (
  seq INTEGER PRIMARY KEY, entity TEXT NOT NULL, entity_id TEXT NOT NULL, body TEXT,
  fresh INTEGER NOT NULL
) STRICT;
CREATE INDEX search_queue_record ON search_queue(entity, entity_id, seq);

DROP TRIGGER persons_search_ai;
DROP TRIGGER persons_search_au;
DROP TRIGGER cases_search_ai;
DROP TRIGGER timeline_search_ai;
DROP TRIGGER timeline_search_au;

CREATE TRIGGER persons_search_ai AFTER INSERT ON persons BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone), 1);
END;
CREATE TRIGGER persons_search_au AFTER UPDATE OF name_th, name_latin, id_number, phone ON persons BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('person', new.id,
    concat_ws(' ', new.name_th, new.name_latin, new.id_number, new.phone), 0);
END;
CREATE TRIGGER cases_search_ai AFTER INSERT ON cases BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('case', new.id, new.case_number, 1);
END;
CREATE TRIGGER timeline_search_ai AFTER INSERT ON timeline_entries BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('timeline', new.id, new.body, 1);
END;
CREATE TRIGGER timeline_search_au AFTER UPDATE OF body ON timeline_entries BEGIN
  INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES ('timeline', new.id, new.body, 0);
END;
