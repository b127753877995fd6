package dev.dbpool.monitor;

/**
 * A pool's cumulative borrow timings since it started, as HikariCP reports them on each
 * borrow and return: how many connections were handed over and for how long they were
 * held, and how long the borrows waited for one. For the pools db-pool builds they come
 * from its own tracker ({@link dev.dbpool.datasource.BorrowTracker}): hold times exact to
 * the nanosecond, the time so far of connections still out included (so that the held
 * time over an interval, divided by the interval, is the average number of connections in
 * use, even for holds longer than the interval); for other pools from HikariCP's
 * Micrometer timers, in whole milliseconds, each hold counted at its return.
 *
 * @param borrows connections returned to the pool (each counted once it is returned)
 * @param heldNanos time connections were held, in total
 * @param acquires borrows HikariCP timed (as its {@code hikaricp.connections.acquire}
 * timer counts them, timed-out ones included)
 * @param waitedNanos time those borrows waited, in total
 * @author db-pool
 * @since 0.8.0
 */
public record PoolTimings(long borrows, long heldNanos, long acquires, long waitedNanos) {

	/** Timings that cannot be read. */
	public static final PoolTimings UNKNOWN = new PoolTimings(PoolSnapshot.UNKNOWN, PoolSnapshot.UNKNOWN,
			PoolSnapshot.UNKNOWN, PoolSnapshot.UNKNOWN);

	/**
	 * Whether the timings could be read.
	 * @return whether they are known
	 */
	public boolean isKnown() {
		return this.borrows >= 0 && this.heldNanos >= 0 && this.acquires >= 0 && this.waitedNanos >= 0;
	}

}
