-- The sample's data set: 50,000 customers, generated in one statement the first time only,
-- so a restart keeps the data (and the orders written since) and starts fast.
-- ON CONFLICT covers two instances seeding an empty table at the same moment.

INSERT INTO sample_customer (id, name, email, tier, balance, created_at)
SELECT g,
	'Customer ' || g,
	'customer' || g || '@example.com',
	(ARRAY['bronze', 'silver', 'gold'])[1 + g % 3],
	1000.00 + (g % 9000),
	timestamptz '2024-01-01 00:00:00+00' + g * interval '10 minutes'
FROM generate_series(1, 50000) AS g
WHERE NOT EXISTS (SELECT 1 FROM sample_customer)
ON CONFLICT (id) DO NOTHING;
