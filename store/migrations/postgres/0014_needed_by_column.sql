-- The needed-by date beside the view ('YYYY-MM-DD', text orders as dates),
-- so that the scheduler's expiry finds the open requests that have one
-- through a small partial index instead of reading every view's JSON.
ALTER TABLE request_views ADD COLUMN needed_by text;
ALTER TABLE request_views_rebuild ADD COLUMN needed_by text;
UPDATE request_views SET needed_by = view -> 'state' ->> 'needed_by'
 WHERE view -> 'state' ->> 'needed_by' IS NOT NULL;
CREATE INDEX request_views_needed_by ON request_views (needed_by)
    WHERE needed_by IS NOT NULL AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY');
CREATE INDEX request_views_needed_by_rebuild ON request_views_rebuild (needed_by)
    WHERE needed_by IS NOT NULL AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY');
