package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.metrics.DbPoolMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sizing advice from a real load on the test database: 3 threads each holding a
 * connection for a 20 ms statement keep about 3 connections busy, so a pool of 20 is far
 * too large; the advice says so in the health, the gauge and one log line.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolSizingAdviceIntegrationTests {

	@Test
	void adviceFollowsTheConnectionsTheLoadKeepsBusy(CapturedOutput output) {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=it-sizing", "app.db.pool.pooler.mode=none",
					"app.db.pool.max-connections=20", "app.db.pool.min-connections=0",
					"app.db.pool.monitor.interval=1s", "app.db.pool.monitor.history-size=6")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				AtomicBoolean running = new AtomicBoolean(true);
				List<Thread> threads = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					Thread thread = new Thread(() -> {
						while (running.get()) {
							try (Connection connection = pool.getConnection();
									Statement statement = connection.createStatement()) {
								statement.execute("SELECT pg_sleep(0.02)");
							}
							catch (Exception ex) {
								return;
							}
						}
					}, "it-sizing-" + i);
					thread.start();
					threads.add(thread);
				}
				try {
					await().atMost(Duration.ofSeconds(30))
						.until(() -> sizing(context.getBean(DbPoolHealthIndicator.class))
							.containsKey(DbPoolHealthIndicator.SIZING_RECOMMENDED));
				}
				finally {
					running.set(false);
					for (Thread thread : threads) {
						thread.join(5000);
					}
				}
				Map<String, Object> sizing = sizing(context.getBean(DbPoolHealthIndicator.class));
				System.out.println("Sizing advice under 3 threads holding 20ms: " + sizing);
				int recommended = (int) sizing.get(DbPoolHealthIndicator.SIZING_RECOMMENDED);
				// About 3 busy (a little less: the time between borrows), with 25%
				// headroom.
				assertThat(recommended).isBetween(2, 5);
				assertThat((double) sizing.get("busy")).isBetween(1.5, 3.5);
				assertThat(sizing.get("databaseSaturated")).isEqualTo(false);
				assertThat(context.getBean(MeterRegistry.class)
					.get(DbPoolMeterBinder.RECOMMENDED_MAX_CONNECTIONS)
					.tag("pool", "it-sizing-pool")
					.gauge()
					.value()).isEqualTo(recommended);
			});
		assertThat(output).containsOnlyOnce("db-pool: pool 'it-sizing-pool' has max-connections 20; ");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> sizing(DbPoolHealthIndicator health) {
		return (Map<String, Object>) health.health().getDetails().get(DbPoolHealthIndicator.SIZING);
	}

}
