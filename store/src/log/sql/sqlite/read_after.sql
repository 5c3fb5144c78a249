SELECT global_position, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload, metadata, recorded_at
  FROM events
 WHERE global_position > ?1
 ORDER BY global_position
 LIMIT ?2
