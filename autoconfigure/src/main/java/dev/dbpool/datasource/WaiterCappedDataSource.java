package dev.dbpool.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dbpool.waiting.PoolSaturatedException;
import dev.dbpool.waiting.WaiterCap;

/**
 * db-pool's pool with a {@link WaiterCap} on {@link #getConnection()}: beyond
 * {@code maxWaiting} threads waiting, a borrow fails at once with a
 * {@link PoolSaturatedException} instead of waiting up to the acquire timeout. The cap's
 * cost (one atomic increment and decrement per borrow) is paid only by pools built with
 * {@code app.db.pool.max-waiting}.
 *
 * @author db-pool
 * @since 0.3.0
 */
final class WaiterCappedDataSource extends DbPoolDataSource {

	private final WaiterCap cap;

	/**
	 * Create a pool whose waiting threads are capped.
	 * @param maxWaiting the most threads that may wait for a connection at once, at least
	 * 1
	 */
	WaiterCappedDataSource(int maxWaiting) {
		this.cap = new WaiterCap(maxWaiting, new CappedPool());
	}

	@Override
	public Connection getConnection() throws SQLException {
		this.cap.enter();
		try {
			return super.getConnection();
		}
		finally {
			this.cap.leave();
		}
	}

	@Override
	public WaiterCap waiterCap() {
		return this.cap;
	}

	// What the cap reads of this pool, made once: nothing is allocated per borrow.
	private final class CappedPool implements WaiterCap.Pool {

		@Override
		public int activeConnections() {
			HikariPoolMXBean counters = getHikariPoolMXBean();
			return (counters != null) ? counters.getActiveConnections() : -1;
		}

		@Override
		public int maxConnections() {
			return getMaximumPoolSize();
		}

		@Override
		public String name() {
			return String.valueOf(getPoolName());
		}

		@Override
		public Duration acquireTimeout() {
			return Duration.ofMillis(getConnectionTimeout());
		}

	}

}
