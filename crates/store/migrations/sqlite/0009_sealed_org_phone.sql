-- Organisations' contact phones are kept sealed (AES-256-GCM) with a masked
-- copy for display, as people's phones are since 0008. Rows written before
-- this migration still hold the plain number in `contact_phone` until the
-- application seals them at start-up (`Registry::seal_personal_data`, rows
-- with `contact_phone IS NOT NULL`), which also clears it; the key is not in
-- the database, so SQL cannot. New writes leave `contact_phone` NULL.
ALTER TABLE organizations ADD COLUMN contact_phone_sealed TEXT;
ALTER TABLE organizations ADD COLUMN contact_phone_masked TEXT;
