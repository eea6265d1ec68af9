-- The registry: reference data, organisations with their history, people.
-- Money is integer fen (BIGINT), dates are DATE (ISO text in SQLite).

CREATE TABLE subdistricts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sort_order BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE service_fields (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sort_order BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_pinyin TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    kind TEXT NOT NULL,
    community BOOLEAN NOT NULL,
    fresh_graduate BOOLEAN NOT NULL,
    in_district BOOLEAN NOT NULL,
    subdistrict_code TEXT NOT NULL REFERENCES subdistricts(code),
    registration_date DATE NOT NULL,
    registered_capital_fen BIGINT NOT NULL CHECK (registered_capital_fen >= 0),
    address TEXT,
    legal_representative TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL,
    stage TEXT,
    deregistration_date DATE,
    current_rating TEXT,
    current_rating_date DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX organizations_subdistrict ON organizations (subdistrict_code, status);
CREATE INDEX organizations_registration ON organizations (registration_date);
CREATE INDEX organizations_name ON organizations (name);
CREATE INDEX organizations_rating ON organizations (current_rating);

CREATE TABLE organization_service_fields (
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    field_code TEXT NOT NULL REFERENCES service_fields(code),
    PRIMARY KEY (org_id, field_code)
);
CREATE INDEX organization_service_fields_field ON organization_service_fields (field_code, org_id);

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    result TEXT NOT NULL,
    date DATE,
    UNIQUE (org_id, year)
);

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    date DATE NOT NULL,
    UNIQUE (org_id, date)
);

CREATE TABLE honours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    level TEXT NOT NULL,
    date DATE NOT NULL
);
CREATE INDEX honours_org ON honours (org_id);

CREATE TABLE credit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    reason TEXT NOT NULL,
    listed_date DATE NOT NULL,
    removed_date DATE
);
CREATE INDEX credit_entries_org ON credit_entries (org_id);

CREATE TABLE party_building (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date DATE NOT NULL,
    has_party_org BOOLEAN NOT NULL,
    form TEXT,
    members BIGINT NOT NULL,
    in_charter BOOLEAN NOT NULL,
    checked_at_registration BOOLEAN NOT NULL,
    checked_at_inspection BOOLEAN NOT NULL,
    checked_at_rating BOOLEAN NOT NULL
);
CREATE INDEX party_building_org ON party_building (org_id);

CREATE TABLE finances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    total_revenue_fen BIGINT NOT NULL,
    government_purchase_fen BIGINT NOT NULL,
    donations_fen BIGINT NOT NULL,
    business_income_fen BIGINT NOT NULL,
    expenditure_fen BIGINT NOT NULL,
    net_assets_fen BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    volunteers BIGINT NOT NULL,
    volunteer_hours BIGINT NOT NULL,
    UNIQUE (org_id, year)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_pinyin TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    resident_id TEXT NOT NULL UNIQUE,
    birth_date DATE NOT NULL,
    sex TEXT NOT NULL,
    phone TEXT,
    social_work_start_date DATE,
    supervisor BOOLEAN NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX people_name ON people (name);

CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    date DATE NOT NULL,
    UNIQUE (person_id, level)
);

CREATE TABLE employments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    start_date DATE NOT NULL,
    end_date DATE,
    labour_contract BOOLEAN NOT NULL,
    full_time BOOLEAN NOT NULL,
    position TEXT
);
CREATE INDEX employments_person ON employments (person_id);
CREATE INDEX employments_org ON employments (org_id);

CREATE TABLE annual_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    training_hours BIGINT NOT NULL,
    performance TEXT,
    UNIQUE (person_id, year)
);
