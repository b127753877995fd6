package dev.dbpool.datasource;

/**
 * A pool's cumulative borrow counts and times since it started, as its
 * {@link BorrowTracker} recorded them.
 *
 * @param acquires borrows HikariCP timed, as its {@code hikaricp.connections.acquire}
 * timer counts them: those that got a connection and those that timed out
 * @param waitedNanos time those borrows waited, in total
 * @param returns connections returned to the pool
 * @param heldNanos time connections were held, in total, exact to the nanosecond: those
 * returned, and those still out until the moment of the read
 * @param timeouts borrows that timed out
 * @param connectionsCreated connections the pool opened
 * @author db-pool
 * @since 0.8.0
 */
public record BorrowTotals(long acquires, long waitedNanos, long returns, long heldNanos, long timeouts,
		long connectionsCreated) {

}
