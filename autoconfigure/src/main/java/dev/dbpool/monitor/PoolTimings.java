package dev.dbpool.monitor;

/**
 * A pool's cumulative borrow timings since it started, as HikariCP records them on each
 * borrow and return: how many connections were handed over and for how long they were
 * held, and how long the borrows waited for one.
 *
 * @param borrows connections returned to the pool (each counted once it is returned)
 * @param heldNanos time they were held, in total
 * @param acquires borrows that got a connection
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
