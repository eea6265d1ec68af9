-- The guidance catalogue (引导目录) and calls for purchased services
-- (政府购买服务), issue 14: items with the sub-districts they serve and a
-- quota per year; calls with their scoring criteria, sealed bids (the
-- content encrypted under the call's key until the opening), the expert
-- panel, conflicts declared, scores per criterion, and every step.

CREATE TABLE catalogue_items (
    id BIGSERIAL PRIMARY KEY,
    series TEXT NOT NULL,
    name TEXT NOT NULL,
    service_field TEXT NOT NULL REFERENCES service_fields(code),
    description TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (series, name)
);

-- No row: the item serves the whole district.
CREATE TABLE catalogue_item_subdistricts (
    item_id BIGINT NOT NULL REFERENCES catalogue_items(id) ON DELETE CASCADE,
    subdistrict_code TEXT NOT NULL REFERENCES subdistricts(code),
    PRIMARY KEY (item_id, subdistrict_code)
);

CREATE TABLE catalogue_quotas (
    item_id BIGINT NOT NULL REFERENCES catalogue_items(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    projects BIGINT NOT NULL CHECK (projects > 0),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (item_id, year)
);

CREATE TABLE calls (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES catalogue_items(id),
    -- The purchaser: NULL for the bureau, else the sub-district's code.
    buyer_subdistrict TEXT REFERENCES subdistricts(code),
    subdistrict_code TEXT NOT NULL REFERENCES subdistricts(code),
    place TEXT,
    budget_fen BIGINT NOT NULL CHECK (budget_fen > 0),
    requirements TEXT NOT NULL,
    enquiries_until TIMESTAMPTZ NOT NULL,
    bids_until TIMESTAMPTZ NOT NULL,
    standstill_days BIGINT NOT NULL,
    -- The catalogue year: the year (Shanghai) in which bids close.
    year BIGINT NOT NULL,
    -- The last status someone set; steps due by time are read from the dates.
    status TEXT NOT NULL CHECK (status IN ('DRAFT','ENQUIRIES','TENDERING','EVALUATING',
        'STANDSTILL','CONTRACTED','CANCELLED','UNSUCCESSFUL')),
    -- Random salt of the call's bid key (with the master key, which the
    -- database does not hold).
    key_salt TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    opened_at TIMESTAMPTZ,
    opened_by TEXT,
    awarded_bid BIGINT,
    awarded_at TIMESTAMPTZ,
    awarded_by TEXT,
    closed_at TIMESTAMPTZ,
    closed_by TEXT,
    close_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX calls_item_year ON calls (item_id, year);
CREATE INDEX calls_status ON calls (status, bids_until);

CREATE TABLE call_criteria (
    call_id BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (call_id, position)
);

-- One bid per organisation and call, replaced in place before the deadline.
-- `sealed` is the price, team and proposal encrypted; `price_fen` is written
-- at the opening.
CREATE TABLE bids (
    id BIGSERIAL PRIMARY KEY,
    call_id BIGINT NOT NULL REFERENCES calls(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    sealed TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    replaced BIGINT NOT NULL DEFAULT 0,
    price_fen BIGINT,
    qualified BOOLEAN NOT NULL DEFAULT TRUE,
    disqualified_reason TEXT,
    UNIQUE (call_id, org_id)
);

CREATE TABLE call_panel (
    call_id BIGINT NOT NULL REFERENCES calls(id),
    expert_name TEXT NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (call_id, expert_name)
);

CREATE TABLE bid_conflicts (
    bid_id BIGINT NOT NULL REFERENCES bids(id),
    expert_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    declared_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bid_id, expert_name)
);

CREATE TABLE bid_scores (
    bid_id BIGINT NOT NULL REFERENCES bids(id),
    expert_name TEXT NOT NULL,
    position BIGINT NOT NULL,
    points BIGINT NOT NULL CHECK (points BETWEEN 0 AND 100),
    reason TEXT NOT NULL,
    scored_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bid_id, expert_name, position)
);

CREATE TABLE call_events (
    id BIGSERIAL PRIMARY KEY,
    call_id BIGINT NOT NULL REFERENCES calls(id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    note TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX call_events_call ON call_events (call_id, id);
