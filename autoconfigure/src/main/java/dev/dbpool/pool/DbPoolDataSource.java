package dev.dbpool.pool;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.leaks.LeakCountingScheduler;
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

	private volatile @Nullable ConnectionBudget connectionBudget;

	private @Nullable LeakCountingScheduler leakScheduler;

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

	/**
	 * Return the connection budget checked before the pool started.
	 * @return the budget, or {@code null} if it was not checked
	 */
	public @Nullable ConnectionBudget getConnectionBudget() {
		return this.connectionBudget;
	}

	/**
	 * Set the connection budget checked before the pool started.
	 * @param connectionBudget the budget
	 */
	public void setConnectionBudget(@Nullable ConnectionBudget connectionBudget) {
		this.connectionBudget = connectionBudget;
	}

	/**
	 * Count the connections held longer than the leak-detection threshold, see
	 * {@link #leaks()}: HikariCP's housekeeping then runs on a
	 * {@link LeakCountingScheduler} instead of the scheduler HikariCP would make. Call it
	 * once the pool is configured, before it starts. Does nothing when leak detection is
	 * off (a threshold set later through JMX is then logged by HikariCP, not counted), or
	 * when the pool already has a scheduler.
	 */
	public void countLeaks() {
		if (getLeakDetectionThreshold() > 0 && getScheduledExecutor() == null && getHikariPoolMXBean() == null) {
			LeakCountingScheduler scheduler = new LeakCountingScheduler(this);
			setScheduledExecutor(scheduler);
			this.leakScheduler = scheduler;
		}
	}

	/**
	 * Return the connections held longer than the leak-detection threshold.
	 * @return the pool's leaks, or {@code null} if they are not counted
	 * @see #countLeaks()
	 */
	public @Nullable ConnectionLeaks leaks() {
		LeakCountingScheduler scheduler = this.leakScheduler;
		return (scheduler != null) ? scheduler.leaks() : null;
	}

	@Override
	public void close() {
		super.close();
		// HikariCP does not shut down a scheduler it was given.
		LeakCountingScheduler scheduler = this.leakScheduler;
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
	}

}
