-- 0004: a record's field clocks are kept grouped by clock, {"hlc": ["field", …]}, instead of
-- field -> clock (events.rs, clocks): most fields of a record share one clock, and the old
-- form made field_clocks the largest table of a book.
UPDATE field_clocks SET clocks = (
  SELECT json_group_object(hlc, json(fields)) FROM (
    SELECT value AS hlc, json_group_array(key) AS fields
    FROM json_each(field_clocks.clocks) WHERE type = 'text' GROUP BY value
  )
);
