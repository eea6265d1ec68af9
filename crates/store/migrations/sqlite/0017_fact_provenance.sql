-- Facts the bureau can trust (issue 10): every fact row says where it came
-- from, and an organisation's declarations wait in `declarations` until a
-- sub-district or the bureau verifies them. Fact tables hold only verified
-- facts, so everything that reads them (rules, eligibility, payments, public
-- pages, downloads) is unchanged.
--
-- Provenance: `source` is declaration | record | import | migration
-- (`domain::facts::FactSource`); `stated_by`/`stated_role` the account that
-- stated it, `verified_by`/`verified_at` who verified it and when (for a
-- record, the recording account itself). Rows written before this migration
-- are 'migration'; bulk loads that do not say otherwise are 'import'.

ALTER TABLE inspections ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE inspections ADD COLUMN stated_by TEXT;
ALTER TABLE inspections ADD COLUMN stated_role TEXT;
ALTER TABLE inspections ADD COLUMN verified_by TEXT;
ALTER TABLE inspections ADD COLUMN verified_at TIMESTAMP;
UPDATE inspections SET source = 'migration';

ALTER TABLE ratings ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE ratings ADD COLUMN stated_by TEXT;
ALTER TABLE ratings ADD COLUMN stated_role TEXT;
ALTER TABLE ratings ADD COLUMN verified_by TEXT;
ALTER TABLE ratings ADD COLUMN verified_at TIMESTAMP;
UPDATE ratings SET source = 'migration';

ALTER TABLE honours ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE honours ADD COLUMN stated_by TEXT;
ALTER TABLE honours ADD COLUMN stated_role TEXT;
ALTER TABLE honours ADD COLUMN verified_by TEXT;
ALTER TABLE honours ADD COLUMN verified_at TIMESTAMP;
UPDATE honours SET source = 'migration';

ALTER TABLE credit_entries ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE credit_entries ADD COLUMN stated_by TEXT;
ALTER TABLE credit_entries ADD COLUMN stated_role TEXT;
ALTER TABLE credit_entries ADD COLUMN verified_by TEXT;
ALTER TABLE credit_entries ADD COLUMN verified_at TIMESTAMP;
UPDATE credit_entries SET source = 'migration';

ALTER TABLE party_building ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE party_building ADD COLUMN stated_by TEXT;
ALTER TABLE party_building ADD COLUMN stated_role TEXT;
ALTER TABLE party_building ADD COLUMN verified_by TEXT;
ALTER TABLE party_building ADD COLUMN verified_at TIMESTAMP;
UPDATE party_building SET source = 'migration';

ALTER TABLE finances ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE finances ADD COLUMN stated_by TEXT;
ALTER TABLE finances ADD COLUMN stated_role TEXT;
ALTER TABLE finances ADD COLUMN verified_by TEXT;
ALTER TABLE finances ADD COLUMN verified_at TIMESTAMP;
UPDATE finances SET source = 'migration';

ALTER TABLE qualifications ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE qualifications ADD COLUMN stated_by TEXT;
ALTER TABLE qualifications ADD COLUMN stated_role TEXT;
ALTER TABLE qualifications ADD COLUMN verified_by TEXT;
ALTER TABLE qualifications ADD COLUMN verified_at TIMESTAMP;
UPDATE qualifications SET source = 'migration';

ALTER TABLE employments ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE employments ADD COLUMN stated_by TEXT;
ALTER TABLE employments ADD COLUMN stated_role TEXT;
ALTER TABLE employments ADD COLUMN verified_by TEXT;
ALTER TABLE employments ADD COLUMN verified_at TIMESTAMP;
UPDATE employments SET source = 'migration';

ALTER TABLE annual_reviews ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE annual_reviews ADD COLUMN stated_by TEXT;
ALTER TABLE annual_reviews ADD COLUMN stated_role TEXT;
ALTER TABLE annual_reviews ADD COLUMN verified_by TEXT;
ALTER TABLE annual_reviews ADD COLUMN verified_at TIMESTAMP;
UPDATE annual_reviews SET source = 'migration';

ALTER TABLE leases ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE leases ADD COLUMN stated_by TEXT;
ALTER TABLE leases ADD COLUMN stated_role TEXT;
ALTER TABLE leases ADD COLUMN verified_by TEXT;
ALTER TABLE leases ADD COLUMN verified_at TIMESTAMP;
UPDATE leases SET source = 'migration';

ALTER TABLE startup_applications ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE startup_applications ADD COLUMN stated_by TEXT;
ALTER TABLE startup_applications ADD COLUMN stated_role TEXT;
ALTER TABLE startup_applications ADD COLUMN verified_by TEXT;
ALTER TABLE startup_applications ADD COLUMN verified_at TIMESTAMP;
UPDATE startup_applications SET source = 'migration';

ALTER TABLE venture_projects ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE venture_projects ADD COLUMN stated_by TEXT;
ALTER TABLE venture_projects ADD COLUMN stated_role TEXT;
ALTER TABLE venture_projects ADD COLUMN verified_by TEXT;
ALTER TABLE venture_projects ADD COLUMN verified_at TIMESTAMP;
UPDATE venture_projects SET source = 'migration';

ALTER TABLE competition_wins ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE competition_wins ADD COLUMN stated_by TEXT;
ALTER TABLE competition_wins ADD COLUMN stated_role TEXT;
ALTER TABLE competition_wins ADD COLUMN verified_by TEXT;
ALTER TABLE competition_wins ADD COLUMN verified_at TIMESTAMP;
UPDATE competition_wins SET source = 'migration';

ALTER TABLE supervisor_reviews ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE supervisor_reviews ADD COLUMN stated_by TEXT;
ALTER TABLE supervisor_reviews ADD COLUMN stated_role TEXT;
ALTER TABLE supervisor_reviews ADD COLUMN verified_by TEXT;
ALTER TABLE supervisor_reviews ADD COLUMN verified_at TIMESTAMP;
UPDATE supervisor_reviews SET source = 'migration';

ALTER TABLE senior_award_decisions ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE senior_award_decisions ADD COLUMN stated_by TEXT;
ALTER TABLE senior_award_decisions ADD COLUMN stated_role TEXT;
ALTER TABLE senior_award_decisions ADD COLUMN verified_by TEXT;
ALTER TABLE senior_award_decisions ADD COLUMN verified_at TIMESTAMP;
UPDATE senior_award_decisions SET source = 'migration';

-- A declaration: the fields as typed (JSON text), checked with the same
-- validation as a record when made and again when verified; `fact_id` is
-- the fact row verification wrote (in the table of `kind`).
CREATE TABLE declarations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    person_id BIGINT REFERENCES people(id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'RETURNED')),
    stated_by TEXT NOT NULL,
    stated_role TEXT NOT NULL,
    stated_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    reason TEXT,
    fact_id BIGINT,
    CHECK (status = 'PENDING' OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
    CHECK (decided_by IS NULL OR decided_by <> stated_by)
);
CREATE INDEX declarations_org ON declarations (org_id, status, id);
CREATE INDEX declarations_status ON declarations (status, id);
CREATE INDEX declarations_person ON declarations (person_id, status);
