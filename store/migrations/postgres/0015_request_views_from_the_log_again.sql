-- The request view gained fields (`delivered_at`, for the copyright report)
-- that views stored by earlier versions lack, and the projector never
-- revisits a finished request: empty the projection and send its checkpoint
-- back to the start, so that it folds every request again from the log.
DELETE FROM request_views;
UPDATE projector_checkpoints SET tx = 0, global_position = 0 WHERE projection = 'requests';
