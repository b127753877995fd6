package dev.dbpool.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dbpool.datasource.HikariPools;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.diagnostics.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.util.Assert;

/**
 * {@link SmartLifecycle} that drains every HikariCP pool of an application context when
 * the context closes: it waits, up to a time limit, for the connections borrowed from the
 * pools to come back, then closes the pools, and logs one summary line per pool.
 * <p>
 * It stops in {@link #PHASE}, after the web server has finished its in-flight requests
 * and stopped, and after Spring's task executors and schedulers have stopped, so that no
 * new work arrives while it waits. Every {@link HikariDataSource} singleton in the
 * context is drained, also one behind a wrapper such as a
 * {@code LazyConnectionDataSourceProxy} and also one db-pool did not build. All pools
 * wait against one deadline, so the drain takes at most the time limit however many pools
 * there are. The drain runs on the thread that closes the context and starts no thread of
 * its own. A pool that never opened a connection is just closed.
 * <p>
 * <strong>Suspension.</strong> A pool built with HikariCP's {@code allowPoolSuspension}
 * is suspended while it drains: a borrow then waits instead of taking a connection. Just
 * before the pool closes it is resumed, because HikariCP cannot resume a closed pool and
 * would leave such a caller waiting for ever; the caller then fails (at the latest after
 * the pool's connection timeout), or gets a connection the close aborts. Suspending waits
 * for callers already inside {@code getConnection()} to get a connection or time out.
 * db-pool does not turn {@code allowPoolSuspension} on: it puts a semaphore acquire and
 * release on every borrow. Without it, the phase order is what keeps new borrows away.
 * <p>
 * A {@link #stop() stop} of a context that is not closing (a pause, a restart, a
 * checkpoint) leaves the pools alone, and so does any stop once the pools are drained.
 * <p>
 * For a pool db-pool built, the summary line also says how many physical connections the
 * pool opened over its life, as its {@link PhysicalConnectionSource} counted them;
 * HikariCP keeps no such count of its own.
 *
 * @author db-pool
 * @since 0.2.0
 */
public class PoolDrainLifecycle implements SmartLifecycle {

	/**
	 * The phase of this lifecycle, {@value}: 1024 below the phase in which Spring's
	 * {@code ThreadPoolTaskExecutor} and {@code ThreadPoolTaskScheduler} stop
	 * ({@link ExecutorConfigurationSupport#DEFAULT_PHASE}, 1073741823), and so also below
	 * the web server's graceful shutdown (2147482623) and stop (2147481599) phases. A
	 * lower phase stops later: the pools drain after all of those have stopped, and
	 * before lifecycles in lower phases, such as the default phase 0 of a plain
	 * {@code Lifecycle}, which then find the pools closed.
	 */
	public static final int PHASE = ExecutorConfigurationSupport.DEFAULT_PHASE - 1024;

	private static final long POLL_MILLIS = 50;

	private static final Log logger = LogFactory.getLog(PoolDrainLifecycle.class);

	private final ConfigurableApplicationContext context;

	private final Duration timeout;

	private volatile boolean running;

