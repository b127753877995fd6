package dev.dbpool.monitor;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.dbpool.datasource.HikariPools;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.sizing.AdaptiveLimit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Samples every HikariCP pool in the application on a single daemon thread of its own,
 * {@value #THREAD_NAME}, so that the application needs no {@code @EnableScheduling} and
 * the monitor never competes with the application's scheduled work.
 * <p>
 * Each sample reads HikariCP's own counters and never borrows a connection, so it works
 * when the pool is exhausted. Every interval it logs one line per pool: DEBUG when calm,
 * WARN at or above the warning utilization or when the pool holds no connection while it
 * needs some, ERROR when the pool is exhausted (every connection borrowed and threads
 * waiting), naming how many wait and for how long the pool has been exhausted. Nothing
 * else logs, so an exhausted pool makes one line per interval, however many requests
 * wait. Each pool's {@link PoolState} keeps the last samples for the health indicator and
 * the meters.
 * <p>
 * The pools are found among the DataSource beans (unwrapped to their HikariCP pool) when
 * first asked for, and read at every sample: a pool HikariCP has not started yet is
 * reported as not started.
 *
 * @author db-pool
 * @since 0.2.0
 */
public class PoolMonitor implements SmartLifecycle {

	/** Name of the monitor's thread. */
	public static final String THREAD_NAME = "db-pool-monitor";

	/**
	 * Lifecycle phase: below the web server's and a pool drain's, so the monitor starts
	 * before them and stops after them, and keeps reporting while requests and
	 * connections drain.
	 */
	public static final int PHASE = -1024;

	private static final Log logger = LogFactory.getLog(PoolMonitor.class);

	private final Supplier<? extends Map<String, ? extends DataSource>> dataSources;

	private final Supplier<@Nullable PoolCounters> counters;

	private final MonitorSettings settings;

	private final Clock clock;

	private final List<PoolMonitorListener> listeners = new CopyOnWriteArrayList<>();

	private final List<PeriodicTask> tasks = new CopyOnWriteArrayList<>();

	private final Object lifecycleMonitor = new Object();

	private final Object poolsMonitor = new Object();

	private volatile @Nullable List<PoolState> pools;

	private @Nullable ScheduledThreadPoolExecutor executor;

	private boolean running;

	private volatile boolean timingsMissingLogged;

	/**
	 * Create a monitor.
	 * @param dataSources the application's DataSource beans by name, asked for when the
	 * pools are first needed
	 * @param counters the counters HikariCP keeps only in its meters, asked for at every
	 * observation; {@code null} (or a supplier of {@code null}) when there are none
	 * @param settings how to sample and judge the pools
	 */
	public PoolMonitor(Supplier<? extends Map<String, ? extends DataSource>> dataSources,
			@Nullable Supplier<@Nullable PoolCounters> counters, MonitorSettings settings) {
		this(dataSources, counters, settings, Clock.systemUTC());
	}

	PoolMonitor(Supplier<? extends Map<String, ? extends DataSource>> dataSources,
			@Nullable Supplier<@Nullable PoolCounters> counters, MonitorSettings settings, Clock clock) {
		this.dataSources = dataSources;
		this.counters = (counters != null) ? counters : () -> null;
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * Return the settings the pools are sampled and judged by.
	 * @return the settings
	 */
	public MonitorSettings settings() {
		return this.settings;
	}

	/**
	 * Return the state of every HikariCP pool in the application, finding the pools on
	 * first call.
	 * @return the pools' states, in the order of their beans
	 */
	public List<PoolState> pools() {
		List<PoolState> pools = this.pools;
		if (pools == null) {
			synchronized (this.poolsMonitor) {
				pools = this.pools;
				if (pools == null) {
					pools = findPools();
					this.pools = pools;
				}
			}
		}
		return pools;
	}

	/**
	 * Return the max-connections of each pool watched, by pool name.
	 * @return how many connections each pool may open
	 * @since 0.4.0
	 */
	public Map<String, Integer> maxConnectionsByPool() {
		Map<String, Integer> pools = new LinkedHashMap<>();
		for (PoolState pool : pools()) {
			pools.merge(pool.name(), pool.dataSource().getMaximumPoolSize(), Integer::sum);
		}
		return pools;
	}

	/**
	 * Return the state of a pool.
	 * @param name the pool's name or its DataSource bean's name
	 * @return the state, or {@code null} if there is no such pool
	 */
	public @Nullable PoolState pool(String name) {
		for (PoolState pool : pools()) {
			if (pool.name().equals(name) || pool.beanName().equals(name)) {
				return pool;
			}
		}
		return null;
	}

	private List<PoolState> findPools() {
		List<PoolState> pools = new ArrayList<>();
		HikariPools.in(this.dataSources.get())
			.forEach((beanName, pool) -> pools
				.add(new PoolState(beanName, pool, this.settings, this::counters, this.listeners, this.clock)));
		return Collections.unmodifiableList(pools);
	}

	private PoolCounters counters() {
		PoolCounters counters = this.counters.get();
		return (counters != null) ? counters : PoolCounters.NONE;
	}

	/**
	 * Add a listener to pool events. It is told at once of the pools already seen
	 * started.
	 * @param listener the listener
	 */
	public void addListener(PoolMonitorListener listener) {
		this.listeners.add(listener);
		List<PoolState> pools = this.pools;
		if (pools != null) {
			for (PoolState pool : pools) {
				PoolSnapshot latest = pool.latest();
				if (latest != null && latest.isStarted()) {
					listener.poolStarted(pool);
				}
			}
		}
	}

	/**
	 * Run a task of db-pool's own on the monitor's thread every interval, from when the
	 * monitor starts until it stops, so that db-pool never starts a thread of its own for
	 * it. The task must return quickly and never throw: a failure is logged, and the next
	 * interval runs it again.
	 * @param name what the task does, for the log line when it fails
	 * @param interval time between two runs; the first runs one interval after start
	 * @param task the task
	 */
	public void addPeriodicTask(String name, Duration interval, Runnable task) {
		addPeriodicTask(name, interval, interval, task);
	}

	/**
	 * Run a task of db-pool's own on the monitor's thread every interval, from when the
	 * monitor starts until it stops, the first run after an initial delay: 0 runs it as
	 * soon as the monitor starts, so that what it gathers is there without waiting one
	 * interval. The task must return quickly and never throw: a failure is logged, and
	 * the next interval runs it again.
	 * @param name what the task does, for the log line when it fails
	 * @param initialDelay time from the monitor's start to the first run
	 * @param interval time between two runs
	 * @param task the task
	 * @since 0.3.0
	 */
	public void addPeriodicTask(String name, Duration initialDelay, Duration interval, Runnable task) {
		PeriodicTask periodic = new PeriodicTask(name, initialDelay, interval, task);
		synchronized (this.lifecycleMonitor) {
			this.tasks.add(periodic);
			if (this.executor != null) {
				periodic.scheduleOn(this.executor);
			}
		}
	}

	/**
	 * Sample every pool once and log its state: what the monitor's thread does every
	 * interval. Never throws: a failure is logged, and the next interval samples again.
	 */
	public void sampleAll() {
		try {
			for (PoolState pool : pools()) {
				try {
					PoolSnapshot sample = pool.sample();
					log(pool, sample);
					logAdvice(pool, sample);
				}
				catch (Throwable ex) {
					logger.warn("db-pool: sampling pool '" + pool.name() + "' failed", ex);
				}
			}
		}
		catch (Throwable ex) {
			logger.warn("db-pool: finding the pools to sample failed", ex);
		}
	}

	// Every tick, each adaptive limit decides from its pool's timings. Never throws.
	private void adapt(List<PoolState> pools) {
		for (PoolState pool : pools) {
			try {
				AdaptiveLimit limit = pool.adaptiveLimit();
				PoolTimings timings = pool.timings();
				if (limit == null || !timings.isKnown()) {
					if (limit != null && !this.timingsMissingLogged) {
						this.timingsMissingLogged = true;
						logger.warn("db-pool: pool '" + pool.name() + "' is sized adaptively, but its borrow "
								+ "timings cannot be read; its limit stays at " + limit.limit());
					}
					continue;
				}
				limit.tick(new AdaptiveLimit.Sample(System.nanoTime(), timings.borrows(), timings.heldNanos(),
						timings.waitedNanos()));
			}
			catch (Throwable ex) {
				logger.warn("db-pool: adapting the size of pool '" + pool.name() + "' failed", ex);
			}
		}
	}

	private void log(PoolState pool, PoolSnapshot sample) {
		if (!sample.isStarted()) {
			if (logger.isDebugEnabled()) {
				logger.debug("db-pool: pool '" + sample.pool() + "' " + sample.state());
			}
			return;
		}
		Duration exhausted = pool.exhaustedFor(sample);
		if (exhausted != null) {
			logger.error(describe(sample) + " — exhausted for " + Durations.format(exhausted));
			return;
		}
		Duration starved = pool.starvedFor(sample);
		if (starved != null) {
			PhysicalConnectionSource source = PhysicalConnectionSource.of(pool.dataSource());
			String failure = (source != null && source.getFailingSince() != null)
					? "; opening one fails: " + source.getLastFailure() : "; is the database reachable?";
			logger.warn(describe(sample) + " — no connection for " + Durations.format(starved) + failure);
			return;
		}
		if (!pool.isAdaptiveLimitBelowCeiling() && (sample.utilization() >= this.settings.warnUtilization()
				|| sample.isSaturated(this.settings.criticalUtilization()))) {
			logger.warn(describe(sample) + " — at or above " + percent(this.settings.warnUtilization()));
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug(describe(sample));
		}
	}

	private static void logAdvice(PoolState pool, PoolSnapshot sample) {
		SizingAdvice advice = pool.adviceToLog(sample.nanoTime());
		if (advice != null && logger.isInfoEnabled()) {
			logger.info("db-pool: pool '" + sample.pool() + "' has max-connections " + sample.max() + "; "
					+ advice.recommendedMaxConnections() + " would do over the last "
					+ Durations.format(advice.window()) + ": " + advice.basis()
					+ String.format(" (%.1f borrows/s, each held %.3fms and waited for %.3fms)",
							advice.borrowsPerSecond(), millis(advice.meanHold()), millis(advice.meanWait()))
					+ ". Said at most once an hour; see the sizing details of the dbPool health and "
					+ "db.pool.recommended.max-connections");
		}
	}

	private static double millis(Duration duration) {
		return duration.toNanos() / 1e6;
	}

	private static String describe(PoolSnapshot sample) {
		return "db-pool: pool '" + sample.pool() + "' "
				+ ((sample.state() != PoolSnapshot.State.RUNNING) ? sample.state() + ", " : "") + "active "
				+ sample.active() + "/" + sample.max() + ", idle " + sample.idle() + ", waiting "
				+ sample.threadsAwaiting() + ", utilization " + percent(sample.utilization());
	}

	private static String percent(double share) {
		return Math.round(share * 100) + "%";
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			List<PoolState> pools = pools();
			// A pool that started while the application started (to initialize its
			// schema, say) is seen started at once, so its meters are there at once.
			pools.forEach(PoolState::observe);
			this.running = true;
			if (pools.isEmpty() && this.tasks.isEmpty()) {
				logger.debug("db-pool: no HikariCP pool to monitor");
				return;
			}
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
				Thread thread = new Thread(task, THREAD_NAME);
				thread.setDaemon(true);
				return thread;
			});
			executor.setRemoveOnCancelPolicy(true);
			executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			long interval = this.settings.interval().toMillis();
			executor.scheduleWithFixedDelay(this::sampleAll, interval, interval, TimeUnit.MILLISECONDS);
			this.tasks.forEach((task) -> task.scheduleOn(executor));
			List<PoolState> adaptive = pools.stream().filter((pool) -> pool.adaptiveLimit() != null).toList();
			if (!adaptive.isEmpty()) {
				long tick = AdaptiveLimit.TICK.toMillis();
				executor.scheduleWithFixedDelay(() -> adapt(adaptive), tick, tick, TimeUnit.MILLISECONDS);
			}
			this.executor = executor;
			if (logger.isInfoEnabled()) {
				logger.info("db-pool: monitoring " + pools.stream().map((pool) -> "'" + pool.name() + "'").toList()
						+ " every " + Durations.format(this.settings.interval()) + " (warn at "
						+ percent(this.settings.warnUtilization()) + ", critical at "
						+ percent(this.settings.criticalUtilization()) + ")");
			}
		}
	}

	@Override
	public void stop() {
		ScheduledThreadPoolExecutor executor;
		synchronized (this.lifecycleMonitor) {
			executor = this.executor;
			this.executor = null;
			this.running = false;
		}
		if (executor != null) {
			executor.shutdownNow();
			try {
				executor.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.lifecycleMonitor) {
			return this.running;
		}
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private record PeriodicTask(String name, Duration initialDelay, Duration interval, Runnable task) {

		void scheduleOn(ScheduledThreadPoolExecutor executor) {
			executor.scheduleWithFixedDelay(this::runQuietly, this.initialDelay.toMillis(), this.interval.toMillis(),
					TimeUnit.MILLISECONDS);
		}

		private void runQuietly() {
			try {
				this.task.run();
			}
			catch (Throwable ex) {
				logger.warn("db-pool: " + this.name + " failed", ex);
			}
		}

	}

}
