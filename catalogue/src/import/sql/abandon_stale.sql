-- A running import of the library that stopped beating: its process died.
UPDATE holdings_imports
   SET state = 'abandoned'
 WHERE library = $1 AND state = 'running' AND heartbeat_us < $2
RETURNING id
