-- Statistics that answer in a few milliseconds over any range (issue 3):
-- network-wide counts per day, and the network's days-to-receive durations
-- counted per block of days and per bucket of duration. The same tables as
-- the PostgreSQL migration 0006 (see there); filled from the existing rows.

CREATE TABLE stats_network_day (
    day       TEXT    NOT NULL,
    placed    INTEGER NOT NULL,
    filled    INTEGER NOT NULL,
    unfilled  INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    received  INTEGER NOT NULL,
    shipped   INTEGER NOT NULL,
    declined  INTEGER NOT NULL,
    timed_out INTEGER NOT NULL,
    PRIMARY KEY (day)
);
CREATE TABLE stats_network_declines_day (
    day      TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    declined INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
);
CREATE TABLE stats_receive_blocks (
    block  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (block, bucket)
);
CREATE INDEX stats_durations_kind_micros ON stats_durations (kind, micros, day);
CREATE INDEX stats_durations_library_cover ON stats_durations (library, day, kind, micros);
DROP INDEX stats_durations_library_day;

CREATE TABLE stats_network_day_rebuild (
    day       TEXT    NOT NULL,
    placed    INTEGER NOT NULL,
    filled    INTEGER NOT NULL,
    unfilled  INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    received  INTEGER NOT NULL,
    shipped   INTEGER NOT NULL,
    declined  INTEGER NOT NULL,
    timed_out INTEGER NOT NULL,
    PRIMARY KEY (day)
);
CREATE TABLE stats_network_declines_day_rebuild (
    day      TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    declined INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
);
CREATE TABLE stats_receive_blocks_rebuild (
    block  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (block, bucket)
);
CREATE INDEX stats_durations_kind_micros_rebuild ON stats_durations_rebuild (kind, micros, day);
CREATE INDEX stats_durations_library_cover_rebuild ON stats_durations_rebuild (library, day, kind, micros);
DROP INDEX stats_durations_library_day_rebuild;

INSERT INTO stats_network_day
SELECT day, sum(placed), sum(filled), sum(unfilled), sum(cancelled), sum(received),
       sum(shipped), sum(declined), sum(timed_out)
  FROM stats_library_day GROUP BY day;
INSERT INTO stats_network_declines_day
SELECT day, reason, sum(declined) FROM stats_declines_day GROUP BY day, reason;
WITH RECURSIVE levels(level) AS (SELECT 0 UNION ALL SELECT level + 1 FROM levels WHERE level < 9)
INSERT INTO stats_receive_blocks
SELECT level * 1000000000
       + (d - (((d % (1 << level)) + (1 << level)) % (1 << level))) AS block,
       CASE WHEN micros >= 0 THEN micros / 7200000000
            ELSE -((-micros + 7199999999) / 7200000000) END AS bucket,
       count(*)
  FROM (SELECT CAST(julianday(day) - 2440587.5 AS INTEGER) AS d, micros FROM stats_durations
         WHERE kind = 'receive') AS durations
 CROSS JOIN levels
 GROUP BY 1, 2;
