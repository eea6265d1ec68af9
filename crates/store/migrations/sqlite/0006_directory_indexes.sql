-- Covering indexes for the directory's facet counts: a filter on a
-- sub-district (with or without a rating) or on a rating alone is answered
-- from an index without reading the organisation rows.
CREATE INDEX organizations_facets_by_subdistrict
    ON organizations (subdistrict_code, current_rating, kind, status, registration_date);
CREATE INDEX organizations_facets_by_rating
    ON organizations (current_rating, subdistrict_code, kind, status, registration_date);
