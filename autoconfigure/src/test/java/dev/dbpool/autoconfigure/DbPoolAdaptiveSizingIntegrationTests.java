package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dbpool.datasource.BorrowTotals;
import dev.dbpool.datasource.BorrowTracker;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.sizing.AdaptiveLimit;
import dev.dbpool.testsupport.EnvironmentVariables;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adaptive sizing against the test database: it grows while threads wait on connections
 * held while the database idles, shrinks while the database's CPU is what they wait for,
 * shows every change, and a resize sets its ceiling.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolAdaptiveSizingIntegrationTests {

	@Test
	void growsToItsCeilingWhileThreadsWaitAndTheDatabaseKeepsUp(CapturedOutput output) {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-adaptive-grow", "app.db.pool.pooler.mode=none",
					"app.db.pool.sizing=adaptive", "app.db.pool.max-connections=30")
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				AdaptiveLimit limit = pool.guard(AdaptiveLimit.class);
				assertThat(limit).isNotNull();
				assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
				assertThat(pool.getMinimumIdle()).isEqualTo(2);
				// 40 threads each holding a connection for a 20 ms sleep: always some
				// wait.
				try (Load load = new Load(pool, 40, "SELECT pg_sleep(0.02)")) {
					await().atMost(Duration.ofSeconds(40)).until(() -> pool.getMaximumPoolSize() == 30);
					assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				}
				assertThat(limit.limit()).isEqualTo(30);
				assertThat(gauge(context, AdaptiveLimit.LIMIT_METER, "it-adaptive-grow-pool")).isEqualTo(30);
				assertThat(gauge(context, AdaptiveLimit.CHANGES_METER, "it-adaptive-grow-pool")).isPositive();
				Map<String, Object> sizing = sizing(context);
				assertThat(sizing).containsEntry("mode", "adaptive")
					.containsEntry("limit", 30)
					.containsEntry("ceiling", 30)
					.containsEntry("floor", 2)
					.containsKeys("holdMs", "baselineHoldMs", "lastChange", DbPoolHealthIndicator.SIZING_ADVICE);
			});
		assertThat(output).contains("db-pool: pool 'it-adaptive-grow-pool' adaptive limit 20 -> ")
			.contains("sizing adaptive (from 20, between 2 and 30)");
	}

	@Test
	void shrinksWhileTheDatabasesCpuIsTheBottleneck() {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-adaptive-shrink", "app.db.pool.pooler.mode=none",
					"app.db.pool.sizing=adaptive", "logging.level.dev.dbpool.sizing=debug")
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				AdaptiveLimit limit = pool.guard(AdaptiveLimit.class);
				// 16 threads, each query a few milliseconds of server CPU, on this
				// machine's few cores: more connections only queue inside the server.
				try (Load load = new Load(pool, 16, "SELECT count(*) FROM generate_series(1, 100000)")) {
					await().atMost(Duration.ofSeconds(60)).until(() -> limit.limit() <= 8);
					// Waiting at an adaptive limit below its ceiling is no saturation.
					assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				}
				assertThat(pool.getMaximumPoolSize()).isEqualTo(limit.limit());
				assertThat(limit.lastChange()).isNotNull();
			});
	}

	@Test
	void resizingSetsTheCeilingAndTheLimitFollows() {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-adaptive-resize", "app.db.pool.pooler.mode=none",
					"app.db.pool.sizing=adaptive", "app.db.pool.max-connections=40")
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				AdaptiveLimit limit = pool.guard(AdaptiveLimit.class);
				assertThat(pool.resize(10, null, "a test").maxConnections()).isEqualTo(10);
				assertThat(limit.ceiling()).isEqualTo(10);
				assertThat(limit.limit()).isEqualTo(10);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
				assertThat(pool.resize(60, 4, "a test").oldMaxConnections()).isEqualTo(10);
				assertThat(limit.ceiling()).isEqualTo(60);
				assertThat(limit.floor()).isEqualTo(4);
				assertThat(pool.getMinimumIdle()).isEqualTo(4);
			});
	}

	@Test
	void inBudgetModeWarnTheCeilingIsTheBudgetsSafeMax() {
		// Ten instances of this service share the server: each fits about a tenth of it,
		// far below the max-connections asked for, which mode warn leaves as it is.
		DbPoolContexts.everyFeature()
			.withInitializer(EnvironmentVariables.of("DB_POOL_INSTANCES=10"))
			.withPropertyValues("spring.application.name=it-adaptive-budget", "app.db.pool.pooler.mode=none",
					"app.db.pool.sizing=adaptive", "app.db.pool.max-connections=60", "app.db.pool.budget.mode=warn")
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				AdaptiveLimit limit = pool.guard(AdaptiveLimit.class);
				int safe = pool.getConnectionBudget().safeMaxConnections();
				assertThat(safe).isBetween(2, 19);
				assertThat(limit.ceiling()).isEqualTo(safe);
				assertThat(limit.limit()).isEqualTo(safe);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(safe);
				assertThat(sizing(context)).containsEntry("ceiling", safe);
				// Threads waiting on connections held while the database idles would grow
				// it to max-connections: it stays at the budget's.
				try (Load load = new Load(pool, 40, "SELECT pg_sleep(0.02)")) {
					for (int i = 0; i < 8; i++) {
						Thread.sleep(500);
						assertThat(pool.getMaximumPoolSize()).isLessThanOrEqualTo(safe);
					}
				}
			});
	}

	@Test
	void connectionsClosedAboveALoweredLimitAreNotCountedAsHeld() {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-adaptive-evict", "app.db.pool.pooler.mode=none",
					"app.db.pool.sizing=adaptive")
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				List<Connection> connections = new ArrayList<>();
				for (int i = 0; i < 12; i++) {
					connections.add(pool.getConnection());
				}
				for (Connection connection : connections) {
					connection.close();
				}
				pool.resize(4, null, "a test");
				assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(4);
				BorrowTotals totals = BorrowTracker.of(pool).totals();
				assertThat(totals.acquires() - totals.timeouts()).isEqualTo(totals.returns());
				Thread.sleep(200);
				// Nothing is out: the time held does not grow.
				assertThat(BorrowTracker.of(pool).totals().heldNanos()).isEqualTo(totals.heldNanos());
			});
	}

	@Test
	void fixedSizingHasNoAdaptiveLimit() {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-adaptive-fixed", "app.db.pool.pooler.mode=none")
			.run((context) -> {
				assertThat(context.getBean(DbPoolDataSource.class).guard(AdaptiveLimit.class)).isNull();
				assertThat(context.getBean(MeterRegistry.class).find(AdaptiveLimit.LIMIT_METER).gauge()).isNull();
			});
	}

	private static org.springframework.boot.health.contributor.Health health(AssertableApplicationContext context) {
		return context.getBean(DbPoolHealthIndicator.class).health();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> sizing(AssertableApplicationContext context) {
		return (Map<String, Object>) health(context).getDetails().get(DbPoolHealthIndicator.SIZING);
	}

	private static double gauge(AssertableApplicationContext context, String name, String pool) {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		io.micrometer.core.instrument.Meter meter = registry.get(name).tag("pool", pool).meter();
		return meter.measure().iterator().next().getValue();
	}

	/**
	 * Threads running one statement over and over, each on a connection of its own
	 * borrowed for it, until closed.
	 */
	private static final class Load implements AutoCloseable {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final List<Thread> threads = new ArrayList<>();

		Load(DbPoolDataSource pool, int threads, String sql) {
			for (int i = 0; i < threads; i++) {
				Thread thread = new Thread(() -> {
					while (this.running.get()) {
						try (Connection connection = pool.getConnection();
								Statement statement = connection.createStatement()) {
							statement.execute(sql);
						}
						catch (Exception ex) {
							// A borrow that timed out: borrow again.
						}
					}
				}, "it-adaptive-" + i);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(10000);
			}
		}

	}

}
