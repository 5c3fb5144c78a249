-- Requests whose needed-by date ($1, 'YYYY-MM-DD') has passed and that
-- needed-by expiry still acts on: cancelled while unanswered or
-- conditional, a cancel asked once while the lender will supply. The first
-- two terms are the partial index's (request_views_needed_by): only the few
-- rows it yields have their views read.
SELECT id FROM request_views
 WHERE needed_by IS NOT NULL AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY')
   AND needed_by < $1
   AND (status <> 'WILL_SUPPLY'
        OR (view -> 'state' ->> 'cancel_pending' = 'false'
            AND view -> 'state' -> 'cancel_asked' IS NULL))
 ORDER BY id
