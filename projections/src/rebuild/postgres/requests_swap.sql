-- Swaps projection "requests"'s tables with their rebuilt twins: names only,
-- indexes included, so every name stays where the migrations put it.
-- Runs inside the swap transaction (src/rebuild/swap.rs).

ALTER TABLE request_views RENAME TO request_views_swap;
ALTER TABLE request_views_rebuild RENAME TO request_views;
ALTER TABLE request_views_swap RENAME TO request_views_rebuild;
ALTER INDEX request_views_pkey RENAME TO request_views_pkey_swap;
ALTER INDEX request_views_pkey_rebuild RENAME TO request_views_pkey;
ALTER INDEX request_views_pkey_swap RENAME TO request_views_pkey_rebuild;
ALTER INDEX request_views_borrowing RENAME TO request_views_borrowing_swap;
ALTER INDEX request_views_borrowing_rebuild RENAME TO request_views_borrowing;
ALTER INDEX request_views_borrowing_swap RENAME TO request_views_borrowing_rebuild;
ALTER INDEX request_views_lending RENAME TO request_views_lending_swap;
ALTER INDEX request_views_lending_rebuild RENAME TO request_views_lending;
ALTER INDEX request_views_lending_swap RENAME TO request_views_lending_rebuild;
ALTER INDEX request_views_respond_by RENAME TO request_views_respond_by_swap;
ALTER INDEX request_views_respond_by_rebuild RENAME TO request_views_respond_by;
ALTER INDEX request_views_respond_by_swap RENAME TO request_views_respond_by_rebuild;
ALTER INDEX request_views_needed_by RENAME TO request_views_needed_by_swap;
ALTER INDEX request_views_needed_by_rebuild RENAME TO request_views_needed_by;
ALTER INDEX request_views_needed_by_swap RENAME TO request_views_needed_by_rebuild;

ALTER TABLE lender_waiting RENAME TO lender_waiting_swap;
ALTER TABLE lender_waiting_rebuild RENAME TO lender_waiting;
ALTER TABLE lender_waiting_swap RENAME TO lender_waiting_rebuild;
ALTER INDEX lender_waiting_pkey RENAME TO lender_waiting_pkey_swap;
ALTER INDEX lender_waiting_pkey_rebuild RENAME TO lender_waiting_pkey;
ALTER INDEX lender_waiting_pkey_swap RENAME TO lender_waiting_pkey_rebuild;
