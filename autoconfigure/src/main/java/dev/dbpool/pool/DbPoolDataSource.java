package dev.dbpool.pool;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.waiting.WaiterCap;
import org.jspecify.annotations.Nullable;

/**
 * The HikariCP pool db-pool builds: a {@link HikariDataSource} (so it is injected,
 * unwrapped and bound to meters as one) and the one place db-pool's guards touch the
 * borrow path. Each guard is set up before the pool starts and costs nothing when it is
 * off.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class DbPoolDataSource extends HikariDataSource {

	// Set before the pool starts, read on every borrow: null when there is no cap.
	private @Nullable WaiterCap waiterCap;

	@Override
	public Connection getConnection() throws SQLException {
		WaiterCap cap = this.waiterCap;
		if (cap == null) {
			return super.getConnection();
		}
		cap.enter(this);
		try {
			return super.getConnection();
		}
		finally {
			cap.leave();
		}
	}

	/**
	 * Cap the threads that may wait for a connection at once: beyond {@code maxWaiting},
	 * {@link #getConnection()} fails at once with a
	 * {@link dev.dbpool.waiting.PoolSaturatedException} instead of waiting up to the
	 * acquire timeout. Only before the pool starts.
	 * @param maxWaiting the most threads that may wait, at least 1
	 * @throws IllegalStateException if the pool has started
	 */
	public void capWaiters(int maxWaiting) {
		if (getHikariPoolMXBean() != null) {
			throw new IllegalStateException("The waiter cap is set before the pool starts");
		}
		this.waiterCap = new WaiterCap(maxWaiting);
	}

	/**
	 * Return the pool's waiter cap.
	 * @return the cap, or {@code null} if the threads waiting are not capped
	 */
	public @Nullable WaiterCap waiterCap() {
		return this.waiterCap;
	}

}
