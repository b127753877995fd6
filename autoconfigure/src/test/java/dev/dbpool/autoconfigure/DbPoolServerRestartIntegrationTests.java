package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
import dev.dbpool.testsupport.Writers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for a real PostgreSQL restart under load: a server of this test's own
 * ({@link PostgresServer}) is restarted, then stopped for longer than the acquire timeout
 * and started again, while writers insert rows through db-pool.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolServerRestartIntegrationTests {

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration LONG_STOP = Duration.ofSeconds(4);

	private static final int WRITERS = 3;

	private static final int MIN_CONNECTIONS = 2;

	@Test
	void noAcknowledgedWriteIsLostAndThePoolComesBackAfterARestartAndALongStop(CapturedOutput output) throws Exception {
		try (PostgresServer server = PostgresServer.start()) {
			server.execute(Writers.TABLE);
			DbPoolContexts.everyFeature()
				.withPropertyValues(server.dataSourceProperties("postgres"))
				.withPropertyValues("spring.application.name=it-server-restart", "app.db.pool.pooler.mode=none",
						"app.db.pool.budget.mode=off", "app.db.pool.monitor.interval=1s",
						"app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toMillis() + "ms",
						"app.db.pool.min-connections=" + MIN_CONNECTIONS, "app.db.pool.max-connections=4")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					Writers writers = new Writers(pool, WRITERS, "it-server-restart-writer");
					try {
						writers.start();
						Thread.sleep(1500);
						long restart = System.nanoTime();
						server.stop(Shutdown.FAST);
						long restartDown = System.nanoTime();
						server.startAgain();
						System.out.printf("Restart: stop %dms, start %dms%n", millis(restart, restartDown),
								millis(restartDown, System.nanoTime()));
						Thread.sleep(2500);
						long longStop = System.nanoTime();
						server.stop(Shutdown.FAST);
						long longStopDown = System.nanoTime();
						Thread.sleep(LONG_STOP.toMillis());
						server.startAgain();
						Thread.sleep(2500);
						writers.stop();
						long restartOutage = writers.firstSuccessStartedAfter(restartDown) - restart;
						long longStopOutage = writers.firstSuccessStartedAfter(longStopDown) - longStop;
						System.out.printf(
								"Outage to first success: restart %dms, stop of %ds %dms; writes acknowledged %d, failed %d; max borrow wait %dms%n",
								TimeUnit.NANOSECONDS.toMillis(restartOutage), LONG_STOP.toSeconds(),
								TimeUnit.NANOSECONDS.toMillis(longStopOutage), writers.acknowledged(), writers.failed(),
								TimeUnit.NANOSECONDS.toMillis(writers.maxBorrowNanos()));
						assertThat(restartOutage).isPositive();
						assertThat(longStopOutage).isGreaterThanOrEqualTo(LONG_STOP.toNanos());
					}
					finally {
						writers.stop();
					}
					assertThat(writers.failed()).as("writes failed during the outages").isPositive();
					assertThat(writers.missingOn(server)).as("acknowledged ids lost").isEmpty();
					assertThat(Duration.ofNanos(writers.maxBorrowNanos())).isLessThan(ACQUIRE_TIMEOUT.plusSeconds(2));
					DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(pool.getHikariPoolMXBean().getTotalConnections())
							.isGreaterThanOrEqualTo(MIN_CONNECTIONS));
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.UP));
				});
		}
		assertThat(output).contains("db-pool: pool 'it-server-restart-pool': opening a connection failed")
			.contains("db-pool: pool 'it-server-restart-pool': opened a connection again after ")
			.contains("no connection for");
	}

	private static long millis(long from, long to) {
		return TimeUnit.NANOSECONDS.toMillis(to - from);
	}

}
