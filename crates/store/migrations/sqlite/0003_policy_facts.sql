-- The registry facts the support rules (扶持政策 R2–R11) read that 0001 does
-- not hold. Column meanings follow ../shared/policy/vectors/CONTRACT.md.
-- Money is integer fen; scores are tenths of a point, so no floating point.

-- R3: one row per organisation and month ('YYYY-MM') it paid rent for.
CREATE TABLE leases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    month TEXT NOT NULL CHECK (length(month) = 7),
    rent_paid_fen BIGINT NOT NULL CHECK (rent_paid_fen >= 0),
    UNIQUE (org_id, month)
);

-- R2: applications for the start-up subsidy (开办补贴).
CREATE TABLE startup_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date DATE NOT NULL,
    requested_fen BIGINT NOT NULL CHECK (requested_fen > 0),
    UNIQUE (org_id, date)
);

-- R6: projects selected in the venture philanthropy round (公益创投).
CREATE TABLE venture_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL UNIQUE,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    selected_date DATE NOT NULL
);
CREATE INDEX venture_projects_org ON venture_projects (org_id);

-- R7: prizes won in start-up competitions (创业大赛); prize_place NULL is an
-- unranked prize such as 优秀奖.
CREATE TABLE competition_wins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    level TEXT NOT NULL,
    prize_place BIGINT CHECK (prize_place >= 1),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    serves_district BOOLEAN NOT NULL,
    date DATE NOT NULL,
    UNIQUE (project_id, date)
);
CREATE INDEX competition_wins_org ON competition_wins (org_id);

-- R10: the supervisor review (督导评审) of a year; score in tenths ("97.5" = 975).
CREATE TABLE supervisor_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    score_tenths BIGINT NOT NULL CHECK (score_tenths >= 0),
    hours BIGINT NOT NULL CHECK (hours >= 0),
    UNIQUE (person_id, year)
);

-- R11: a reviewer's recorded decision on the senior social worker award.
CREATE TABLE senior_award_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    decision_date DATE NOT NULL,
    innovative_contribution BOOLEAN NOT NULL,
    reason TEXT,
    UNIQUE (person_id, decision_date)
);
