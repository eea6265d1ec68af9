-- Security issue 11, finding 2: an organisation that changed its credit code
-- could be paid twice for one entitlement, because applications and payments
-- named it by that code. They now name their beneficiary by the registry's
-- own id (organizations.id, people.id) and the no-double-payment key is
-- (rule, beneficiary kind, internal id, event key). beneficiary_id keeps the
-- credit code (or person key `P` + eight digits) as applied for: display only.

ALTER TABLE applications ADD COLUMN beneficiary_org_id BIGINT REFERENCES organizations(id);
ALTER TABLE applications ADD COLUMN beneficiary_person_id BIGINT REFERENCES people(id);

-- Every credit code an organisation has had: the current one and, walking
-- back through the audit trail's recorded changes, the earlier ones (so an
-- application made before a change still finds its organisation).
CREATE TEMP TABLE org_codes AS
WITH RECURSIVE renames(old_code, new_code) AS (
    SELECT json_extract(changes, '$.credit_code[0]'), json_extract(changes, '$.credit_code[1]')
    FROM audit_log
    WHERE entity_kind = 'organization' AND action = 'update'
      AND json_extract(changes, '$.credit_code[0]') IS NOT NULL
),
codes(org_id, code) AS (
    SELECT id, credit_code FROM organizations
    UNION
    SELECT c.org_id, r.old_code FROM codes c JOIN renames r ON r.new_code = c.code
)
SELECT org_id, code FROM codes;

-- The organisation holding the code today first; else the one that held it.
UPDATE applications SET beneficiary_org_id = COALESCE(
    (SELECT o.id FROM organizations o WHERE o.credit_code = applications.beneficiary_id),
    (SELECT MIN(c.org_id) FROM org_codes c WHERE c.code = applications.beneficiary_id))
WHERE beneficiary_kind = 'organisation';
DROP TABLE org_codes;

UPDATE applications SET beneficiary_person_id =
    (SELECT p.id FROM people p WHERE p.id = CAST(substr(applications.beneficiary_id, 2) AS INTEGER))
WHERE beneficiary_kind = 'person' AND beneficiary_id GLOB 'P[0-9]*';

-- An application whose beneficiary cannot be found stops the migration: its
-- entitlement would otherwise lose the protection this migration adds.
CREATE TEMP TABLE migration_0015_check (
    unmatched BIGINT NOT NULL
        CONSTRAINT applications_beneficiary_registered CHECK (unmatched = 0)
);
INSERT INTO migration_0015_check
SELECT COUNT(*) FROM applications
WHERE (beneficiary_kind = 'organisation' AND beneficiary_org_id IS NULL)
   OR (beneficiary_kind = 'person' AND beneficiary_person_id IS NULL);
DROP TABLE migration_0015_check;

-- SQLite cannot add a table constraint to an existing table; triggers hold
-- new and changed rows to it.
CREATE TRIGGER applications_beneficiary_insert BEFORE INSERT ON applications
WHEN NOT ((NEW.beneficiary_kind = 'organisation' AND NEW.beneficiary_org_id IS NOT NULL
           AND NEW.beneficiary_person_id IS NULL)
       OR (NEW.beneficiary_kind = 'person' AND NEW.beneficiary_person_id IS NOT NULL
           AND NEW.beneficiary_org_id IS NULL))
BEGIN
    SELECT RAISE(ABORT, 'applications_beneficiary_registered');
END;
CREATE TRIGGER applications_beneficiary_update
BEFORE UPDATE OF beneficiary_kind, beneficiary_org_id, beneficiary_person_id ON applications
WHEN NOT ((NEW.beneficiary_kind = 'organisation' AND NEW.beneficiary_org_id IS NOT NULL
           AND NEW.beneficiary_person_id IS NULL)
       OR (NEW.beneficiary_kind = 'person' AND NEW.beneficiary_person_id IS NOT NULL
           AND NEW.beneficiary_org_id IS NULL))
BEGIN
    SELECT RAISE(ABORT, 'applications_beneficiary_registered');
END;

DROP INDEX applications_entitlement;
CREATE INDEX applications_entitlement_org
    ON applications (rule, beneficiary_org_id, event_key) WHERE beneficiary_org_id IS NOT NULL;
CREATE INDEX applications_entitlement_person
    ON applications (rule, beneficiary_person_id, event_key) WHERE beneficiary_person_id IS NOT NULL;

-- payments: the old unique key is part of the table, so the table is rebuilt.
-- `duplicate_of` marks a payment made twice before this migration (the
-- finding's case): both rows stay on record, the later one names the first
-- and is left out of the unique key, which holds for every new payment.
CREATE TABLE payments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications(id),
    rule TEXT NOT NULL,
    beneficiary_kind TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    beneficiary_org_id BIGINT REFERENCES organizations(id),
    beneficiary_person_id BIGINT REFERENCES people(id),
    event_key TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    budget_line_id BIGINT NOT NULL REFERENCES budget_lines(id),
    payer_name TEXT NOT NULL,
    paid_at TIMESTAMP NOT NULL,
    duplicate_of BIGINT,
    CONSTRAINT payments_beneficiary_registered CHECK (
        (beneficiary_kind = 'organisation' AND beneficiary_org_id IS NOT NULL
         AND beneficiary_person_id IS NULL)
     OR (beneficiary_kind = 'person' AND beneficiary_person_id IS NOT NULL
         AND beneficiary_org_id IS NULL))
);
INSERT INTO payments_new (id, application_id, rule, beneficiary_kind, beneficiary_id,
    beneficiary_org_id, beneficiary_person_id, event_key, amount_fen, budget_line_id,
    payer_name, paid_at)
SELECT p.id, p.application_id, p.rule, p.beneficiary_kind, p.beneficiary_id,
    a.beneficiary_org_id, a.beneficiary_person_id, p.event_key, p.amount_fen, p.budget_line_id,
    p.payer_name, p.paid_at
FROM payments p JOIN applications a ON a.id = p.application_id;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;

UPDATE payments SET duplicate_of = (
    SELECT MIN(q.id) FROM payments q
    WHERE q.rule = payments.rule AND q.beneficiary_kind = payments.beneficiary_kind
      AND q.beneficiary_org_id IS payments.beneficiary_org_id
      AND q.beneficiary_person_id IS payments.beneficiary_person_id
      AND q.event_key = payments.event_key AND q.id < payments.id);

CREATE UNIQUE INDEX payments_entitlement_org
    ON payments (rule, beneficiary_kind, beneficiary_org_id, event_key)
    WHERE beneficiary_org_id IS NOT NULL AND duplicate_of IS NULL;
CREATE UNIQUE INDEX payments_entitlement_person
    ON payments (rule, beneficiary_kind, beneficiary_person_id, event_key)
    WHERE beneficiary_person_id IS NOT NULL AND duplicate_of IS NULL;
CREATE INDEX payments_beneficiary_org ON payments (beneficiary_org_id, rule);
CREATE INDEX payments_beneficiary_person ON payments (beneficiary_person_id, rule);
CREATE INDEX payments_budget_line ON payments (budget_line_id);

CREATE INDEX applications_beneficiary_org ON applications (beneficiary_org_id);
CREATE INDEX applications_beneficiary_person ON applications (beneficiary_person_id);
