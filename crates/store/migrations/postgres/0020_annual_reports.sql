-- Annual reports (年报) and the annual inspection (年检) that concludes them
-- (issue 12): one report per organisation and year, its content column by
-- column (money in fen), the workflow's names and dates, the steps with
-- their reasons per section, and the audited accounts file.

CREATE TABLE annual_reports (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('DRAFT','SUBMITTED','RETURNED','REVIEWED','CONCLUDED')),
    -- 逾期报送: decided at the first submission and kept.
    late BOOLEAN NOT NULL DEFAULT FALSE,
    address TEXT,
    legal_representative TEXT,
    contact_name TEXT,
    income_government_fen BIGINT CHECK (income_government_fen >= 0),
    income_donations_fen BIGINT CHECK (income_donations_fen >= 0),
    income_business_fen BIGINT CHECK (income_business_fen >= 0),
    income_subsidies_fen BIGINT CHECK (income_subsidies_fen >= 0),
    income_other_fen BIGINT CHECK (income_other_fen >= 0),
    total_income_fen BIGINT CHECK (total_income_fen >= 0),
    expenses_fen BIGINT CHECK (expenses_fen >= 0),
    net_assets_fen BIGINT CHECK (net_assets_fen >= 0),
    staff BIGINT CHECK (staff >= 0),
    social_workers BIGINT CHECK (social_workers >= 0),
    volunteers BIGINT CHECK (volunteers >= 0),
    volunteer_hours BIGINT CHECK (volunteer_hours >= 0),
    services BIGINT CHECK (services >= 0),
    beneficiaries BIGINT CHECK (beneficiaries >= 0),
    activity_summary TEXT,
    projects TEXT,
    party_form TEXT,
    party_members BIGINT CHECK (party_members >= 0),
    party_plan BOOLEAN NOT NULL DEFAULT FALSE,
    party_in_charter BOOLEAN NOT NULL DEFAULT FALSE,
    large_expenses TEXT,
    large_donations TEXT,
    foreign_activities TEXT,
    registered_changes TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    first_submitted_at TIMESTAMPTZ,
    submitted_by TEXT,
    submitted_at TIMESTAMPTZ,
    reviewed_by TEXT,
    reviewed_at TIMESTAMPTZ,
    concluded_by TEXT,
    concluded_at TIMESTAMPTZ,
    conclusion TEXT CHECK (conclusion IN ('QUALIFIED','BASICALLY_QUALIFIED','UNQUALIFIED')),
    conclusion_reasons TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (org_id, year)
);
-- Progress and the desks count by year and status; the organisation's own
-- reports are found through the unique key.
CREATE INDEX annual_reports_year_status ON annual_reports (year, status, org_id);
CREATE INDEX annual_reports_status ON annual_reports (status, submitted_at);

-- Every step: who, when, from which status to which.
CREATE TABLE annual_report_events (
    id BIGSERIAL PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES annual_reports(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    note TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX annual_report_events_report ON annual_report_events (report_id, id);

-- Reasons of a return (退回补正), one per section named.
CREATE TABLE annual_report_return_items (
    event_id BIGINT NOT NULL REFERENCES annual_report_events(id) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('basic','finance','people','activities','party','major')),
    reason TEXT NOT NULL,
    PRIMARY KEY (event_id, section)
);

-- The audited accounts (审计报告), one file per report, kept in the database
-- (outside any web root) like application attachments; the size limit is
-- configuration, checked before the write.
CREATE TABLE annual_report_files (
    report_id BIGINT PRIMARY KEY REFERENCES annual_reports(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf','image/jpeg','image/png')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    CHECK (size_bytes = length(content))
);
