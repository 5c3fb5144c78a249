-- Adds library $1's change in waiting requests, $2, to {waiting}
-- (src/read_models/waiting.rs).
INSERT INTO {waiting} (library, waiting) VALUES ($1, $2)
    ON CONFLICT (library) DO UPDATE SET waiting = waiting + excluded.waiting
