-- Records a new duration; one already recorded is kept.
INSERT INTO {durations} (request_id, sequence, kind, library, day, micros)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (request_id, sequence, kind) DO NOTHING
