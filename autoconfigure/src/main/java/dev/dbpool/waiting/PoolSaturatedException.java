package dev.dbpool.waiting;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import dev.dbpool.diagnostics.Durations;

/**
 * Thrown by {@code getConnection()} when the pool is saturated: every connection is in
 * use and {@code app.db.pool.max-waiting} threads already wait for one, so the borrow is
 * rejected at once instead of waiting up to the acquire timeout.
 * <p>
 * A {@link SQLTransientConnectionException}, as HikariCP's own acquire timeout is, so
 * code that handles that one handles this one too. It has no SQLState: it must never pass
 * for a failure to reach the database (class {@code 08}) that retrying the connection
 * would cure; retrying at once only adds to the load.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class PoolSaturatedException extends SQLTransientConnectionException {

	private final String poolName;

	private final int active;

	private final int max;

	private final int waiting;

	private final int maxWaiting;

	/**
	 * Create an exception.
	 * @param poolName the pool's name
	 * @param active connections in use when the borrow was rejected
	 * @param max the pool's max-connections
	 * @param waiting threads already waiting for a connection (or about to)
	 * @param maxWaiting the cap, {@code app.db.pool.max-waiting}
	 * @param acquireTimeout the pool's acquire timeout, which the borrow did not wait for
	 */
	public PoolSaturatedException(String poolName, int active, int max, int waiting, int maxWaiting,
			Duration acquireTimeout) {
		super("db-pool: pool '" + poolName + "' is saturated: " + active + "/" + max + " connections in use and "
				+ waiting + ((waiting != 1) ? " threads" : " thread") + " already waiting (app.db.pool.max-waiting="
				+ maxWaiting + "); rejected at once instead of waiting up to " + Durations.format(acquireTimeout));
		this.poolName = poolName;
		this.active = active;
		this.max = max;
		this.waiting = waiting;
		this.maxWaiting = maxWaiting;
	}

	/**
	 * Return the name of the pool that rejected the borrow.
	 * @return the pool name
	 */
	public String getPoolName() {
		return this.poolName;
	}

	/**
	 * Return the connections in use when the borrow was rejected.
	 * @return the active connections
	 */
	public int getActive() {
		return this.active;
	}

	/**
	 * Return the pool's max-connections.
	 * @return the most connections the pool opens
	 */
	public int getMax() {
		return this.max;
	}

	/**
	 * Return the threads already waiting for a connection, or about to, when the borrow
	 * was rejected: at least {@link #getMaxWaiting()}.
	 * @return the waiting threads
	 */
	public int getWaiting() {
		return this.waiting;
	}

	/**
	 * Return the cap, {@code app.db.pool.max-waiting}.
	 * @return the most threads that may wait at once
	 */
	public int getMaxWaiting() {
		return this.maxWaiting;
	}

}
