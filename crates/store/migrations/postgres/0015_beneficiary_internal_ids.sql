-- Security issue 11, finding 2: an organisation that changed its credit code
-- could be paid twice for one entitlement, because applications and payments
-- named it by that code. They now name their beneficiary by the registry's
-- own id (organizations.id, people.id) and the no-double-payment key is
-- (rule, beneficiary kind, internal id, event key). beneficiary_id keeps the
-- credit code (or person key `P` + eight digits) as applied for: display only.

ALTER TABLE applications
    ADD COLUMN beneficiary_org_id BIGINT REFERENCES organizations(id),
    ADD COLUMN beneficiary_person_id BIGINT REFERENCES people(id);

-- Every credit code an organisation has had: the current one and, walking
-- back through the audit trail's recorded changes, the earlier ones (so an
-- application made before a change still finds its organisation).
CREATE TEMP TABLE org_codes AS
WITH RECURSIVE renames(old_code, new_code) AS (
    SELECT changes::jsonb -> 'credit_code' ->> 0, changes::jsonb -> 'credit_code' ->> 1
    FROM audit_log
    WHERE entity_kind = 'organization' AND action = 'update'
      AND changes::jsonb -> 'credit_code' ->> 0 IS NOT NULL
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

UPDATE applications SET beneficiary_person_id = p.id
FROM people p
WHERE applications.beneficiary_kind = 'person'
  AND applications.beneficiary_id ~ '^P[0-9]{1,18}$'
  AND p.id = CAST(substr(applications.beneficiary_id, 2) AS BIGINT);

-- Validated on the rows as they are: an application whose beneficiary
-- cannot be found stops the migration (its entitlement would otherwise lose
-- the protection this migration adds).
ALTER TABLE applications ADD CONSTRAINT applications_beneficiary_registered CHECK (
    (beneficiary_kind = 'organisation' AND beneficiary_org_id IS NOT NULL
     AND beneficiary_person_id IS NULL)
 OR (beneficiary_kind = 'person' AND beneficiary_person_id IS NOT NULL
     AND beneficiary_org_id IS NULL));

DROP INDEX applications_entitlement;
CREATE INDEX applications_entitlement_org
    ON applications (rule, beneficiary_org_id, event_key) WHERE beneficiary_org_id IS NOT NULL;
CREATE INDEX applications_entitlement_person
    ON applications (rule, beneficiary_person_id, event_key) WHERE beneficiary_person_id IS NOT NULL;

-- `duplicate_of` marks a payment made twice before this migration (the
-- finding's case): both rows stay on record, the later one names the first
-- and is left out of the unique key, which holds for every new payment.
ALTER TABLE payments DROP CONSTRAINT payments_rule_beneficiary_kind_beneficiary_id_event_key_key;
DROP INDEX payments_beneficiary;
ALTER TABLE payments
    ADD COLUMN beneficiary_org_id BIGINT REFERENCES organizations(id),
    ADD COLUMN beneficiary_person_id BIGINT REFERENCES people(id),
    ADD COLUMN duplicate_of BIGINT;
UPDATE payments SET beneficiary_org_id = a.beneficiary_org_id,
    beneficiary_person_id = a.beneficiary_person_id
FROM applications a WHERE a.id = payments.application_id;
UPDATE payments SET duplicate_of = (
    SELECT MIN(q.id) FROM payments q
    WHERE q.rule = payments.rule AND q.beneficiary_kind = payments.beneficiary_kind
      AND q.beneficiary_org_id IS NOT DISTINCT FROM payments.beneficiary_org_id
      AND q.beneficiary_person_id IS NOT DISTINCT FROM payments.beneficiary_person_id
      AND q.event_key = payments.event_key AND q.id < payments.id);
ALTER TABLE payments ADD CONSTRAINT payments_beneficiary_registered CHECK (
    (beneficiary_kind = 'organisation' AND beneficiary_org_id IS NOT NULL
     AND beneficiary_person_id IS NULL)
 OR (beneficiary_kind = 'person' AND beneficiary_person_id IS NOT NULL
     AND beneficiary_org_id IS NULL));

CREATE UNIQUE INDEX payments_entitlement_org
    ON payments (rule, beneficiary_kind, beneficiary_org_id, event_key)
    WHERE beneficiary_org_id IS NOT NULL AND duplicate_of IS NULL;
CREATE UNIQUE INDEX payments_entitlement_person
    ON payments (rule, beneficiary_kind, beneficiary_person_id, event_key)
    WHERE beneficiary_person_id IS NOT NULL AND duplicate_of IS NULL;
CREATE INDEX payments_beneficiary_org ON payments (beneficiary_org_id, rule);
CREATE INDEX payments_beneficiary_person ON payments (beneficiary_person_id, rule);

CREATE INDEX applications_beneficiary_org ON applications (beneficiary_org_id);
CREATE INDEX applications_beneficiary_person ON applications (beneficiary_person_id);
