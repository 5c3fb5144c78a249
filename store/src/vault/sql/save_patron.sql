INSERT INTO patrons (patron_ref, request_id, barcode, name, email, saved_at_us)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (patron_ref) DO NOTHING
