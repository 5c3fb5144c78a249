-- Member libraries with a lendable copy (of a live batch) that lend and are
-- not suspended: catalog_lenders' word, else the directory's. The caller
-- appends the records' WHERE.
UPDATE catalog_records
   SET lendable_by = (SELECT count(DISTINCT h.library)
                        FROM holdings h
                        LEFT JOIN catalog_lenders l ON l.library = h.library
                        LEFT JOIN library_directory d ON d.id = h.library
                       WHERE h.record_id = catalog_records.id
                         AND h.lendable
                         AND h.batch IN (SELECT id FROM holdings_imports WHERE state = 'live')
                         AND coalesce(l.lending, d.lends AND NOT d.suspended, false))
