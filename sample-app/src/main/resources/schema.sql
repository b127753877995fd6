-- The sample's schema, created at start (spring.sql.init.mode=always) and safe to run again.
-- Names carry a sample_ prefix so they cannot clash with anything else in the database.
-- The script runner splits statements at semicolons, so no function bodies here.

CREATE TABLE IF NOT EXISTS sample_customer (
	id bigint PRIMARY KEY,
	name text NOT NULL,
	email text NOT NULL UNIQUE,
	tier text NOT NULL CHECK (tier IN ('bronze', 'silver', 'gold')),
	balance numeric(14, 2) NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sample_order (
	id bigserial PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES sample_customer (id),
	amount numeric(12, 2) NOT NULL CHECK (amount > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS sample_order_customer_id_idx ON sample_order (customer_id);
