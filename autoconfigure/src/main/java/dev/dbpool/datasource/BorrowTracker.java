package dev.dbpool.datasource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import org.jspecify.annotations.Nullable;

/**
 * The HikariCP metrics tracker db-pool sets on the pools it builds: it keeps each pool's
 * borrow counts and times in striped cells of its own ({@link #totals()}: no meter
 * registry needed, hold times exact to the nanosecond where HikariCP gives whole
 * milliseconds), and hands every call on to a tracker attached later, typically
 * HikariCP's own Micrometer tracker once a meter registry exists (then the
 * {@code hikaricp.*} meters are exactly HikariCP's).
 * <p>
 * HikariCP allows a pool one tracker factory, and Spring Boot sets its Micrometer one
 * only on pools that have none: with this one set, Spring Boot's stands aside and the
 * metrics layer {@link #attach(MetricsTrackerFactory) attaches} it here instead, before
 * or after the pool starts.
 * <p>
 * On the borrow path it adds two reads of {@link System#nanoTime()} and six atomic
 * additions to cells of the calling thread's stripe (a histogram of the waits among
 * them), on top of what HikariCP's tracker delegate does for any tracker (two more clock
 * reads).
 *
 * @author db-pool
 * @since 0.8.0
 */
public final class BorrowTracker implements MetricsTrackerFactory, IMetricsTracker {

	private static final IMetricsTracker NONE = new IMetricsTracker() {
	};

	private final BorrowCells cells = new BorrowCells();

	private volatile IMetricsTracker delegate = NONE;

	private @Nullable String poolName;

	private @Nullable PoolStats poolStats;

	private @Nullable MetricsTrackerFactory attached;

	/**
	 * Create a tracker with nothing attached, to set on a pool as its
	 * {@link com.zaxxer.hikari.HikariConfig#setMetricsTrackerFactory tracker factory}.
	 */
	public BorrowTracker() {
	}

	/**
	 * Return the tracker of a pool.
	 * @param pool the pool
	 * @return its tracker, or {@code null} if it has another or none
	 */
	public static @Nullable BorrowTracker of(HikariDataSource pool) {
		return (pool.getMetricsTrackerFactory() instanceof BorrowTracker tracker) ? tracker : null;
	}

	// Set on the pools db-pool builds, unless the application set a tracker or a
	// registry of its own.
	static void install(HikariDataSource pool) {
		if (pool.getMetricsTrackerFactory() == null && pool.getMetricRegistry() == null) {
			pool.setMetricsTrackerFactory(new BorrowTracker());
		}
	}

	/**
	 * Hand every call on to a tracker from a factory as well: created at once if the pool
	 * runs, else when it starts. Only the first factory attached is used.
	 * @param factory the factory, e.g. HikariCP's {@code MicrometerMetricsTrackerFactory}
	 * @return whether it was attached; {@code false} if another was before
	 */
	public synchronized boolean attach(MetricsTrackerFactory factory) {
		if (this.attached != null) {
			return false;
		}
		this.attached = factory;
		if (this.poolName != null && this.poolStats != null) {
			this.delegate = factory.create(this.poolName, this.poolStats);
		}
		return true;
	}

	/**
	 * Whether the pool has started and is tracked.
	 * @return whether HikariCP asked for the pool's tracker
	 */
	public synchronized boolean isStarted() {
		return this.poolName != null;
	}

	/**
	 * Return the pool's borrow counts and times since it started.
	 * @return the totals, or {@code null} if they cannot be read just now
	 */
	public @Nullable BorrowTotals totals() {
		return this.cells.totals();
	}

	/**
	 * Return how many borrows waited how long since the pool started, by
	 * {@link WaitHistogram} bucket.
	 * @return the counts
	 */
	public long[] waits() {
		return this.cells.waits();
	}

	@Override
	public synchronized IMetricsTracker create(String poolName, PoolStats poolStats) {
		this.poolName = poolName;
		this.poolStats = poolStats;
		if (this.attached != null) {
			this.delegate = this.attached.create(poolName, poolStats);
		}
		return this;
	}

	@Override
	public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
		this.cells.acquired(elapsedAcquiredNanos);
		this.delegate.recordConnectionAcquiredNanos(elapsedAcquiredNanos);
	}

	@Override
	public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
		this.cells.returned();
		this.delegate.recordConnectionUsageMillis(elapsedBorrowedMillis);
	}

	@Override
	public void recordConnectionTimeout() {
		this.cells.timedOut();
		this.delegate.recordConnectionTimeout();
	}

	@Override
	public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
		this.cells.created();
		this.delegate.recordConnectionCreatedMillis(connectionCreatedMillis);
	}

	@Override
	public void close() {
		this.delegate.close();
	}

}
