-- Replaces projection "statistics"'s rows with the rebuilt twins' (SQLite has no
-- index renames; its stores are small). Runs inside the swap transaction.

DELETE FROM stats_requests;
INSERT INTO stats_requests SELECT * FROM stats_requests_rebuild;
DELETE FROM stats_library_day;
INSERT INTO stats_library_day SELECT * FROM stats_library_day_rebuild;
DELETE FROM stats_declines_day;
INSERT INTO stats_declines_day SELECT * FROM stats_declines_day_rebuild;
DELETE FROM stats_durations;
INSERT INTO stats_durations SELECT * FROM stats_durations_rebuild;
DELETE FROM stats_network_day;
INSERT INTO stats_network_day SELECT * FROM stats_network_day_rebuild;
DELETE FROM stats_network_declines_day;
INSERT INTO stats_network_declines_day SELECT * FROM stats_network_declines_day_rebuild;
DELETE FROM stats_receive_blocks;
INSERT INTO stats_receive_blocks SELECT * FROM stats_receive_blocks_rebuild;
