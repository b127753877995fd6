package dev.dbpool.sample.order;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import dev.dbpool.sample.customer.CustomerNotFoundException;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Places orders: debits the customer's balance and records the order, both or neither;
 * and sums up a customer's orders, read-only work that a read replica may serve.
 */
@Service
public class OrderService {

	private static final RowMapper<PurchaseOrder> ORDER = (rs, rowNum) -> new PurchaseOrder(rs.getLong("id"),
			rs.getLong("customer_id"), rs.getBigDecimal("amount"), rs.getObject("created_at", OffsetDateTime.class));

	private static final RowMapper<OrderSummary> SUMMARY = (rs, rowNum) -> new OrderSummary(rs.getLong("id"),
			rs.getString("name"), rs.getString("tier"), rs.getBigDecimal("balance"), rs.getLong("orders"),
			rs.getBigDecimal("total_amount"), rs.getObject("last_order_at", OffsetDateTime.class));

	private final JdbcClient jdbc;

	OrderService(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Place an order in one transaction.
	 * @param customerId the customer placing it
	 * @param amount the amount to debit from the customer's balance
	 * @return the order as stored
	 * @throws CustomerNotFoundException if there is no such customer (nothing is written)
	 */
	@Transactional
	public PurchaseOrder place(long customerId, BigDecimal amount) {
		// Debit first: the UPDATE locks the customer's row, so concurrent orders for one
		// customer queue here, and an unknown customer is found before anything is
		// written.
		int debited = this.jdbc.sql("UPDATE sample_customer SET balance = balance - :amount WHERE id = :id")
			.param("amount", amount)
			.param("id", customerId)
			.update();
		if (debited == 0) {
			throw new CustomerNotFoundException(customerId);
		}
		return this.jdbc.sql("""
				INSERT INTO sample_order (customer_id, amount) VALUES (:customerId, :amount)
				RETURNING id, customer_id, amount, created_at""")
			.param("customerId", customerId)
			.param("amount", amount)
			.query(ORDER)
			.single();
	}

	/**
	 * Sum up a customer's orders, in a read-only transaction: with a read replica
	 * configured ({@code app.db.pool.replicas.url}), the starter runs it on the replica's
	 * pool, so it may miss orders placed a moment ago (the replica's lag).
	 * @param customerId the customer
	 * @return the summary
	 * @throws CustomerNotFoundException if there is no such customer
	 */
	@Transactional(readOnly = true)
	public OrderSummary summary(long customerId) {
		return this.jdbc.sql("""
				SELECT c.id, c.name, c.tier, c.balance, count(o.id) AS orders,
					coalesce(sum(o.amount), 0) AS total_amount, max(o.created_at) AS last_order_at
				FROM sample_customer c LEFT JOIN sample_order o ON o.customer_id = c.id
				WHERE c.id = :id
				GROUP BY c.id""")
			.param("id", customerId)
			.query(SUMMARY)
			.optional()
			.orElseThrow(() -> new CustomerNotFoundException(customerId));
	}

}
