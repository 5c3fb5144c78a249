-- Empties projection "statistics"'s rebuild twins.
DELETE FROM stats_requests_rebuild;
DELETE FROM stats_library_day_rebuild;
DELETE FROM stats_declines_day_rebuild;
DELETE FROM stats_durations_rebuild;
DELETE FROM stats_network_day_rebuild;
DELETE FROM stats_network_declines_day_rebuild;
DELETE FROM stats_receive_blocks_rebuild;
