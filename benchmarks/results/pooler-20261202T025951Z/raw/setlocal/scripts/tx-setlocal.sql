BEGIN;
SET LOCAL statement_timeout = '30s';
SET LOCAL idle_in_transaction_session_timeout = '5min';
SET LOCAL lock_timeout = '2s';
SELECT 1;
COMMIT;
