package dev.dbpool.leaks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LeakCountingScheduler} without a database, with a task of its own in
 * the place of HikariCP's leak task.
 */
class LeakCountingSchedulerTests {

	private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

	private final HikariConfig pool = new HikariConfig();

	private final AtomicInteger ran = new AtomicInteger();

	private LeakCountingScheduler scheduler;

	LeakCountingSchedulerTests() {
		this.pool.setPoolName("leaks-pool");
		this.pool.setLeakDetectionThreshold(2000);
		this.scheduler = new LeakCountingScheduler(this.pool, FakeLeakTask.class, Clock.fixed(NOW, ZoneOffset.UTC));
	}

	@AfterEach
	void shutDown() {
		this.scheduler.shutdownNow();
	}

	@Test
	void leakTaskThatRunsIsCountedAndKeptWithTheBorrowingThreadUntilCancelled() throws Exception {
		ScheduledFuture<?> future = scheduleOn("borrower-1", new FakeLeakTask(this.ran), 50);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.scheduler.leaks().count() == 1);
		assertThat(this.ran).hasValue(1);
		assertThat(this.scheduler.leaks().outstanding()).singleElement().satisfies((leak) -> {
			assertThat(leak.thread()).isEqualTo("borrower-1");
			assertThat(leak.borrowedAt()).isEqualTo(NOW.minusSeconds(2));
			assertThat(leak.heldFor(NOW.plusSeconds(1))).isEqualTo(Duration.ofSeconds(3));
		});
		// The connection is returned: HikariCP cancels its task.
		assertThat(future.cancel(false)).isFalse();
		assertThat(this.scheduler.leaks().outstanding()).isEmpty();
		assertThat(this.scheduler.leaks().count()).isOne();
	}

	@Test
	void leakTaskCancelledInTimeIsNotCountedAndLeavesTheQueue() throws Exception {
		ScheduledFuture<?> future = scheduleOn("borrower-2", new FakeLeakTask(this.ran), 60_000);
		assertThat(this.scheduler.getQueue()).hasSize(1);
		assertThat(future.cancel(false)).isTrue();
		assertThat(future.isCancelled()).isTrue();
		assertThat(this.scheduler.getQueue()).isEmpty();
		assertThat(this.ran).hasValue(0);
		assertThat(this.scheduler.leaks().count()).isZero();
		assertThat(this.scheduler.leaks().outstanding()).isEmpty();
	}

	@Test
	void otherTasksRunAsScheduled() throws Exception {
		ScheduledFuture<?> other = this.scheduler.schedule(this.ran::incrementAndGet, 10, TimeUnit.MILLISECONDS);
		assertThat(other.getClass().getName()).contains("ScheduledFutureTask");
		other.get(5, TimeUnit.SECONDS);
		assertThat(this.ran).hasValue(1);
		ScheduledFuture<?> cancelled = this.scheduler.schedule(this.ran::incrementAndGet, 1, TimeUnit.MINUTES);
		cancelled.cancel(false);
		assertThat(this.scheduler.getQueue()).isEmpty();
		assertThat(this.scheduler.leaks().count()).isZero();
	}

	@Test
	void leakTasksAndOtherTasksRunInTheOrderOfTheirDelays() throws Exception {
		// Delays 1s apart, scheduled out of order: they run in the order of their
		// delays, not the order they were scheduled in, as long as this thread
		// schedules all four within a second, which it does on a loaded machine too
		// (100ms apart, it might not).
		long step = 1000;
		StringBuffer order = new StringBuffer();
		CountDownLatch done = new CountDownLatch(4);
		this.scheduler.schedule(() -> {
			order.append("c");
			done.countDown();
		}, 3 * step, TimeUnit.MILLISECONDS);
		scheduleOn("borrower-b", new FakeLeakTask(() -> {
			order.append("b");
			done.countDown();
		}), 2 * step);
		scheduleOn("borrower-d", new FakeLeakTask(() -> {
			order.append("d");
			done.countDown();
		}), 4 * step);
		this.scheduler.schedule(() -> {
			order.append("a");
			done.countDown();
		}, step, TimeUnit.MILLISECONDS);
		assertThat(done.await(30, TimeUnit.SECONDS)).as("all four ran").isTrue();
		assertThat(order).hasToString("abcd");
		// A leak is counted once HikariCP's task has returned, after the latch: a task
		// queued now runs once the last one has finished, on the scheduler's one thread.
		this.scheduler.schedule(() -> {
		}, 0, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
		assertThat(this.scheduler.leaks().count()).isEqualTo(2);
		assertThat(this.scheduler.leaks().outstanding()).extracting(LeakedConnection::thread)
			.containsExactlyInAnyOrder("borrower-b", "borrower-d");
	}

	@Test
	void runsOnOneDaemonThreadNamedLikeHikariCpsHousekeeper() throws Exception {
		AtomicReference<Thread> thread = new AtomicReference<>();
		this.scheduler.schedule(() -> thread.set(Thread.currentThread()), 0, TimeUnit.MILLISECONDS)
			.get(5, TimeUnit.SECONDS);
		assertThat(thread.get().getName()).isEqualTo("leaks-pool:housekeeper");
		assertThat(thread.get().isDaemon()).isTrue();
		assertThat(this.scheduler.getCorePoolSize()).isOne();
		assertThat(this.scheduler.getRemoveOnCancelPolicy()).isTrue();
		assertThat(this.scheduler.getExecuteExistingDelayedTasksAfterShutdownPolicy()).isFalse();
	}

	@Test
	void recognisesHikariCpsLeakTask() {
		LeakCountingScheduler real = new LeakCountingScheduler(this.pool);
		try {
			assertThat(real).extracting("leakTask")
				.extracting((type) -> ((Class<?>) type).getName())
				.isEqualTo("com.zaxxer.hikari.pool.ProxyLeakTask");
		}
		finally {
			real.shutdownNow();
		}
	}

	// As HikariCP does: the task is scheduled on the borrowing thread.
	private ScheduledFuture<?> scheduleOn(String threadName, Runnable task, long delayMillis) throws Exception {
		AtomicReference<ScheduledFuture<?>> future = new AtomicReference<>();
		Thread borrower = new Thread(
				() -> future.set(this.scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS)), threadName);
		borrower.start();
		borrower.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(borrower.isAlive()).as("%s still scheduling after 30s", threadName).isFalse();
		return future.get();
	}

	static final class FakeLeakTask implements Runnable {

		private final Runnable action;

		FakeLeakTask(AtomicInteger ran) {
			this(ran::incrementAndGet);
		}

		FakeLeakTask(Runnable action) {
			this.action = action;
		}

		@Override
		public void run() {
			this.action.run();
		}

	}

}
