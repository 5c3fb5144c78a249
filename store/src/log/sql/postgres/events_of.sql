-- Every committed event of the given streams of one aggregate type, in the
-- log's global order; found by the primary key, stream by stream.
SELECT tx_id::text AS tx, global_position, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload, metadata, recorded_at
  FROM events
 WHERE aggregate_type = $1
   AND aggregate_id = ANY($2)
 ORDER BY tx_id, global_position
