-- The directory's orders as indexes, so a keyset walk of a download (and a
-- first page) follows an index instead of sorting every matching row.
CREATE INDEX organizations_by_name_pinyin ON organizations (name_pinyin, id);
CREATE INDEX organizations_by_initials_length
    ON organizations (LENGTH(name_initials), name_pinyin, id);
CREATE INDEX organizations_by_registration ON organizations (registration_date, id);
