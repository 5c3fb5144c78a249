-- A page of the log for a bulk pass (src/rebuild/sqlite/log_page.rs): the
-- $2 events after global position $1, in global order, as one text of
-- records, each its fields (global position, aggregate type, aggregate id,
-- sequence, payload, metadata) split by U+001F, the records by U+001E; and
-- the page's last position. One row a page instead of one an event: each
-- row crosses from SQLite's thread to the pass's. Neither separator can
-- occur in a field: JSON escapes control characters, and ids and types
-- refuse them. SQLite commits positions in order, so a snapshot holds a
-- prefix of the log.
SELECT group_concat(
         global_position || char(31) || aggregate_type || char(31) || aggregate_id
           || char(31) || sequence || char(31) || payload || char(31) || metadata,
         char(30) ORDER BY global_position),
       max(global_position)
  FROM (SELECT global_position, aggregate_type, aggregate_id, sequence, payload, metadata
          FROM events
         WHERE global_position > $1
         ORDER BY global_position
         LIMIT $2)
