-- Substring search on organisation names: pairs of adjacent characters and
-- the last character (domain::search::name_grams), filled by the store on
-- every write and backfilled at start-up for rows written before this table.
-- "C" collation: one-character queries are byte-order prefix ranges.
CREATE TABLE org_name_grams (
    gram TEXT COLLATE "C" NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (gram, org_id)
);
CREATE INDEX org_name_grams_org ON org_name_grams (org_id);
