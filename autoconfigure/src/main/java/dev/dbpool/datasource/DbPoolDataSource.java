package dev.dbpool.datasource;

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.waiting.WaiterCap;
import org.jspecify.annotations.Nullable;

/**
 * The HikariCP pool db-pool builds: a {@link HikariDataSource} (so it is injected,
 * unwrapped and bound to meters as one) that holds the {@link #getSettings() settings} it
 * was built with and its {@link #guards() guards}. It borrows exactly as HikariCP does: a
 * guard on the borrow path (the waiter cap) is built into a subclass, so a pool without
 * it pays nothing, not even a check.
 *
 * @author db-pool
 * @since 0.3.0
 * @see DbPoolDataSourceFactory
 */
public class DbPoolDataSource extends HikariDataSource {

	private volatile @Nullable PoolSettings settings;

	private volatile List<PoolGuard> guards = List.of();

	/**
	 * Return the settings the pool was built with: every effective value, after any
	 * clamping by the connection budget, and where each came from.
	 * @return the settings, or {@code null} if the pool was not built by db-pool
	 */
	public @Nullable PoolSettings getSettings() {
		return this.settings;
	}

	/**
	 * Return the pool's guards, in the order they were registered.
	 * @return the guards
	 */
	public List<PoolGuard> guards() {
		return this.guards;
	}

	/**
	 * Return the pool's guard of a type.
	 * @param <G> the type
	 * @param type the guard's type
	 * @return the guard, or {@code null} if the pool has none of that type
	 */
	public <G extends PoolGuard> @Nullable G guard(Class<G> type) {
		for (PoolGuard guard : this.guards) {
			if (type.isInstance(guard)) {
				return type.cast(guard);
			}
		}
		return null;
	}

	/**
	 * Return the pool's waiter cap.
	 * @return the cap, or {@code null} if the threads waiting are not capped
	 */
	public @Nullable WaiterCap waiterCap() {
		return guard(WaiterCap.class);
	}

	/**
	 * Return the connection budget checked before the pool started.
	 * @return the budget, or {@code null} if it was not checked
	 */
	public @Nullable ConnectionBudget getConnectionBudget() {
		return guard(ConnectionBudget.class);
	}

	/**
	 * Return the connections held longer than the leak-detection threshold.
	 * @return the pool's leaks, or {@code null} if they are not counted
	 */
	public @Nullable ConnectionLeaks leaks() {
		return guard(ConnectionLeaks.class);
	}

	void built(@Nullable PoolSettings settings, List<PoolGuard> guards) {
		this.settings = settings;
		this.guards = List.copyOf(guards);
	}

	@Override
	public void close() {
		super.close();
		for (PoolGuard guard : this.guards) {
			guard.close();
		}
	}

}
