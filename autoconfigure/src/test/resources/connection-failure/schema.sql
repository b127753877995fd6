CREATE TABLE IF NOT EXISTS connection_failure_test (id int);
