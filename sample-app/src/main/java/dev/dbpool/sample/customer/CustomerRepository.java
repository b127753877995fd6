package dev.dbpool.sample.customer;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads customers from {@code sample_customer}.
 */
@Repository
public class CustomerRepository {

	private static final RowMapper<Customer> CUSTOMER = (rs, rowNum) -> new Customer(rs.getLong("id"),
			rs.getString("name"), rs.getString("email"), rs.getString("tier"), rs.getBigDecimal("balance"),
			rs.getObject("created_at", OffsetDateTime.class));

	private final JdbcClient jdbc;

	CustomerRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Find a customer by primary key.
	 * @param id the customer's id
	 * @return the customer, or empty if there is none with that id
	 */
	public Optional<Customer> findById(long id) {
		return this.jdbc.sql("SELECT id, name, email, tier, balance, created_at FROM sample_customer WHERE id = :id")
			.param("id", id)
			.query(CUSTOMER)
			.optional();
	}

	/**
	 * Return the customers with the lowest ids.
	 * @param limit how many to return at most
	 * @return the customers, ordered by id
	 */
	public List<Customer> findFirst(int limit) {
		return this.jdbc
			.sql("SELECT id, name, email, tier, balance, created_at FROM sample_customer ORDER BY id LIMIT :limit")
			.param("limit", limit)
			.query(CUSTOMER)
			.list();
	}

}
