package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dbpool.health.DbPoolHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 * An exhausted pool against a real PostgreSQL, with the monitor, the {@code dbPool}
 * health and the meters together: the health turns DOWN once the grace has passed,
 * answers at once throughout, and is UP again once the pool is released; the monitor logs
 * one ERROR line per interval, not one per waiting request; {@code db.pool.exhausted}
 * counts the episode and {@code db.pool.exhausted.duration} records it.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolSaturationIntegrationTests {

	private static final int MAX = 3;

	private static final int WAITERS = 2;

	private static final Duration EXHAUSTED_FOR = Duration.ofMillis(3500);

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

	private final ApplicationContextRunner runner = DbPoolContexts.everyFeature()
		.withPropertyValues("app.db.pool.max-connections=" + MAX, "app.db.pool.min-connections=1",
				"app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toSeconds() + "s", "app.db.pool.monitor.interval=1s",
				"app.db.pool.health.exhausted-grace=1s");

	@Test
	void exhaustedPoolIsDownAfterTheGraceLogsOncePerIntervalAndCountsOneEpisode(CapturedOutput output) {
		String name = ServerSide.uniqueName("it-saturation");
		String pool = name + "-pool";
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			DbPoolHealthIndicator indicator = context.getBean(DbPoolHealthIndicator.class);
			List<Connection> held = new ArrayList<>();
			ExecutorService waiters = Executors.newFixedThreadPool(WAITERS);
			List<Future<?>> waiting = new ArrayList<>();
			long exhaustedAt;
			long releasedAt;
			long slowestCheck = 0;
			try {
				for (int i = 0; i < MAX; i++) {
					held.add(dataSource.getConnection());
				}
				assertThat(indicator.health().getStatus()).as("all busy, nobody waiting").isEqualTo(Status.UP);
				for (int i = 0; i < WAITERS; i++) {
					waiting.add(waiters.submit(() -> {
						dataSource.getConnection().close();
						return null;
					}));
				}
				HikariPoolMXBean counters = context.getBean(HikariDataSource.class).getHikariPoolMXBean();
				await().atMost(Duration.ofSeconds(5)).until(() -> counters.getThreadsAwaitingConnection() == WAITERS);
				exhaustedAt = System.nanoTime();
				Health down = null;
				while (System.nanoTime() - exhaustedAt < EXHAUSTED_FOR.toNanos()) {
					long start = System.nanoTime();
					Health health = indicator.health();
					slowestCheck = Math.max(slowestCheck, System.nanoTime() - start);
					if (health.getStatus() == Status.DOWN) {
						down = (down != null) ? down : health;
					}
					else {
						assertThat(down).as("UP again while still exhausted").isNull();
					}
					Thread.sleep(50);
				}
				assertThat(down).as("DOWN within %s", EXHAUSTED_FOR).isNotNull();
				assertThat(down.getDetails()).containsEntry("pool", pool)
					.containsEntry("active", MAX)
					.containsEntry("threadsAwaiting", WAITERS)
					.containsEntry("utilization", 1.0)
					.containsEntry("level", "critical")
					.containsEntry("connectionsOpened", (long) MAX)
					.containsKeys("saturatedFor", "exhaustedFor", "acquireTimeouts", "lastConnectionOpenedAt");
				assertThat((String) down.getDetails().get("reason")).startsWith("saturated for ");
			}
			finally {
				releasedAt = System.nanoTime();
				for (Connection connection : held) {
					connection.close();
				}
				for (Future<?> waiter : waiting) {
					waiter.get(10, TimeUnit.SECONDS);
				}
				waiters.shutdownNow();
			}
			// Answered from the pool's counters while every connection was held and
			// threads waited: a check that borrowed would wait, behind the waiters, the
			// whole 10s acquire timeout (nothing is released during the loop). Half of it
			// tells the two apart, however loaded the machine.
			assertThat(Duration.ofNanos(slowestCheck)).as("slowest health check while exhausted")
				.isLessThan(ACQUIRE_TIMEOUT.dividedBy(2));
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			Duration exhausted = Duration.ofNanos(releasedAt - exhaustedAt);
			// One ERROR line per 1s interval while exhausted, give or take one at the
			// edges: never one per health check (some 60) or per waiting thread.
			long errors = output.getAll()
				.lines()
				.filter((line) -> line.contains("ERROR") && line.contains("pool '" + pool + "'")
						&& line.contains("exhausted for"))
				.count();
			long intervals = exhausted.toSeconds();
			assertThat(errors).as("ERROR lines in %s", exhausted).isBetween(Math.max(1, intervals - 1), intervals + 2);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("db.pool.exhausted").tag("pool", pool).counter().count()).isOne();
			Timer duration = registry.get("db.pool.exhausted.duration").tag("pool", pool).timer();
			assertThat(duration.count()).isOne();
			assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isBetween(exhausted.toMillis() - 1000.0,
					exhausted.toMillis() + 1000.0);
		});
	}

}
