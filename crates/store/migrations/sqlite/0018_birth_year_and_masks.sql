-- Security issue 11, finding 1: the old mask `310109********3027` hid only
-- the birth date, which was stored and shown beside it, so the two made the
-- full number. People now keep only the birth year (and sex), and every
-- masked copy follows the one scheme of domain::resident_id: a resident ID
-- keeps its first and last character (`3****************7`), a phone its
-- first three and last two digits (`138******78`). Both new masks are cut
-- from the old ones, so SQL can redo them without the key. Text too short
-- to have been masked in part was starred whole and stays so.

-- SQLite adds a NOT NULL column only with a default; every insert names it.
ALTER TABLE people ADD COLUMN birth_year BIGINT NOT NULL DEFAULT 0;
UPDATE people SET birth_year = CAST(substr(birth_date, 1, 4) AS INTEGER);
ALTER TABLE people DROP COLUMN birth_date;

-- `replace(hex(zeroblob(n)), '00', '*')` is n stars (SQLite has no repeat()).
UPDATE people SET resident_id_masked =
    substr(resident_id_masked, 1, 1)
    || replace(hex(zeroblob(length(resident_id_masked) - 2)), '00', '*')
    || substr(resident_id_masked, length(resident_id_masked), 1)
WHERE length(resident_id_masked) >= 10;

UPDATE people SET phone_masked =
    substr(phone_masked, 1, 3)
    || replace(hex(zeroblob(length(phone_masked) - 5)), '00', '*')
    || substr(phone_masked, length(phone_masked) - 1, 2)
WHERE length(phone_masked) >= 7;

UPDATE organizations SET contact_phone_masked =
    substr(contact_phone_masked, 1, 3)
    || replace(hex(zeroblob(length(contact_phone_masked) - 5)), '00', '*')
    || substr(contact_phone_masked, length(contact_phone_masked) - 1, 2)
WHERE length(contact_phone_masked) >= 7;
