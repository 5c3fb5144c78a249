-- Requests whose answer was due by $1 (the window as set) and is still
-- awaited, with who must answer: the lender, or the borrower asked about
-- conditions.
SELECT id, CASE WHEN status = 'REQUESTED' THEN lender ELSE borrower END AS answering,
       respond_by_us
  FROM request_views
 WHERE respond_by_us <= $1 AND status IN ('REQUESTED', 'CONDITIONAL')
 ORDER BY respond_by_us, id
