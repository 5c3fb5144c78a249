-- A twin's rows, copied in as a pass writes them (src/rebuild/postgres/copy_in.rs):
-- the loader emptied the twin in this transaction, so the rows can be frozen.
COPY {twin} ({columns}) FROM STDIN WITH (FREEZE)
