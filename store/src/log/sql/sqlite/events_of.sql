-- Every event of the given streams of one aggregate type (their ids a JSON
-- array), in the log's global order; found by the primary key, stream by stream.
SELECT global_position, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload, metadata, recorded_at
  FROM events
 WHERE aggregate_type = $1
   AND aggregate_id IN (SELECT value FROM json_each($2))
 ORDER BY global_position
