INSERT INTO catalog_lenders (library, lending)
VALUES ($1, $2)
ON CONFLICT (library) DO UPDATE SET lending = excluded.lending
