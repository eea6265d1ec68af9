-- Changes of an organisation's registration facts (credit code, name, kind,
-- sub-district, …), which only the registering authority records: the
-- organisation's history shows them (issue 11). Values as displayed.
CREATE TABLE registration_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX registration_changes_org ON registration_changes (org_id, id);
