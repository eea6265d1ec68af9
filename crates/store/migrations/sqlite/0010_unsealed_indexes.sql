-- Every command asks at start for rows not yet sealed (Registry::seal_personal_data).
-- These partial indexes hold only such rows: once all are sealed they are
-- empty, and the question costs nothing instead of a scan of both tables.
CREATE INDEX people_unsealed ON people (id) WHERE resident_id_sealed IS NULL;
CREATE INDEX organizations_unsealed ON organizations (id) WHERE contact_phone IS NOT NULL;
