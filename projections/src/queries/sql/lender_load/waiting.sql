-- How many requests wait at each library {libraries} as their current
-- lender: asked and not answered, conditions open, or to be pulled.
SELECT lender AS library, count(*) AS waiting
  FROM request_views
 WHERE lender {libraries} AND status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY')
 GROUP BY lender
