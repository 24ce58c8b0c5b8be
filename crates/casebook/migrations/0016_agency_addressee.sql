-- 0016: whom a letter to an agency goes to (the head's title, e.g. ผู้กำกับการสถานีตำรวจภูธร…,
-- nothing for the default by the agency's type), how it is addressed (เรียน, or กราบเรียน for
-- the highest offices), and agencies retired from the directory (kept for the letters sent).
ALTER TABLE agencies ADD COLUMN addressee TEXT;
ALTER TABLE agencies ADD COLUMN salutation TEXT NOT NULL DEFAULT 'respectful';
ALTER TABLE agencies ADD COLUMN retired BOOLEAN NOT NULL DEFAULT 0;
