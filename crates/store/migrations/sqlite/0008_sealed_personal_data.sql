-- Resident IDs and phones of people are kept sealed (AES-256-GCM) with masked
-- copies for display; a keyed hash finds a person by ID number. The old column
-- becomes the lookup column so its UNIQUE index stays (SQLite cannot drop a
-- UNIQUE column). Rows written before this migration still hold plaintext in
-- `resident_id_lookup` and `phone` until the application seals them at start-up
-- (`Registry::seal_personal_data`, rows with `resident_id_sealed IS NULL`),
-- which also clears `phone`; the key is not in the database, so SQL cannot.
ALTER TABLE people RENAME COLUMN resident_id TO resident_id_lookup;
ALTER TABLE people ADD COLUMN resident_id_sealed TEXT;
ALTER TABLE people ADD COLUMN resident_id_masked TEXT;
ALTER TABLE people ADD COLUMN phone_sealed TEXT;
ALTER TABLE people ADD COLUMN phone_masked TEXT;
