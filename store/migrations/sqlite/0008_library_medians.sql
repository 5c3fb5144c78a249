-- A library's medians read only its middle durations: in value order per
-- library and kind, the period's days filtered in the index
-- (queries/statistics.rs). Nothing reads a library's durations by day, or
-- all durations by day, any more.
CREATE INDEX stats_durations_library_kind_micros
    ON stats_durations (library, kind, micros, day);
CREATE INDEX stats_durations_library_kind_micros_rebuild
    ON stats_durations_rebuild (library, kind, micros, day);
DROP INDEX stats_durations_day;
DROP INDEX stats_durations_day_rebuild;
DROP INDEX stats_durations_library_cover;
DROP INDEX stats_durations_library_cover_rebuild;
