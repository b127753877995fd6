package dev.dbpool.guard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One of db-pool's guards on one pool (its connection budget, its waiter cap, its leak
 * counting, …), as the pool's health details and meters see it. The pool db-pool builds
 * holds its guards in one list, in the order they were registered; the {@code dbPool}
 * health indicator and the {@code db.pool.*} meter binder iterate over it. A guard never
 * makes its pool DOWN: it reports, and the pool's own state decides.
 *
 * @author db-pool
 * @since 0.4.0
 */
public interface PoolGuard {

	/**
	 * Add what the guard knows of its pool to the pool's health details. Called at each
	 * health check: it reads what the guard already holds, never the database.
	 * @param details the pool's details, to add to
	 * @param now the time of the check
	 */
	void putDetails(Map<String, Object> details, Instant now);

	/**
	 * Return the meters to publish for the pool; each is tagged with the pool's name.
	 * @return the meters, registered once, when the pool is first seen started
	 */
	List<GuardMeter<?>> meters();

	/**
	 * Whether the guard does work in each {@code getConnection()}. Such a guard is built
	 * into the pool's type, so that a pool without it borrows as HikariCP does.
	 * @return whether it is on the borrow path
	 */
	default boolean onBorrowPath() {
		return false;
	}

	/**
	 * Release what the guard holds (a thread, say), once its pool has closed.
	 */
	default void close() {
	}

}
