-- Substring search on organisation names: pairs of adjacent characters and
-- the last character (domain::search::name_grams), filled by the store on
-- every write and backfilled at start-up for rows written before this table.
CREATE TABLE org_name_grams (
    gram TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (gram, org_id)
) WITHOUT ROWID;
CREATE INDEX org_name_grams_org ON org_name_grams (org_id);
