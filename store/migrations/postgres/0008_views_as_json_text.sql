-- A request's view is stored as the `json` text the projection serialized,
-- not parsed into `jsonb`: nothing queries inside it, every read
-- deserializes the whole of it, and a rebuild writes a million of them.
-- Kept verbatim, a stored row's COPY text is exactly the line a rebuild
-- would write, so `verify` can compare fingerprints of the two streams
-- before it builds anything (`rebuild/fingerprint.rs`).
ALTER TABLE request_views ALTER COLUMN view TYPE json USING view::json;
ALTER TABLE request_views_rebuild ALTER COLUMN view TYPE json USING view::json;
