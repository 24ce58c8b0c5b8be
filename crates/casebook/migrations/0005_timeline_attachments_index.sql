-- 0005: the few timeline entries that name attachments, indexed: every sync asks which
-- attachments are still to send or fetch (blobs.rs), and scanning all entries for that took
-- 1.7 s on a 100,000-case book (a million entries).
CREATE INDEX timeline_with_attachments ON timeline_entries(id) WHERE attachments <> '[]';
