-- The members of some records (the generated list of ids), each with its
-- record: its copies' record id, the same on every copy.
SELECT m.batch, m.position, m.library, h.record_id, m.lccn, m.isbns, m.issns,
       m.oclc_numbers, m.match_key
  FROM catalog_members m
  JOIN (SELECT DISTINCT batch, position, record_id
          FROM holdings
         WHERE record_id IN ({ids})) h
    ON h.batch = m.batch AND h.position = m.position
