package dev.dbpool.monitor;

/**
 * Reads a pool's cumulative counts that HikariCP keeps only in its meters, not on its
 * MXBean.
 *
 * @author db-pool
 * @since 0.2.0
 */
public interface PoolCounters {

	/** Counters that know nothing: every count is {@link PoolSnapshot#UNKNOWN}. */
	PoolCounters NONE = new PoolCounters() {

		@Override
		public long acquireTimeouts(String pool) {
			return PoolSnapshot.UNKNOWN;
		}

		@Override
		public long connectionsCreated(String pool) {
			return PoolSnapshot.UNKNOWN;
		}

	};

	/**
	 * Return how many borrows from a pool timed out since it started.
	 * @param pool the pool's name
	 * @return the count, or {@link PoolSnapshot#UNKNOWN}
	 */
	long acquireTimeouts(String pool);

	/**
	 * Return how many connections a pool opened since it started.
	 * @param pool the pool's name
	 * @return the count, or {@link PoolSnapshot#UNKNOWN}
	 */
	long connectionsCreated(String pool);

	/**
	 * Return a pool's borrow timings since it started.
	 * @param pool the pool's name
	 * @return the timings, or {@link PoolTimings#UNKNOWN}
	 * @since 0.8.0
	 */
	default PoolTimings timings(String pool) {
		return PoolTimings.UNKNOWN;
	}

}
