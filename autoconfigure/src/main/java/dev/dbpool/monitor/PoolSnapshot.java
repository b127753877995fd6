package dev.dbpool.monitor;

import java.time.Instant;
import java.util.Locale;

/**
 * A pool's state at one moment, as HikariCP's own counters report it: read without
 * borrowing a connection, so it can be taken when the pool is exhausted.
 *
 * @param pool the pool's name (HikariCP poolName, else the DataSource bean's name)
 * @param state whether the pool has started, is suspended or closed
 * @param time when it was taken
 * @param nanoTime {@link System#nanoTime()} when it was taken, to measure episodes
 * @param active connections borrowed
 * @param idle connections in the pool, ready to borrow
 * @param total connections open
 * @param threadsAwaiting threads waiting for a connection
 * @param max most connections the pool opens (HikariCP maximumPoolSize)
 * @param min idle connections the pool keeps (HikariCP minimumIdle)
 * @param acquireTimeouts borrows that timed out since the pool started (HikariCP's
 * {@code hikaricp.connections.timeout} counter), or {@link #UNKNOWN} without a meter
 * registry
 * @param connectionsCreated connections opened since the pool started (the count of
 * HikariCP's {@code hikaricp.connections.creation} timer), or {@link #UNKNOWN} without a
 * meter registry
 * @param timings the borrow timings since the pool started, or
 * {@link PoolTimings#UNKNOWN} without a meter registry
 * @author db-pool
 * @since 0.2.0
 */
public record PoolSnapshot(String pool, State state, Instant time, long nanoTime, int active, int idle, int total,
		int threadsAwaiting, int max, int min, long acquireTimeouts, long connectionsCreated, PoolTimings timings) {

	/** Value of a count that cannot be read. */
	public static final long UNKNOWN = -1;

	/**
	 * Return the share of {@code max} in use.
	 * @return active divided by max, from 0 to 1
	 */
	public double utilization() {
		return (this.max > 0) ? Math.min(1.0, (double) this.active / this.max) : 0;
	}

	/**
	 * Whether the pool has started (HikariCP starts it at the first borrow) and is not
	 * closed.
	 * @return whether it has started
	 */
	public boolean isStarted() {
		return this.state == State.RUNNING || this.state == State.SUSPENDED;
	}

	/**
	 * Whether every connection is borrowed and threads wait for one.
	 * @return whether the pool is exhausted
	 */
	public boolean isExhausted() {
		return isStarted() && this.active >= this.max && this.threadsAwaiting > 0;
	}

	/**
	 * Whether the pool is at or above a utilization with threads waiting.
	 * @param criticalUtilization the utilization, from 0 to 1
	 * @return whether the pool is saturated
	 */
	public boolean isSaturated(double criticalUtilization) {
		return isStarted() && utilization() >= criticalUtilization && this.threadsAwaiting > 0;
	}

	/**
	 * Whether the pool holds no connection while it needs some: it keeps idle connections
	 * or threads wait. Lasting, this means it cannot reach the database.
	 * @return whether the pool is starved of connections
	 */
	public boolean isStarved() {
		return isStarted() && this.total == 0 && (this.min > 0 || this.threadsAwaiting > 0);
	}

	/**
	 * Where a pool is in its life.
	 */
	public enum State {

		/** Not started yet: HikariCP starts a pool at its first borrow. */
		NOT_STARTED,

		/** Started and lending connections. */
		RUNNING,

		/** Started, and suspended: borrowers wait until it is resumed. */
		SUSPENDED,

		/** Closed. */
		CLOSED;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT).replace('_', ' ');
		}

	}

}
