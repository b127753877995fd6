package dev.dbpool.autoconfigure.jpa;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/**
 * The repository of a small JPA application.
 */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

	/**
	 * Whether the server the query ran on is a standby. Read only, as Spring Data runs
	 * the methods it implements, such as {@code findById}; a declared query method gets
	 * no transaction of its own unless it says so.
	 * @return whether it is in recovery
	 */
	@Transactional(readOnly = true)
	@Query(value = "SELECT pg_is_in_recovery()", nativeQuery = true)
	boolean onStandby();

}
