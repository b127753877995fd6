package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.leaks.ConnectionLeaks;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leaked connections against a real PostgreSQL: a connection held longer than
 * {@code leak-detection-threshold} is counted ({@code db.pool.leaks}), logged once by
 * HikariCP with the stack of the code that borrowed it, and shown in the {@code dbPool}
 * health while it is out; one returned in time is not.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolLeaksIntegrationTests {

	private static final String LEAK_WARNING = "Connection leak detection triggered for ";

	private final ApplicationContextRunner runner = DbPoolContexts.everyFeature()
		.withPropertyValues("app.db.pool.max-connections=2", "app.db.pool.min-connections=0",
				"app.db.pool.monitor.interval=1s");

	@Test
	void leakedConnectionIsCountedAndReported(CapturedOutput output) throws Exception {
		String name = ServerSide.uniqueName("it-leaks");
		String pool = name + "-pool";
		String borrower = name + "-borrower";
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.leak-detection-threshold=2s")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				DbPoolDataSource dbPool = context.getBean(DbPoolDataSource.class);
				DbPoolHealthIndicator indicator = context.getBean(DbPoolHealthIndicator.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(dbPool.getScheduledExecutor()).as("db-pool's leak-counting scheduler").isNotNull();
				ConnectionLeaks leaks = dbPool.leaks();
				// Returned in time: not a leak.
				dataSource.getConnection().close();
				ExecutorService threads = Executors.newSingleThreadExecutor((task) -> new Thread(task, borrower));
				try {
					Connection held = threads.submit(() -> dataSource.getConnection()).get(10, TimeUnit.SECONDS);
					try {
						await().atMost(Duration.ofSeconds(10)).until(() -> leaks.count() == 1);
						assertThat(registry.get("db.pool.leaks").tag("pool", pool).functionCounter().count()).isOne();
						Health health = indicator.health();
						assertThat(health.getStatus()).as("a leak is no reason for DOWN").isEqualTo(Status.UP);
						Map<String, Object> reported = leaksIn(health);
						assertThat(reported).containsEntry("total", 1L).containsEntry("outstanding", 1);
						assertThat(leaked(reported)).singleElement().satisfies((leak) -> {
							assertThat(leak).containsEntry("thread", borrower);
							assertThat(Duration.ofMillis((long) (seconds(leak.get("heldFor")) * 1000)))
								.isGreaterThanOrEqualTo(Duration.ofSeconds(2));
						});
						// HikariCP's own line, with the stack of the code that borrowed
						// it.
						String log = output.getAll();
						assertThat(log.lines().filter((line) -> line.contains(LEAK_WARNING))).singleElement()
							.satisfies((line) -> assertThat(line).contains("WARN")
								.contains("on thread " + borrower + ", stack trace follows"));
						assertThat(log.substring(log.indexOf(LEAK_WARNING)))
							.contains("java.lang.Exception: Apparent connection leak detected")
							.contains(DbPoolLeaksIntegrationTests.class.getName());
					}
					finally {
						held.close();
					}
				}
				finally {
					threads.shutdownNow();
				}
				assertThat(leaks.outstanding()).isEmpty();
				assertThat(leaks.count()).isOne();
				Map<String, Object> reported = leaksIn(indicator.health());
				assertThat(reported).containsEntry("total", 1L)
					.containsEntry("outstanding", 0)
					.doesNotContainKey("leaked");
				assertThat(output.getAll()).contains(" was returned to the pool (unleaked)");
				// Logged once: never again for the same connection.
				Thread.sleep(500);
				assertThat(output.getAll().lines().filter((line) -> line.contains(LEAK_WARNING))).hasSize(1);
			});
		assertThat(output.getAll()).doesNotContain("db-pool: this HikariCP has no");
	}

	@Test
	void leaksAreNotCountedWithoutALeakDetectionThreshold() {
		String name = ServerSide.uniqueName("it-leaks-off");
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			DbPoolDataSource dbPool = context.getBean(DbPoolDataSource.class);
			context.getBean(DataSource.class).getConnection().close();
			assertThat(dbPool.getScheduledExecutor()).isNull();
			assertThat(dbPool.leaks()).isNull();
			assertThat(context.getBean(MeterRegistry.class).find("db.pool.leaks").meters()).isEmpty();
			assertThat(context.getBean(DbPoolHealthIndicator.class).health().getDetails()).doesNotContainKey("leaks");
		});
	}

	@Test
	void schedulerIsShutDownWithThePool() {
		String name = ServerSide.uniqueName("it-leaks-close");
		ScheduledExecutorService[] scheduler = new ScheduledExecutorService[1];
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.leak-detection-threshold=2s")
			.run((context) -> {
				context.getBean(DataSource.class).getConnection().close();
				scheduler[0] = context.getBean(DbPoolDataSource.class).getScheduledExecutor();
				assertThat(scheduler[0].isShutdown()).isFalse();
			});
		assertThat(scheduler[0].isShutdown()).isTrue();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> leaksIn(Health health) {
		return (Map<String, Object>) health.getDetails().get("leaks");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> leaked(Map<String, Object> leaks) {
		return (List<Map<String, Object>>) leaks.get("leaked");
	}

	private static double seconds(Object formatted) {
		String value = (String) formatted;
		assertThat(value).as("held for, in seconds").endsWith("s").doesNotContain("m");
		return Double.parseDouble(value.substring(0, value.length() - 1));
	}

}
