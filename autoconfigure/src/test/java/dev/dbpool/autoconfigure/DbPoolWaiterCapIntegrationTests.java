package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.waiting.PoolSaturatedException;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The waiter cap against a real PostgreSQL: with 2 connections and {@code max-waiting=2},
 * a burst of 20 borrowers that each hold a connection for a second has at most 4 admitted
 * (2 borrow, 2 wait) and the others rejected at once with a
 * {@link PoolSaturatedException}, counted by {@code db.pool.rejected} and the
 * {@code dbPool} health; nobody waits the acquire timeout. Without the cap, HikariCP's
 * own waiting is unchanged.
 */
class DbPoolWaiterCapIntegrationTests {

	private static final int MAX = 2;

	private static final int MAX_WAITING = 2;

	private static final int BORROWERS = 20;

	private static final Duration HOLD = Duration.ofSeconds(1);

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

	// How long the burst's threads may take to start, and to end once they are done.
	private static final Duration THREADS = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = DbPoolContexts.everyFeature()
		.withPropertyValues("app.db.pool.max-connections=" + MAX, "app.db.pool.min-connections=" + MAX,
				"app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toSeconds() + "s", "app.db.pool.monitor.interval=1s");

	@Test
	void burstBeyondTheCapIsRejectedAtOnceAndCounted() {
		String name = ServerSide.uniqueName("it-waiters");
		String pool = name + "-pool";
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.max-waiting=" + MAX_WAITING)
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				// Started: a cap rejects nobody before the pool has started.
				dataSource.getConnection().close();
				List<Outcome> outcomes = burst(dataSource, BORROWERS, HOLD);
				List<Outcome> rejected = outcomes.stream().filter(Outcome::isRejected).toList();
				List<Outcome> served = outcomes.stream().filter((outcome) -> !outcome.isRejected()).toList();
				assertThat(rejected).hasSizeGreaterThanOrEqualTo(BORROWERS - MAX - MAX_WAITING);
				assertThat(served).hasSizeGreaterThanOrEqualTo(MAX);
				// Rejected on arrival, not after queueing for the 10s acquire
				// timeout: half of it tells the two apart, however slowly 20
				// threads on a loaded machine get through getConnection().
				assertThat(rejected)
					.allSatisfy((outcome) -> assertThat(outcome.took()).as("rejected before the acquire timeout")
						.isLessThan(ACQUIRE_TIMEOUT.dividedBy(2)));
				assertThat(outcomes).allSatisfy((outcome) -> assertThat(outcome.took()).isLessThan(ACQUIRE_TIMEOUT));
				PoolSaturatedException rejection = rejected.get(0).rejection();
				assertThat(rejection.getPoolName()).isEqualTo(pool);
				assertThat(rejection.getMax()).isEqualTo(MAX);
				assertThat(rejection.getMaxWaiting()).isEqualTo(MAX_WAITING);
				assertThat(rejection.getWaiting()).isGreaterThanOrEqualTo(MAX_WAITING);
				assertThat(rejection.getSQLState()).as("never a connection failure (class 08)").isNull();
				assertThat(rejection.getMessage()).startsWith("db-pool: pool '" + pool + "' is saturated: ")
					.contains("(app.db.pool.max-waiting=2); rejected at once instead of waiting up to 10s");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> registry.find("db.pool.rejected").tag("pool", pool).functionCounter() != null);
				assertThat(registry.get("db.pool.rejected").tag("pool", pool).functionCounter().count())
					.isEqualTo(rejected.size());
				assertThat(context.getBean(DbPoolHealthIndicator.class).health().getDetails())
					.containsEntry("maxWaiting", MAX_WAITING)
					.containsEntry("rejected", (long) rejected.size());
				assertThat(context.getBean(DbPoolDataSource.class).waiterCap().getBorrowing()).isZero();
			});
	}

	@Test
	void withoutTheCapBorrowersWaitAsInHikariCp() {
		String name = ServerSide.uniqueName("it-nocap");
		String pool = name + "-pool";
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			dataSource.getConnection().close();
			Duration hold = Duration.ofMillis(300);
			List<Outcome> outcomes = burst(dataSource, 3 * MAX, hold);
			assertThat(outcomes).filteredOn(Outcome::isRejected).isEmpty();
			assertThat(outcomes).filteredOn((outcome) -> outcome.took().compareTo(hold.multipliedBy(2)) >= 0)
				.as("borrowers that waited for two holds")
				.isNotEmpty();
			assertThat(context.getBean(DbPoolDataSource.class).waiterCap()).isNull();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> context.getBean(MeterRegistry.class)
					.find("db.pool.utilization")
					.tag("pool", pool)
					.gauge() != null);
			assertThat(context.getBean(MeterRegistry.class).find("db.pool.rejected").meters()).isEmpty();
			assertThat(context.getBean(DbPoolHealthIndicator.class).health().getDetails())
				.doesNotContainKeys("maxWaiting", "rejected");
		});
	}

	/**
	 * Start borrowers at once, each borrowing a connection and holding it; return how
	 * each borrow went once all are done.
	 */
	private static List<Outcome> burst(DataSource dataSource, int borrowers, Duration hold) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(borrowers);
		try {
			CountDownLatch ready = new CountDownLatch(borrowers);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Outcome>> futures = new ArrayList<>();
			for (int i = 0; i < borrowers; i++) {
				futures.add(threads.submit(() -> {
					ready.countDown();
					if (!go.await(THREADS.toSeconds(), TimeUnit.SECONDS)) {
						throw new IllegalStateException("No go within " + THREADS);
					}
					long start = System.nanoTime();
					try (Connection connection = dataSource.getConnection()) {
						Duration took = Duration.ofNanos(System.nanoTime() - start);
						Thread.sleep(hold.toMillis());
						return new Outcome(took, null);
					}
					catch (PoolSaturatedException ex) {
						return new Outcome(Duration.ofNanos(System.nanoTime() - start), ex);
					}
				}));
			}
			assertThat(ready.await(THREADS.toSeconds(), TimeUnit.SECONDS))
				.as("%d borrower threads started within %s", borrowers, THREADS)
				.isTrue();
			go.countDown();
			List<Outcome> outcomes = new ArrayList<>();
			for (Future<Outcome> future : futures) {
				outcomes.add(future.get(THREADS.toSeconds(), TimeUnit.SECONDS));
			}
			return outcomes;
		}
		finally {
			threads.shutdownNow();
		}
	}

	/**
	 * How one borrow went.
	 *
	 * @param took how long {@code getConnection()} took
	 * @param rejection the rejection, or {@code null} if the borrow got a connection
	 */
	private record Outcome(Duration took, PoolSaturatedException rejection) {

		boolean isRejected() {
			return this.rejection != null;
		}
	}

}
