-- The live members of some records (the generated list of ids), each with
-- its record (its copies' record id, the same on every copy) and whether any
-- of its copies lends.
SELECT m.batch, m.position, m.library, h.record_id, m.lccn, m.isbns, m.issns,
       m.oclc_numbers, m.match_key, h.lendable
  FROM catalog_members m
  JOIN (SELECT batch, position, record_id,
               CAST(max(CASE WHEN lendable THEN 1 ELSE 0 END) AS BIGINT) AS lendable
          FROM holdings
         WHERE record_id IN ({ids})
           AND batch IN (SELECT id FROM holdings_imports WHERE state = 'live')
         GROUP BY batch, position, record_id) h
    ON h.batch = m.batch AND h.position = m.position
