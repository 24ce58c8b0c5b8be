-- 0006: the search index merges its segments 16 at a time instead of 4. Each merge rewrites
-- what it merges, so with 4 a first sync wrote the index about five times over (one segment per
-- 2,000 events taken in). Idle housekeeping (`maintain`) still merges in fours meanwhile
-- ('usermerge'), so searches do not meet more segments than before.
INSERT INTO search_index (search_index, rank) VALUES ('automerge', 16);
