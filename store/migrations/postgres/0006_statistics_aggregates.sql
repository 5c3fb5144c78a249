-- Statistics that answer in a few milliseconds over any range (issue 3):
-- network-wide counts per day, and the network's days-to-receive durations
-- counted per block of days and per bucket of duration, so the exact
-- network median reads a few thousand counts and one bucket's durations
-- instead of every duration of the period. Kept by the statistics
-- projection (src/read_models/statistics.rs) from the same per-event fold
-- as the other statistics tables; filled here from the existing rows.
--
-- Every table has its `_rebuild` twin (src/rebuild/postgres/*.sql).

-- stats_library_day summed over the libraries.
CREATE TABLE stats_network_day (
    day       date   NOT NULL,
    placed    bigint NOT NULL,
    filled    bigint NOT NULL,
    unfilled  bigint NOT NULL,
    cancelled bigint NOT NULL,
    received  bigint NOT NULL,
    shipped   bigint NOT NULL,
    declined  bigint NOT NULL,
    timed_out bigint NOT NULL,
    CONSTRAINT stats_network_day_pkey PRIMARY KEY (day)
);

-- stats_declines_day summed over the libraries.
CREATE TABLE stats_network_declines_day (
    day      date   NOT NULL,
    reason   text   NOT NULL,
    declined bigint NOT NULL,
    CONSTRAINT stats_network_declines_day_pkey PRIMARY KEY (day, reason)
);

-- How many 'receive' durations fall in each bucket (micros floor-divided by
-- 7,200,000,000: two hours) per aligned block of 2^level days: `block` is
-- level * 1,000,000,000 + the first day of the block in days since
-- 1970-01-01, a multiple of 2^level; levels 0 to 9. Any range of days is at
-- most about twenty blocks.
CREATE TABLE stats_receive_blocks (
    block  bigint NOT NULL,
    bucket bigint NOT NULL,
    n      bigint NOT NULL,
    CONSTRAINT stats_receive_blocks_pkey PRIMARY KEY (block, bucket)
);

-- Durations by value (the network median's bucket), and one library's by
-- day, both readable from the index alone.
CREATE INDEX stats_durations_kind_micros ON stats_durations (kind, micros, day);
CREATE INDEX stats_durations_library_cover ON stats_durations (library, day, kind, micros);
DROP INDEX stats_durations_library_day;

CREATE TABLE stats_network_day_rebuild (
    day       date   NOT NULL,
    placed    bigint NOT NULL,
    filled    bigint NOT NULL,
    unfilled  bigint NOT NULL,
    cancelled bigint NOT NULL,
    received  bigint NOT NULL,
    shipped   bigint NOT NULL,
    declined  bigint NOT NULL,
    timed_out bigint NOT NULL,
    CONSTRAINT stats_network_day_pkey_rebuild PRIMARY KEY (day)
);
CREATE TABLE stats_network_declines_day_rebuild (
    day      date   NOT NULL,
    reason   text   NOT NULL,
    declined bigint NOT NULL,
    CONSTRAINT stats_network_declines_day_pkey_rebuild PRIMARY KEY (day, reason)
);
CREATE TABLE stats_receive_blocks_rebuild (
    block  bigint NOT NULL,
    bucket bigint NOT NULL,
    n      bigint NOT NULL,
    CONSTRAINT stats_receive_blocks_pkey_rebuild PRIMARY KEY (block, bucket)
);
CREATE INDEX stats_durations_kind_micros_rebuild ON stats_durations_rebuild (kind, micros, day);
CREATE INDEX stats_durations_library_cover_rebuild ON stats_durations_rebuild (library, day, kind, micros);
DROP INDEX stats_durations_library_day_rebuild;

-- The existing statistics, carried over.
INSERT INTO stats_network_day
SELECT day, sum(placed), sum(filled), sum(unfilled), sum(cancelled), sum(received),
       sum(shipped), sum(declined), sum(timed_out)
  FROM stats_library_day GROUP BY day;
INSERT INTO stats_network_declines_day
SELECT day, reason, sum(declined) FROM stats_declines_day GROUP BY day, reason;
INSERT INTO stats_receive_blocks
SELECT CAST(level AS bigint) * 1000000000
       + (d - (((d % (1 << level)) + (1 << level)) % (1 << level))) AS block,
       CASE WHEN micros >= 0 THEN micros / 7200000000
            ELSE -((-micros + 7199999999) / 7200000000) END AS bucket,
       count(*)
  FROM (SELECT day - DATE '1970-01-01' AS d, micros FROM stats_durations
         WHERE kind = 'receive') durations
 CROSS JOIN generate_series(0, 9) AS level
 GROUP BY 1, 2;
