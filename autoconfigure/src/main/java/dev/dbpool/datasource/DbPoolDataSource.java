package dev.dbpool.datasource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.leaks.LeakCountingScheduler;
import dev.dbpool.waiting.WaiterCap;
import dev.dbpool.datasource.WaiterCappedDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The HikariCP pool db-pool builds: a {@link HikariDataSource} (so it is injected,
 * unwrapped and bound to meters as one) that holds what db-pool's guards know of it: its
 * {@link #getConnectionBudget() connection budget}, its {@link #leaks() leaks} and its
 * {@link #waiterCap() waiter cap}. It borrows exactly as HikariCP does: the one guard on
 * the borrow path, the waiter cap, is a subclass ({@link WaiterCappedDataSource}), so a
 * pool without it pays nothing, not even a check.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class DbPoolDataSource extends HikariDataSource {

	private volatile @Nullable ConnectionBudget connectionBudget;

	private @Nullable LeakCountingScheduler leakScheduler;

	/**
	 * Return the pool's waiter cap.
	 * @return the cap, or {@code null} if the threads waiting are not capped
	 * @see WaiterCappedDataSource
	 */
	public @Nullable WaiterCap waiterCap() {
		return null;
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
