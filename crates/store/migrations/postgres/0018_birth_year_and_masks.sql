-- Security issue 11, finding 1: the old mask `310109********3027` hid only
-- the birth date, which was stored and shown beside it, so the two made the
-- full number. People now keep only the birth year (and sex), and every
-- masked copy follows the one scheme of domain::resident_id: a resident ID
-- keeps its first and last character (`3****************7`), a phone its
-- first three and last two digits (`138******78`). Both new masks are cut
-- from the old ones, so SQL can redo them without the key. Text too short
-- to have been masked in part was starred whole and stays so.

ALTER TABLE people ADD COLUMN birth_year BIGINT;
UPDATE people SET birth_year = EXTRACT(YEAR FROM birth_date);
ALTER TABLE people ALTER COLUMN birth_year SET NOT NULL;
ALTER TABLE people DROP COLUMN birth_date;

UPDATE people SET resident_id_masked =
    substr(resident_id_masked, 1, 1)
    || repeat('*', length(resident_id_masked) - 2)
    || substr(resident_id_masked, length(resident_id_masked), 1)
WHERE length(resident_id_masked) >= 10;

UPDATE people SET phone_masked =
    substr(phone_masked, 1, 3)
    || repeat('*', length(phone_masked) - 5)
    || substr(phone_masked, length(phone_masked) - 1, 2)
WHERE length(phone_masked) >= 7;

UPDATE organizations SET contact_phone_masked =
    substr(contact_phone_masked, 1, 3)
    || repeat('*', length(contact_phone_masked) - 5)
    || substr(contact_phone_masked, length(contact_phone_masked) - 1, 2)
WHERE length(contact_phone_masked) >= 7;
