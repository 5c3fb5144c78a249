-- Swaps projection "statistics"'s tables with their rebuilt twins: names only,
-- indexes included, so every name stays where the migrations put it.
-- Runs inside the swap transaction (src/rebuild/mod.rs).

ALTER TABLE stats_requests RENAME TO stats_requests_swap;
ALTER TABLE stats_requests_rebuild RENAME TO stats_requests;
ALTER TABLE stats_requests_swap RENAME TO stats_requests_rebuild;
ALTER INDEX stats_requests_pkey RENAME TO stats_requests_pkey_swap;
ALTER INDEX stats_requests_pkey_rebuild RENAME TO stats_requests_pkey;
ALTER INDEX stats_requests_pkey_swap RENAME TO stats_requests_pkey_rebuild;

ALTER TABLE stats_library_day RENAME TO stats_library_day_swap;
ALTER TABLE stats_library_day_rebuild RENAME TO stats_library_day;
ALTER TABLE stats_library_day_swap RENAME TO stats_library_day_rebuild;
ALTER INDEX stats_library_day_pkey RENAME TO stats_library_day_pkey_swap;
ALTER INDEX stats_library_day_pkey_rebuild RENAME TO stats_library_day_pkey;
ALTER INDEX stats_library_day_pkey_swap RENAME TO stats_library_day_pkey_rebuild;
ALTER INDEX stats_library_day_day RENAME TO stats_library_day_day_swap;
ALTER INDEX stats_library_day_day_rebuild RENAME TO stats_library_day_day;
ALTER INDEX stats_library_day_day_swap RENAME TO stats_library_day_day_rebuild;

ALTER TABLE stats_declines_day RENAME TO stats_declines_day_swap;
ALTER TABLE stats_declines_day_rebuild RENAME TO stats_declines_day;
ALTER TABLE stats_declines_day_swap RENAME TO stats_declines_day_rebuild;
ALTER INDEX stats_declines_day_pkey RENAME TO stats_declines_day_pkey_swap;
ALTER INDEX stats_declines_day_pkey_rebuild RENAME TO stats_declines_day_pkey;
ALTER INDEX stats_declines_day_pkey_swap RENAME TO stats_declines_day_pkey_rebuild;
ALTER INDEX stats_declines_day_day RENAME TO stats_declines_day_day_swap;
ALTER INDEX stats_declines_day_day_rebuild RENAME TO stats_declines_day_day;
ALTER INDEX stats_declines_day_day_swap RENAME TO stats_declines_day_day_rebuild;

ALTER TABLE stats_durations RENAME TO stats_durations_swap;
ALTER TABLE stats_durations_rebuild RENAME TO stats_durations;
ALTER TABLE stats_durations_swap RENAME TO stats_durations_rebuild;
ALTER INDEX stats_durations_pkey RENAME TO stats_durations_pkey_swap;
ALTER INDEX stats_durations_pkey_rebuild RENAME TO stats_durations_pkey;
ALTER INDEX stats_durations_pkey_swap RENAME TO stats_durations_pkey_rebuild;
ALTER INDEX stats_durations_library_day RENAME TO stats_durations_library_day_swap;
ALTER INDEX stats_durations_library_day_rebuild RENAME TO stats_durations_library_day;
ALTER INDEX stats_durations_library_day_swap RENAME TO stats_durations_library_day_rebuild;
ALTER INDEX stats_durations_day RENAME TO stats_durations_day_swap;
ALTER INDEX stats_durations_day_rebuild RENAME TO stats_durations_day;
ALTER INDEX stats_durations_day_swap RENAME TO stats_durations_day_rebuild;
