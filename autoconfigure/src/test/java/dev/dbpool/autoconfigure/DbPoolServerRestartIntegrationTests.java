package dev.dbpool.autoconfigure;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
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
			execute(server, "CREATE TABLE writes (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
			DbPoolContexts.everyFeature()
				.withPropertyValues(server.dataSourceProperties("postgres"))
				.withPropertyValues("spring.application.name=it-server-restart", "app.db.pool.pooler.mode=none",
						"app.db.pool.budget.mode=off", "app.db.pool.monitor.interval=1s",
						"app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toMillis() + "ms",
						"app.db.pool.min-connections=" + MIN_CONNECTIONS, "app.db.pool.max-connections=4")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					Writers writers = new Writers(pool);
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
								TimeUnit.NANOSECONDS.toMillis(longStopOutage), writers.acknowledged.size(),
								writers.failed.get(), TimeUnit.NANOSECONDS.toMillis(writers.maxBorrowNanos.get()));
						assertThat(restartOutage).isPositive();
						assertThat(longStopOutage).isGreaterThanOrEqualTo(LONG_STOP.toNanos());
					}
					finally {
						writers.stop();
					}
					assertThat(writers.failed.get()).as("writes failed during the outages").isPositive();
					assertThat(missing(server, writers.acknowledgedIds())).as("acknowledged ids lost").isEmpty();
					assertThat(Duration.ofNanos(writers.maxBorrowNanos.get()))
						.isLessThan(ACQUIRE_TIMEOUT.plusSeconds(2));
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

	private static List<Long> missing(PostgresServer server, Long[] ids) throws SQLException {
		try (Connection connection = server.connect();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM unnest(?::bigint[]) AS id EXCEPT SELECT id FROM writes")) {
			Array array = connection.createArrayOf("bigint", ids);
			statement.setArray(1, array);
			List<Long> missing = new ArrayList<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					missing.add(result.getLong(1));
				}
			}
			return missing;
		}
	}

	private static void execute(PostgresServer server, String sql) throws SQLException {
		try (Connection connection = server.connect()) {
			connection.createStatement().execute(sql);
		}
	}

	/**
	 * Threads that insert rows until stopped, an id counted as acknowledged only once its
	 * commit returned.
	 */
	private static final class Writers {

		private final HikariDataSource pool;

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicLong nextId = new AtomicLong();

		private final AtomicLong failed = new AtomicLong();

		private final AtomicLong maxBorrowNanos = new AtomicLong();

		/** Each acknowledged write: its id, when its borrow began, when it committed. */
		private final Queue<long[]> acknowledged = new ConcurrentLinkedQueue<>();

		private final ExecutorService threads = Executors.newFixedThreadPool(WRITERS, (task) -> {
			Thread thread = new Thread(task, "it-server-restart-writer");
			thread.setDaemon(true);
			return thread;
		});

		private final List<Future<?>> futures = new ArrayList<>();

		Writers(HikariDataSource pool) {
			this.pool = pool;
		}

		void start() {
			for (int i = 0; i < WRITERS; i++) {
				this.futures.add(this.threads.submit(this::write));
			}
		}

		void stop() throws Exception {
			this.running.set(false);
			for (Future<?> future : this.futures) {
				// Bounded: a writer stuck past a borrow and a statement fails the test.
				future.get(30, TimeUnit.SECONDS);
			}
			this.threads.shutdownNow();
		}

		private void write() {
			while (this.running.get()) {
				long id = this.nextId.incrementAndGet();
				long began = System.nanoTime();
				Connection connection;
				try {
					connection = this.pool.getConnection();
				}
				catch (SQLException ex) {
					this.maxBorrowNanos.accumulateAndGet(System.nanoTime() - began, Math::max);
					this.failed.incrementAndGet();
					continue;
				}
				this.maxBorrowNanos.accumulateAndGet(System.nanoTime() - began, Math::max);
				try (connection;
						PreparedStatement insert = connection.prepareStatement("INSERT INTO writes (id) VALUES (?)")) {
					connection.setAutoCommit(false);
					insert.setLong(1, id);
					insert.executeUpdate();
					connection.commit();
					this.acknowledged.add(new long[] { id, began, System.nanoTime() });
				}
				catch (SQLException ex) {
					this.failed.incrementAndGet();
				}
				pause();
			}
		}

		private static void pause() {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		Long[] acknowledgedIds() {
			return this.acknowledged.stream().map((write) -> write[0]).toArray(Long[]::new);
		}

		long firstSuccessStartedAfter(long nanos) {
			return this.acknowledged.stream()
				.filter((write) -> write[1] - nanos > 0)
				.mapToLong((write) -> write[2])
				.min()
				.orElseThrow(() -> new AssertionError("no write succeeded after the server came back"));
		}

	}

}
