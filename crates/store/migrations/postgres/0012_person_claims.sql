-- A person registered by a caller who cannot see the person already holding
-- that resident ID (issue 11): no second row is written and the caller is
-- told nothing; the claim waits here for the bureau, which resolves it.
CREATE TABLE person_claims (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    -- The name the claimant typed (the number is the person's own).
    claimed_name TEXT NOT NULL,
    claimant_name TEXT NOT NULL,
    claimant_role TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    resolved_by TEXT
);
CREATE INDEX person_claims_open ON person_claims (id) WHERE resolved_at IS NULL;
