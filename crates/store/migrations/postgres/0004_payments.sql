-- Applications to payment (issue 4, parts 5–7): budget lines per rule and
-- year, applications with their attachments and the audit of every step, and
-- payments. Money is integer fen (BIGINT).
--
-- The same entitlement is paid at most once by construction: `payments` has a
-- unique key on (rule, beneficiary_kind, beneficiary_id, event_key).

CREATE TABLE budget_lines (
    id BIGSERIAL PRIMARY KEY,
    rule TEXT NOT NULL CHECK (rule IN ('R2','R3','R4','R5','R6','R7','R8','R9','R10','R11')),
    year BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (rule, year)
);

-- Every change of a budget line, with who made it.
CREATE TABLE budget_events (
    id BIGSERIAL PRIMARY KEY,
    budget_line_id BIGINT NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    old_amount_fen BIGINT,
    new_amount_fen BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX budget_events_line ON budget_events (budget_line_id);

CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    rule TEXT NOT NULL CHECK (rule IN ('R2','R3','R4','R5','R6','R7','R8','R9','R10','R11')),
    beneficiary_kind TEXT NOT NULL CHECK (beneficiary_kind IN ('organisation','person')),
    -- A credit code, or a person's key `P` + eight digits.
    beneficiary_id TEXT NOT NULL,
    -- As registered when the application was made (for lists and the ledger).
    beneficiary_name TEXT NOT NULL,
    subdistrict_code TEXT REFERENCES subdistricts(code),
    -- A community organisation's application is reviewed by its sub-district.
    needs_review BOOLEAN NOT NULL,
    event_key TEXT NOT NULL,
    requested_fen BIGINT NOT NULL CHECK (requested_fen > 0),
    approved_fen BIGINT CHECK (approved_fen IS NULL OR approved_fen > 0),
    -- The budget line's year the approval draws on.
    budget_year BIGINT,
    status TEXT NOT NULL CHECK (status IN
        ('SUBMITTED','SUBDISTRICT_REVIEWED','APPROVED','PAID','RETURNED','REFUSED')),
    -- The reason of the last return or refusal.
    reason TEXT,
    applicant_name TEXT NOT NULL,
    applicant_role TEXT NOT NULL,
    reviewer_name TEXT,
    approver_name TEXT,
    payer_name TEXT,
    submitted_at TIMESTAMPTZ NOT NULL,
    reviewed_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ,
    paid_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK (status NOT IN ('APPROVED','PAID')
        OR (approved_fen IS NOT NULL AND budget_year IS NOT NULL AND approver_name IS NOT NULL)),
    CHECK (status <> 'PAID' OR payer_name IS NOT NULL),
    CHECK (payer_name IS NULL OR approver_name IS NULL OR payer_name <> approver_name)
);
CREATE INDEX applications_status ON applications (status, rule);
CREATE INDEX applications_beneficiary ON applications (beneficiary_kind, beneficiary_id);
CREATE INDEX applications_entitlement ON applications (rule, beneficiary_kind, beneficiary_id, event_key);
CREATE INDEX applications_budget ON applications (rule, budget_year, status);

-- Small files kept in the database, so a backup holds everything.
CREATE TABLE application_attachments (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 1048576),
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    CHECK (size_bytes = length(content))
);
CREATE INDEX application_attachments_application ON application_attachments (application_id);

-- The audit of every step: who, when, from which status to which, and why.
CREATE TABLE application_events (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    reason TEXT,
    amount_fen BIGINT,
    note TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications(id),
    rule TEXT NOT NULL,
    beneficiary_kind TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    event_key TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    budget_line_id BIGINT NOT NULL REFERENCES budget_lines(id),
    payer_name TEXT NOT NULL,
    paid_at TIMESTAMPTZ NOT NULL,
    UNIQUE (rule, beneficiary_kind, beneficiary_id, event_key)
);
CREATE INDEX payments_beneficiary ON payments (beneficiary_kind, beneficiary_id);
CREATE INDEX payments_budget_line ON payments (budget_line_id);
