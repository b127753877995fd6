package dev.dbpool.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.datasource.BorrowTotals;
import dev.dbpool.datasource.BorrowTracker;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.sizing.AdaptiveLimit;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link PoolMonitor} knows of one HikariCP pool: its recent samples, its latest
 * observation and the episodes in progress (saturated, exhausted, starved of
 * connections).
 * <p>
 * Every observation, a scheduled {@link #sample()} or a health check's
 * {@link #observe()}, reads HikariCP's counters (never borrowing a connection) and feeds
 * the same state. Observations are serialized by a lock of this state's own, which
 * nothing on the application's borrow path takes; reads of the state take no lock.
 *
 * @author db-pool
 * @since 0.2.0
 */
public final class PoolState {

	private static final long NONE = Long.MIN_VALUE;

	// The least time between two log lines of sizing advice for a pool.
	static final Duration ADVICE_LOG_INTERVAL = Duration.ofHours(1);

	private final String beanName;

	private final HikariDataSource dataSource;

	private final MonitorSettings settings;

	private final Supplier<PoolCounters> counters;

	private final List<PoolMonitorListener> listeners;

	private final Clock clock;

	private final ReentrantLock lock = new ReentrantLock();

	private volatile List<PoolSnapshot> history = List.of();

	private volatile @Nullable PoolSnapshot latest;

	private volatile boolean started;

	private volatile long saturatedSince = NONE;

	private volatile long exhaustedSince = NONE;

	private volatile long starvedSince = NONE;

	private volatile long connectionsCreated;

	private volatile @Nullable Instant lastConnectionCreated;

	private volatile @Nullable Instant lastSeenWithConnections;

	private volatile @Nullable SizingAdvice advice;

	// When the monitor last logged the advice, so that it says it at most once an hour.
	private volatile long adviceLoggedAt = NONE;

	PoolState(String beanName, HikariDataSource dataSource, MonitorSettings settings, Supplier<PoolCounters> counters,
			List<PoolMonitorListener> listeners, Clock clock) {
		this.beanName = beanName;
		this.dataSource = dataSource;
		this.settings = settings;
		this.counters = counters;
		this.listeners = listeners;
		this.clock = clock;
	}

	/**
	 * Return the name of the DataSource bean the pool was found in.
	 * @return the bean name
	 */
	public String beanName() {
		return this.beanName;
	}

	/**
	 * Return the pool's name: HikariCP's poolName, which HikariCP generates at start-up
	 * when none was set, else (until then) the bean name.
	 * @return the name
	 */
	public String name() {
		String poolName = this.dataSource.getPoolName();
		return (poolName != null) ? poolName : this.beanName;
	}

	/**
	 * Return the pool.
	 * @return the pool
	 */
	public HikariDataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * Return the settings the pool is judged by.
	 * @return the settings
	 */
	public MonitorSettings settings() {
		return this.settings;
	}

	/**
	 * Read the pool's counters now and update the state with them, without adding to the
	 * history: what a health check does.
	 * @return the observation
	 */
	public PoolSnapshot observe() {
		return observe(false);
	}

	/**
	 * Read the pool's counters now, update the state with them and add them to the
	 * history: what the monitor does every interval.
	 * @return the sample
	 */
	public PoolSnapshot sample() {
		return observe(true);
	}

	private PoolSnapshot observe(boolean addToHistory) {
		this.lock.lock();
		try {
			PoolSnapshot snapshot = read();
			update(snapshot, addToHistory);
			return snapshot;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Update the state with an observation made elsewhere, for tests.
	 * @param snapshot the observation, newer than every earlier one
	 * @param addToHistory whether it is a sample to keep in the history
	 */
	void record(PoolSnapshot snapshot, boolean addToHistory) {
		this.lock.lock();
		try {
			update(snapshot, addToHistory);
		}
		finally {
			this.lock.unlock();
		}
	}

	private PoolSnapshot read() {
		Instant time = this.clock.instant();
		long nanoTime = System.nanoTime();
		String name = name();
		int max = this.dataSource.getMaximumPoolSize();
		int min = this.dataSource.getMinimumIdle();
		HikariPoolMXBean pool = this.dataSource.getHikariPoolMXBean();
		if (this.dataSource.isClosed() || pool == null) {
			PoolSnapshot.State state = (pool == null && !this.dataSource.isClosed()) ? PoolSnapshot.State.NOT_STARTED
					: PoolSnapshot.State.CLOSED;
			return new PoolSnapshot(name, state, time, nanoTime, 0, 0, 0, 0, max, min, PoolSnapshot.UNKNOWN,
					PoolSnapshot.UNKNOWN, PoolTimings.UNKNOWN);
		}
		PoolSnapshot.State state = this.dataSource.isRunning() ? PoolSnapshot.State.RUNNING
				: PoolSnapshot.State.SUSPENDED;
		BorrowTracker tracker = BorrowTracker.of(this.dataSource);
		if (tracker != null && tracker.isStarted()) {
			// db-pool's own tracker: no meter registry needed, hold times in nanoseconds;
			// never mixed with the meters' milliseconds, even when a read fails.
			BorrowTotals totals = tracker.totals();
			PoolTimings timings = timingsOf(totals);
			return new PoolSnapshot(name, state, time, nanoTime, pool.getActiveConnections(), pool.getIdleConnections(),
					pool.getTotalConnections(), pool.getThreadsAwaitingConnection(), max, min,
					(totals != null) ? totals.timeouts() : PoolSnapshot.UNKNOWN,
					(totals != null) ? totals.connectionsCreated() : PoolSnapshot.UNKNOWN, timings);
		}
		PoolCounters counters = this.counters.get();
		return new PoolSnapshot(name, state, time, nanoTime, pool.getActiveConnections(), pool.getIdleConnections(),
				pool.getTotalConnections(), pool.getThreadsAwaitingConnection(), max, min,
				counters.acquireTimeouts(name), counters.connectionsCreated(name), counters.timings(name));
	}

	private void update(PoolSnapshot snapshot, boolean addToHistory) {
		this.latest = snapshot;
		if (addToHistory) {
			List<PoolSnapshot> history = new ArrayList<>(this.history);
			history.add(snapshot);
			int excess = history.size() - this.settings.historySize();
			this.history = Collections
				.unmodifiableList((excess > 0) ? history.subList(excess, history.size()) : history);
			this.advice = SizingAdvice.of(this.history, provenLimit(), safeMaxConnections());
		}
		if (snapshot.isStarted() && !this.started) {
			this.started = true;
			this.listeners.forEach((listener) -> listener.poolStarted(this));
		}
		long now = snapshot.nanoTime();
		// Threads waiting at an adaptive limit below its ceiling wait by design.
		boolean limited = isAdaptiveLimitBelowCeiling();
		this.saturatedSince = (!limited && snapshot.isSaturated(this.settings.criticalUtilization()))
				? since(this.saturatedSince, now) : NONE;
		this.starvedSince = snapshot.isStarved() ? since(this.starvedSince, now) : NONE;
		if (!limited && snapshot.isExhausted()) {
			if (this.exhaustedSince == NONE) {
				this.exhaustedSince = now;
				this.listeners.forEach((listener) -> listener.exhaustionStarted(this));
			}
		}
		else if (this.exhaustedSince != NONE) {
			Duration duration = Duration.ofNanos(now - this.exhaustedSince);
			this.exhaustedSince = NONE;
			this.listeners.forEach((listener) -> listener.exhaustionEnded(this, duration));
		}
		if (snapshot.connectionsCreated() > this.connectionsCreated) {
			this.connectionsCreated = snapshot.connectionsCreated();
			this.lastConnectionCreated = snapshot.time();
		}
		if (snapshot.total() > 0) {
			this.lastSeenWithConnections = snapshot.time();
		}
	}

	private static long since(long since, long now) {
		return (since != NONE) ? since : now;
	}

	// The limit adaptive sizing proved, where it is below the ceiling (at the ceiling, a
	// higher one was never tried).
	private int provenLimit() {
		AdaptiveLimit limit = adaptiveLimit();
		int proven = (limit != null) ? limit.provenLimit() : 0;
		return (limit != null && proven < limit.ceiling()) ? proven : 0;
	}

	private int safeMaxConnections() {
		ConnectionBudget budget = (this.dataSource instanceof DbPoolDataSource pool) ? pool.getConnectionBudget()
				: null;
		return (budget != null) ? Math.max(0, budget.safeMaxConnections()) : 0;
	}

	/**
	 * Whether the pool is sized adaptively and its limit is below its ceiling: all its
	 * connections in use with threads waiting is then the limit at work, not a pool too
	 * small.
	 * @return whether the limit may still grow
	 * @since 0.8.0
	 */
	public boolean isAdaptiveLimitBelowCeiling() {
		AdaptiveLimit limit = adaptiveLimit();
		return limit != null && limit.isBelowCeiling();
	}

	/**
	 * Return the pool's adaptive limit.
	 * @return the limit, or {@code null} if the pool is not sized adaptively
	 * @since 0.8.0
	 */
	public @Nullable AdaptiveLimit adaptiveLimit() {
		return (this.dataSource instanceof DbPoolDataSource pool) ? pool.guard(AdaptiveLimit.class) : null;
	}

	/**
	 * Read the pool's cumulative borrow timings now, without updating the state.
	 * @return the timings, or {@link PoolTimings#UNKNOWN}
	 * @since 0.8.0
	 */
	public PoolTimings timings() {
		BorrowTracker tracker = BorrowTracker.of(this.dataSource);
		if (tracker != null && tracker.isStarted()) {
			return timingsOf(tracker.totals());
		}
		return this.counters.get().timings(name());
	}

	private static PoolTimings timingsOf(@Nullable BorrowTotals totals) {
		return (totals != null)
				? new PoolTimings(totals.returns(), totals.heldNanos(), totals.acquires(), totals.waitedNanos())
				: PoolTimings.UNKNOWN;
	}

	/**
	 * Whether the advice is far from the pool's size (more than twice, or less than half)
	 * and was not said within the hour: then the monitor says it, and this returns
	 * {@code false} for the next hour.
	 * @param nanoTime the time now, from {@link System#nanoTime()}
	 * @return the advice to log, or {@code null}
	 */
	@Nullable SizingAdvice adviceToLog(long nanoTime) {
		SizingAdvice advice = this.advice;
		int max = this.dataSource.getMaximumPoolSize();
		// A pool sized adaptively sizes itself.
		if (advice == null || adaptiveLimit() != null
				|| (max <= 2 * advice.recommendedMaxConnections() && 2 * max >= advice.recommendedMaxConnections())) {
			return null;
		}
		if (this.adviceLoggedAt != NONE && nanoTime - this.adviceLoggedAt < ADVICE_LOG_INTERVAL.toNanos()) {
			return null;
		}
		this.adviceLoggedAt = nanoTime;
		return advice;
	}

	/**
	 * Return the pool size the recent samples call for.
	 * @return the advice, or {@code null} until the history holds enough load
	 * @since 0.8.0
	 */
	public @Nullable SizingAdvice advice() {
		return this.advice;
	}

	/**
	 * Return the recent samples, oldest first: at most the history size, one per
	 * interval.
	 * @return the samples
	 */
	public List<PoolSnapshot> history() {
		return this.history;
	}

	/**
	 * Return the latest observation, a sample or a health check's.
	 * @return the observation, or {@code null} before the first
	 */
	public @Nullable PoolSnapshot latest() {
		return this.latest;
	}

	/**
	 * Return how long, as of an observation, the pool has been saturated: at or above the
	 * critical utilization with threads waiting, at every observation since the first
	 * that saw it so.
	 * @param at the observation, normally the latest
	 * @return how long, or {@code null} if it is not saturated
	 */
	public @Nullable Duration saturatedFor(PoolSnapshot at) {
		return durationSince(this.saturatedSince, at);
	}

	/**
	 * Return how long, as of an observation, the pool has been exhausted: every
	 * connection borrowed and threads waiting.
	 * @param at the observation, normally the latest
	 * @return how long, or {@code null} if it is not exhausted
	 */
	public @Nullable Duration exhaustedFor(PoolSnapshot at) {
		return durationSince(this.exhaustedSince, at);
	}

	/**
	 * Return how long, as of an observation, the pool has held no connection while
	 * needing some (min-connections above 0, or threads waiting).
	 * @param at the observation, normally the latest
	 * @return how long, or {@code null} if it holds connections or needs none
	 */
	public @Nullable Duration starvedFor(PoolSnapshot at) {
		return durationSince(this.starvedSince, at);
	}

	private static @Nullable Duration durationSince(long since, PoolSnapshot at) {
		return (since != NONE) ? Duration.ofNanos(Math.max(0, at.nanoTime() - since)) : null;
	}

	/**
	 * Return the time of the last observation at which HikariCP's count of connections
	 * created had risen: a connection was opened at or before it, after the observation
	 * before.
	 * @return the time, or {@code null} if none was seen, or the count cannot be read (no
	 * meter registry)
	 */
	public @Nullable Instant lastConnectionCreated() {
		return this.lastConnectionCreated;
	}

	/**
	 * Return the time of the last observation at which the pool held at least one
	 * connection.
	 * @return the time, or {@code null} if none was seen
	 */
	public @Nullable Instant lastSeenWithConnections() {
		return this.lastSeenWithConnections;
	}

	/**
	 * Return the share of max-connections in use now, read from HikariCP's counters
	 * without updating the state.
	 * @return the utilization, from 0 to 1; 0 for a pool that has not started
	 */
	public double utilization() {
		HikariPoolMXBean pool = this.dataSource.getHikariPoolMXBean();
		int max = this.dataSource.getMaximumPoolSize();
		return (pool != null && max > 0) ? Math.min(1.0, (double) pool.getActiveConnections() / max) : 0;
	}

	@Override
	public String toString() {
		return "PoolState '" + name() + "'";
	}

}
