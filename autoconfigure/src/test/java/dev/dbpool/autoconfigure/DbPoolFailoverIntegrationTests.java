package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.Failovers;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.testsupport.PostgresServer;
import dev.dbpool.testsupport.PostgresServer.Replicated;
import dev.dbpool.testsupport.PostgresServer.Shutdown;
import dev.dbpool.testsupport.Writers;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for a failover to a streaming standby: a primary of this test's own
 * ({@link PostgresServer#primaryWithStandbys}) is stopped and its standby promoted while
 * writers insert rows through db-pool over a URL that names both hosts with
 * {@code targetServerType=primary}; and a server that turns read only under a pool.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolFailoverIntegrationTests {

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

	private static final int WRITERS = 3;

	@ParameterizedTest(name = "URL from {0}")
	@ValueSource(strings = { "spring.datasource.url", "DATABASE_URL" })
	void poolFindsThePromotedStandbyWithoutLosingAnAcknowledgedWrite(String from, CapturedOutput output)
			throws Exception {
		try (Replicated servers = PostgresServer.primaryWithStandbys(1)) {
			PostgresServer primary = servers.primary();
			PostgresServer standby = servers.standby(0);
			primary.execute(Writers.TABLE);
			servers.awaitReplayed(standby, Duration.ofSeconds(30));
			String hosts = "127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port()
					+ "/postgres?targetServerType=primary";
			ApplicationContextRunner runner = from.equals("DATABASE_URL")
					? DbPoolContexts.everyFeature("DATABASE_URL=postgres://postgres@" + hosts)
					: DbPoolContexts.everyFeature()
						.withPropertyValues("spring.datasource.url=jdbc:postgresql://" + hosts,
								"spring.datasource.username=postgres", "spring.datasource.password=");
			runner.withPropertyValues("spring.application.name=it-failover", "app.db.pool.pooler.mode=none",
					"app.db.pool.budget.mode=off", "app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toMillis() + "ms",
					"app.db.pool.min-connections=2", "app.db.pool.max-connections=4")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
					Writers writers = new Writers(pool, WRITERS, "it-failover-writer");
					long stopped;
					try {
						writers.start();
						Thread.sleep(1500);
						assertThat(failover(health)).containsEntry(Failovers.PRIMARY, "127.0.0.1:" + primary.port())
							.containsEntry(Failovers.FAILOVERS, 0L);
						long stop = System.nanoTime();
						primary.stop(Shutdown.FAST);
						stopped = System.nanoTime();
						standby.promote();
						long promoted = System.nanoTime();
						await().atMost(Duration.ofSeconds(60))
							.pollInterval(Duration.ofMillis(50))
							.until(() -> hasSucceededAfter(writers, stopped));
						Thread.sleep(1000);
						writers.stop();
						System.out.printf("Failover (URL from " + from
								+ "): primary stop %dms, promote %dms, primary stop to first successful write %dms; "
								+ "writes acknowledged %d, failed %d; max borrow wait %dms%n", millis(stop, stopped),
								millis(stopped, promoted), millis(stop, writers.firstSuccessStartedAfter(stopped)),
								writers.acknowledged(), writers.failed(),
								TimeUnit.NANOSECONDS.toMillis(writers.maxBorrowNanos()));
					}
					finally {
						writers.stop();
					}
					assertThat(writers.missingOn(standby)).as("acknowledged ids lost").isEmpty();
					assertThat(failover(health)).containsEntry(Failovers.PRIMARY, "127.0.0.1:" + standby.port())
						.containsEntry(Failovers.FAILOVERS, 1L)
						.containsKey(Failovers.LAST_FAILOVER_AT);
					assertThat(context.getBean(MeterRegistry.class).get(Failovers.METER).functionCounter().count())
						.isEqualTo(1);
				});
		}
		assertThat(output).containsOnlyOnce("failover seen, new connections find the primary at 127.0.0.1:");
	}

	@Test
	void aConnectionOnAServerThatTurnedReadOnlyIsEvicted() throws Exception {
		try (PostgresServer server = PostgresServer.start()) {
			server.execute(Writers.TABLE);
			DbPoolContexts.everyFeature()
				.withPropertyValues(server.dataSourceProperties("postgres"))
				.withPropertyValues("spring.application.name=it-read-only", "app.db.pool.pooler.mode=none",
						"app.db.pool.budget.mode=off", "app.db.pool.acquire-timeout=2s",
						"app.db.pool.min-connections=1", "app.db.pool.max-connections=1")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
					int before;
					try (Connection connection = pool.getConnection()) {
						before = backendPid(connection);
					}
					long opened = source.getOpened();
					server.execute("ALTER SYSTEM SET default_transaction_read_only = on");
					server.execute("SELECT pg_reload_conf()");
					try (Connection connection = pool.getConnection()) {
						assertThat(backendPid(connection)).isEqualTo(before);
						await().atMost(Duration.ofSeconds(10))
							.until(() -> "on".equals(show(connection, "default_transaction_read_only")));
						assertThatExceptionOfType(SQLException.class)
							.isThrownBy(
									() -> connection.createStatement().execute("INSERT INTO writes (id) VALUES (1)"))
							.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("25006"));
					}
					try (Connection connection = pool.getConnection()) {
						assertThat(backendPid(connection)).isNotEqualTo(before);
					}
					assertThat(source.getOpened()).isGreaterThan(opened);
					assertThat(failover(context.getBean(DbPoolHealthIndicator.class)))
						.containsEntry(Failovers.READ_ONLY_EVICTIONS, 1L)
						.containsEntry(Failovers.HOST, "127.0.0.1:" + server.port());
				});
		}
	}

	private static boolean hasSucceededAfter(Writers writers, long nanos) {
		try {
			writers.firstSuccessStartedAfter(nanos);
			return true;
		}
		catch (AssertionError ex) {
			return false;
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> failover(DbPoolHealthIndicator health) {
		return (Map<String, Object>) health.health().getDetails().get(Failovers.DETAIL);
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

	private static String show(Connection connection, String setting) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SHOW " + setting)) {
			result.next();
			return result.getString(1);
		}
	}

	private static long millis(long from, long to) {
		return TimeUnit.NANOSECONDS.toMillis(to - from);
	}

}
