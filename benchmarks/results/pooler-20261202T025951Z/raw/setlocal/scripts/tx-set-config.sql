BEGIN;
SELECT set_config('statement_timeout', '30s', true), set_config('idle_in_transaction_session_timeout', '5min', true), set_config('lock_timeout', '2s', true);
SELECT 1;
COMMIT;
