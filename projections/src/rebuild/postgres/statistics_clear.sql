-- Empties projection "statistics"'s rebuild twins.
TRUNCATE stats_requests_rebuild, stats_library_day_rebuild, stats_declines_day_rebuild, stats_durations_rebuild, stats_network_day_rebuild, stats_network_declines_day_rebuild, stats_receive_blocks_rebuild;
