package dev.dbpool.leaks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.zaxxer.hikari.HikariConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A pool's housekeeping scheduler, given to HikariCP in place of the one it would make
 * (see {@link HikariConfig#setScheduledExecutor}) and made as HikariCP makes its own: one
 * daemon thread, {@code <poolName>:housekeeper} (or from the pool's thread factory),
 * tasks discarded once shut down, a cancelled task removed at once. It counts the pool's
 * {@link ConnectionLeaks leaks}.
 * <p>
 * With a leak-detection threshold, HikariCP schedules a task here at each borrow, with
 * the threshold as delay, and cancels it when the connection is returned. When the task
 * runs, HikariCP logs the leak at WARN with the stack of the code that borrowed the
 * connection, once; if the connection comes back later, it logs that at INFO. This
 * scheduler wraps each of those tasks (and only those: HikariCP's other tasks run as
 * scheduled) so that a task that runs also counts the leak and keeps it, with the
 * borrowing thread's name, until the connection is returned. At a borrow that costs one
 * small object, beside the stack HikariCP captures and the task it schedules anyway;
 * without a threshold HikariCP schedules nothing here at all.
 * <p>
 * {@link ConnectionLeaks#close()} shuts it down once the pool is closed: HikariCP does
 * not shut down a scheduler it was given.
 *
 * @author db-pool
 * @since 0.3.0
 */
class LeakCountingScheduler extends ScheduledThreadPoolExecutor {

	/** The class of the task HikariCP schedules at each borrow to detect a leak. */
	static final String LEAK_TASK = "com.zaxxer.hikari.pool.ProxyLeakTask";

	private static final Log logger = LogFactory.getLog(LeakCountingScheduler.class);

	private final HikariConfig pool;

	private final @Nullable Class<?> leakTask;

	private final Clock clock;

	private final ConnectionLeaks leaks = new ConnectionLeaks(this);

	/**
	 * Create a scheduler for a pool.
	 * @param pool the pool's configuration, read for its name when the thread starts and
	 * for its leak-detection threshold when a leak is detected
	 */
	LeakCountingScheduler(HikariConfig pool) {
		this(pool, leakTaskClass(), Clock.systemUTC());
	}

	LeakCountingScheduler(HikariConfig pool, @Nullable Class<?> leakTask, Clock clock) {
		super(1, threadFactory(pool), new DiscardPolicy());
		setRemoveOnCancelPolicy(true);
		setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.pool = pool;
		this.leakTask = leakTask;
		this.clock = clock;
	}

	private static ThreadFactory threadFactory(HikariConfig pool) {
		ThreadFactory configured = pool.getThreadFactory();
		if (configured != null) {
			return configured;
		}
		return (task) -> {
			// Named when it starts, at the first task: by then HikariCP has named the
			// pool.
			Thread thread = new Thread(task, pool.getPoolName() + ":housekeeper");
			thread.setDaemon(true);
			return thread;
		};
	}

	private static @Nullable Class<?> leakTaskClass() {
		try {
			return Class.forName(LEAK_TASK, false, HikariConfig.class.getClassLoader());
		}
		catch (ClassNotFoundException | LinkageError ex) {
			logger.warn("db-pool: this HikariCP has no " + LEAK_TASK
					+ "; it still logs leaked connections, but they are not counted");
			return null;
		}
	}

	/**
	 * Return the pool's leaks.
	 * @return the leaks counted by this scheduler
	 */
	ConnectionLeaks leaks() {
		return this.leaks;
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
		if (command.getClass() != this.leakTask) {
			return super.schedule(command, delay, unit);
		}
		// Runs on the borrowing thread, as HikariCP schedules the task at the borrow. The
		// queue holds a plain task, so a connection returned in time is taken off it as
		// cheaply as HikariCP's own.
		LeakAlarm alarm = new LeakAlarm(command, Thread.currentThread().getName());
		alarm.future = super.schedule(alarm, delay, unit);
		return alarm;
	}

	/**
	 * One of HikariCP's leak tasks, and the future HikariCP cancels when the connection
	 * is returned: when HikariCP's task has run (it has logged the leak), the leak is
	 * counted and kept until the connection is returned.
	 */
	private final class LeakAlarm implements Runnable, ScheduledFuture<Object> {

		private final Runnable task;

		private final String thread;

		// Set before HikariCP sees this future: schedule() returns it afterwards.
		private volatile @Nullable ScheduledFuture<?> future;

		private volatile @Nullable LeakedConnection leak;

		private volatile boolean returned;

		LeakAlarm(Runnable task, String thread) {
			this.task = task;
			this.thread = thread;
		}

		@Override
		public void run() {
			this.task.run();
			Instant now = LeakCountingScheduler.this.clock.instant();
			Duration threshold = Duration.ofMillis(LeakCountingScheduler.this.pool.getLeakDetectionThreshold());
			LeakedConnection leak = new LeakedConnection(this.thread, now.minus(threshold));
			this.leak = LeakCountingScheduler.this.leaks.leaked(leak);
			// Returned while the leak was being kept: cancel() may have missed it.
			if (this.returned) {
				LeakCountingScheduler.this.leaks.returned(leak);
			}
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = future().cancel(mayInterruptIfRunning);
			if (!cancelled) {
				// Returned after the leak was reported.
				this.returned = true;
				LeakedConnection leak = this.leak;
				if (leak != null) {
					LeakCountingScheduler.this.leaks.returned(leak);
				}
			}
			return cancelled;
		}

		private ScheduledFuture<?> future() {
			ScheduledFuture<?> future = this.future;
			if (future == null) {
				throw new IllegalStateException("Not scheduled yet");
			}
			return future;
		}

		@Override
		public long getDelay(TimeUnit unit) {
			return future().getDelay(unit);
		}

		@Override
		public int compareTo(Delayed other) {
			return future().compareTo(other);
		}

		@Override
		public boolean isCancelled() {
			return future().isCancelled();
		}

		@Override
		public boolean isDone() {
			return future().isDone();
		}

		@Override
		public Object get() throws InterruptedException, ExecutionException {
			return future().get();
		}

		@Override
		public Object get(long timeout, TimeUnit unit)
				throws InterruptedException, ExecutionException, TimeoutException {
			return future().get(timeout, unit);
		}

	}

}
