COPY (SELECT tx_id::text, global_position, aggregate_type, aggregate_id, sequence, event_type,
             event_version, payload, metadata, recorded_at
        FROM events ORDER BY global_position) TO STDOUT
