-- The head row's own MAC (issue 11): over its sequence number, its MAC and
-- the purge anchor, under the audit key (app::security::audit). Without it,
-- deleting the last records and moving the head back to the new last one
-- went unnoticed. '' = not sealed yet: a new, empty trail, or a head written
-- before this migration (sealed at the next start if its chain verifies).
ALTER TABLE audit_head ADD COLUMN head_mac TEXT NOT NULL DEFAULT '';
