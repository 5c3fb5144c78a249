-- A live table's rows, copied out as a pass writes its twin's, to be
-- fingerprinted (src/rebuild/postgres/fingerprint.rs).
COPY {live} ({columns}) TO STDOUT
