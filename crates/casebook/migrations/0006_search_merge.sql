-- 0006: the search index merges its segments 16 at a time instead of 4. Each merge rewrites
-- what it merges, and a first sync adds one segment per 2,000 events taken in: merging in fours,
-- a 10,000-case pull wrote 737 MB, in sixteens 642 MB. Idle housekeeping (`maintain`) still
-- merges levels of 4 or more segments ('usermerge'), so searches soon meet no more than before.
INSERT INTO search_index (search_index, rank) VALUES ('automerge', 16);