	/**
	 * Create a lifecycle that drains the pools of a context when it closes.
	 * @param context the application context whose pools to drain
	 * @param timeout the longest time to wait for borrowed connections to come back; 0
	 * closes the pools at once
	 */
	public PoolDrainLifecycle(ConfigurableApplicationContext context, Duration timeout) {
		Assert.isTrue(!timeout.isNegative(), "'timeout' must not be negative");
		this.context = context;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		if (!this.context.isClosed()) {
			logger.debug("db-pool: application context stopped without closing; its pools stay open");
			return;
		}
		this.running = false;
		drain(pools());
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

	/**
	 * Return the longest time to wait for borrowed connections to come back.
	 * @return the time limit
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

	// The pools among the singletons that exist: nothing is created at shutdown.
	private List<HikariDataSource> pools() {
		ConfigurableListableBeanFactory beanFactory = this.context.getBeanFactory();
		Map<String, DataSource> dataSources = new LinkedHashMap<>();
		for (String name : beanFactory.getBeanNamesForType(DataSource.class, false, false)) {
			if (beanFactory.containsSingleton(name)
					&& beanFactory.getSingleton(name) instanceof DataSource dataSource) {
				dataSources.put(name, dataSource);
			}
		}
		return HikariPools.in(dataSources).values().stream().filter((pool) -> !pool.isClosed()).toList();
	}

	private void drain(List<HikariDataSource> pools) {
		long start = System.nanoTime();
		List<PoolDrain> drains = new ArrayList<>();
		for (HikariDataSource pool : pools) {
			HikariPoolMXBean mxBean = pool.getHikariPoolMXBean();
			if (mxBean == null) {
				pool.close();
				logger.debug("db-pool: pool '" + pool.getPoolName() + "' never opened a connection; closed");
			}
			else {
				drains.add(new PoolDrain(pool, mxBean, suspend(pool, mxBean)));
			}
		}
		awaitDrained(drains, start);
		for (PoolDrain drain : drains) {
			drain.close(start, this.timeout);
		}
	}

	private static boolean suspend(HikariDataSource pool, HikariPoolMXBean mxBean) {
		if (!pool.isAllowPoolSuspension()) {
			return false;
		}
		try {
			mxBean.suspendPool();
			return true;
		}
		catch (RuntimeException ex) {
			logger.warn("db-pool: pool '" + pool.getPoolName() + "' could not be suspended; draining it unsuspended",
					ex);
			return false;
		}
	}

	private void awaitDrained(List<PoolDrain> drains, long start) {
		long deadline = start + this.timeout.toNanos();
		while (true) {
			long now = System.nanoTime();
			boolean waiting = false;
			for (PoolDrain drain : drains) {
				waiting |= !drain.isDrained(now);
			}
			long remaining = deadline - now;
			if (!waiting || remaining <= 0) {
				return;
			}
			try {
				Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining))));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				logger.warn("db-pool: interrupted while draining the pools; closing them now");
				return;
			}
		}
	}

	private static String seconds(long nanos) {
		return Durations.format(Duration.ofNanos(nanos));
	}

	/**
	 * One pool being drained.
	 */
	private static final class PoolDrain {

		private final HikariDataSource pool;

		private final HikariPoolMXBean mxBean;

		private final boolean suspended;

		private boolean drained;

		// When the pool was first seen with no active connection.
		private long drainedAt;

		PoolDrain(HikariDataSource pool, HikariPoolMXBean mxBean, boolean suspended) {
			this.pool = pool;
			this.mxBean = mxBean;
			this.suspended = suspended;
		}

		boolean isDrained(long now) {
			if (!this.drained && this.mxBean.getActiveConnections() <= 0) {
				this.drained = true;
				this.drainedAt = now;
			}
			return this.drained;
		}

		void close(long start, Duration timeout) {
			String name = this.pool.getPoolName();
			int active = Math.max(0, this.mxBean.getActiveConnections());
			PhysicalConnectionSource source = PhysicalConnectionSource.of(this.pool);
			String opened = (source != null) ? ", " + source.getOpened() + " opened over its life" : "";
			long took = (this.drained ? this.drainedAt : System.nanoTime()) - start;
			try {
				if (this.suspended) {
					// HikariCP resumes only a pool that is not closed yet, and a borrower
					// waiting on a suspended pool would otherwise wait for ever.
					this.mxBean.resumePool();
				}
				this.pool.close();
			}
			catch (RuntimeException ex) {
				logger.warn("db-pool: pool '" + name + "' failed to close", ex);
				return;
			}
			if (active == 0) {
				logger.info("db-pool: pool '" + name + "' drained in " + seconds(took) + ", 0 connections still active"
						+ opened + "; closed");
			}
			else {
				logger.warn("db-pool: pool '" + name + "' gave up draining after " + seconds(took)
						+ " (app.db.pool.shutdown.timeout=" + Durations.format(timeout) + "), " + active
						+ ((active == 1) ? " connection" : " connections") + " still active" + opened
						+ "; closed, aborting " + ((active == 1) ? "it" : "them"));
			}
		}

	}

}
