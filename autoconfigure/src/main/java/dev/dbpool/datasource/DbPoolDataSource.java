package dev.dbpool.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.settings.BudgetMode;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.sizing.AdaptiveLimit;
import dev.dbpool.waiting.WaiterCap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

	/** How many of the last resizes {@link #resizes()} keeps. */
	public static final int RESIZES_KEPT = 10;

	private static final long IDLE_BORROW_MILLIS = 10;

	private static final Log logger = LogFactory.getLog(DbPoolDataSource.class);

	private volatile @Nullable PoolSettings settings;

	private volatile List<PoolGuard> guards = List.of();

	private volatile List<PoolResize> resizes = List.of();

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

	/**
	 * Resize the running pool through HikariCP's own runtime setters, and log the change
	 * once. A larger pool opens connections as it needs them; a smaller one closes its
	 * idle connections above the new max-connections at once, and those in use above it
	 * once they are idle past the idle timeout. A larger min-connections is filled by
	 * HikariCP's housekeeping (every 30 seconds).
	 * @param maxConnections the new max-connections, or {@code null} to keep it
	 * @param minConnections the new min-connections, or {@code null} to keep it
	 * @param reason why, for the log line, e.g. {@code the dbpool endpoint}
	 * @return the change
	 * @throws IllegalArgumentException if a value is not allowed, naming it and what is:
	 * max-connections below 1 or below min-connections, min-connections below 0, or
	 * max-connections beyond the connection budget's safe max-connections in mode fail or
	 * clamp
	 * @throws IllegalStateException if db-pool did not build the pool
	 * @since 0.8.0
	 */
	public synchronized PoolResize resize(@Nullable Integer maxConnections, @Nullable Integer minConnections,
			String reason) {
		PoolSettings settings = this.settings;
		if (settings == null) {
			throw new IllegalStateException("Pool '" + getPoolName() + "' was not built by db-pool");
		}
		AdaptiveLimit adaptive = guard(AdaptiveLimit.class);
		// Adaptive sizing's max-connections is its limit's ceiling.
		int oldMax = (adaptive != null) ? adaptive.ceiling() : getMaximumPoolSize();
		int oldMin = getMinimumIdle();
		int max = (maxConnections != null) ? maxConnections : oldMax;
		int min = (minConnections != null) ? minConnections : oldMin;
		if (max < 1) {
			throw new IllegalArgumentException(
					"max-connections " + max + " is not allowed: a whole number, at least 1, is");
		}
		if (min < 0) {
			throw new IllegalArgumentException(
					"min-connections " + min + " is not allowed: a whole number, at least 0, is");
		}
		if (min > max) {
			throw new IllegalArgumentException("max-connections " + max + " is below min-connections " + min
					+ ": give a max-connections of at least " + min + ", or a smaller min-connections with it");
		}
		ConnectionBudget budget = getConnectionBudget();
		if (budget != null && (budget.mode() == BudgetMode.FAIL || budget.mode() == BudgetMode.CLAMP) && max > oldMax
				&& max > budget.safeMaxConnections()) {
			throw new IllegalArgumentException("max-connections " + max + " is beyond the connection budget: at most "
					+ Math.max(oldMax, budget.safeMaxConnections()) + " fits (" + budget.describeLimit()
					+ "; budget mode " + budget.mode().name().toLowerCase(Locale.ROOT) + ")");
		}
		if (adaptive != null) {
			setMinimumIdle(Math.min(min, getMaximumPoolSize()));
			adaptive.bounds(Math.min(max, Math.max(min, PoolSettings.ADAPTIVE_FLOOR)), max, reason);
			setMinimumIdle(min);
		}
		else if (max >= oldMax) {
			// In the order that keeps min <= max between the two calls.
			setMaximumPoolSize(max);
			setMinimumIdle(min);
		}
		else {
			setMinimumIdle(min);
			setMaximumPoolSize(max);
		}
		PoolResize resize = new PoolResize(getPoolName(), oldMax, max, oldMin, min, reason, Instant.now());
		List<PoolResize> resizes = new ArrayList<>(this.resizes);
		resizes.add(resize);
		this.resizes = List.copyOf(resizes.subList(Math.max(0, resizes.size() - RESIZES_KEPT), resizes.size()));
		int closed = (adaptive == null && max < oldMax) ? closeIdleAbove(max) : 0;
		logger.info("db-pool: pool '" + getPoolName() + "' resized by " + reason + ": max-connections " + oldMax
				+ " -> " + max + ", min-connections " + oldMin + " -> " + min
				+ ((closed > 0) ? "; closed " + closed + " idle connection" + ((closed != 1) ? "s" : "") : ""));
		return resize;
	}

	/**
	 * Return the last changes of the pool's size at run time, oldest first.
	 * @return at most the last {@value #RESIZES_KEPT}
	 * @since 0.8.0
	 */
	public List<PoolResize> resizes() {
		return this.resizes;
	}

	// Borrowed past the waiter cap and evicted: HikariCP would otherwise keep them until
	// their idle timeout.
	private int closeIdleAbove(int max) {
		if (!(getHikariPoolMXBean() instanceof HikariPool pool)) {
			return 0;
		}
		int closed = 0;
		while (pool.getTotalConnections() > max && pool.getIdleConnections() > 0) {
			try {
				Connection connection = pool.getConnection(IDLE_BORROW_MILLIS);
				evict(pool, connection);
				closed++;
			}
			catch (SQLException ex) {
				break;
			}
		}
		return closed;
	}

	/**
	 * Set the limit adaptive sizing chose: HikariCP's max-connections, and, when lower,
	 * the pool's connections retired so that those in use drop to it at once.
	 * @param limit the new limit
	 */
	synchronized void limitTo(int limit) {
		int old = getMaximumPoolSize();
		if (limit == old) {
			return;
		}
		setMaximumPoolSize(limit);
		if (limit < old && getHikariPoolMXBean() instanceof HikariPool pool && pool.getTotalConnections() > limit) {
			// HikariCP closes no connection above a lowered max until it idles out, and
			// under load none does. Retired, the idle ones close now and those in use as
			// they come back, so that the connections in use drop to the limit within
			// one hold time; the pool reopens up to the limit as threads ask.
			pool.softEvictConnections();
		}
	}

	// Closed by HikariCP at once, without the return its tracker sees on a close: the
	// borrow tracker is told of it, or it would count the connection as out for ever.
	private void evict(HikariPool pool, Connection connection) {
		pool.evictConnection(connection);
		BorrowTracker tracker = BorrowTracker.of(this);
		if (tracker != null) {
			tracker.recordConnectionUsageMillis(0);
		}
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
