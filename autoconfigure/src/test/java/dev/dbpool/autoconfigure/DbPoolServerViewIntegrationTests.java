package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.settings.PostgresLimits;
import dev.dbpool.server.ServerActivity;
import dev.dbpool.server.ServerView;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the {@link ServerView} against a real PostgreSQL: what the server
 * shows of the pool's sessions, read over a connection of its own beside the pool, in the
 * view, the {@code db.server.*} gauges, the {@code server} health detail and the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolServerViewIntegrationTests {

	private final ApplicationContextRunner runner = DbPoolContexts.everyFeature()
		.withPropertyValues("app.db.pool.max-connections=3", "app.db.pool.min-connections=0",
				"app.db.pool.monitor.server-interval=1s");

	@Test
	void sessionLeftIdleInATransactionIsSeenWarnedAboutAndEndedByTheIdleInTransactionTimeout(CapturedOutput output) {
		String name = ServerSide.uniqueName("it-server-idle-tx");
		this.runner
			.withPropertyValues("spring.application.name=" + name, "app.db.pool.idle-in-transaction-timeout=3s",
					"app.db.pool.monitor.idle-in-transaction-warning=1s")
			.run((context) -> {
				ServerView view = context.getBean(ServerView.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				DataSource dataSource = context.getBean(DataSource.class);
				try (Connection connection = dataSource.getConnection()) {
					connection.setAutoCommit(false);
					int pid = ServerSide.backendPid(connection);
					// Seen on a read while it is idle in the transaction, before the
					// server
					// ends it.
					await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
						ServerActivity activity = view.current();
						assertThat(activity).isNotNull();
						assertThat(activity.connections(ServerActivity.IDLE_IN_TRANSACTION)).isOne();
						assertThat(activity.idleInTransaction()).extracting(ServerActivity.IdleSession::pid)
							.containsExactly(pid);
						assertThat(registry.get("db.server.connections")
							.tag("pool", name + "-pool")
							.tag("state", "idle in transaction")
							.gauge()
							.value()).isOne();
						assertThat(registry.get("db.server.transaction.oldest").timeGauge().value()).isGreaterThan(0);
						assertThat(serverDetail(health)).extractingByKey("connections")
							.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
							.containsEntry("idle in transaction", 1);
					});
					await().atMost(Duration.ofSeconds(3))
						.until(() -> output.getOut()
							.contains("db-pool: 1 session of '" + name
									+ "' idle in a transaction for more than 1s (longest ")
								&& output.getOut().contains("; pid " + pid + "): a transaction left open")
								&& output.getOut().contains("idle-in-transaction-timeout ends it after 3s"));
					// Then the server ends it, and the next read no longer sees it.
					await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
						ServerActivity activity = view.current();
						assertThat(activity).isNotNull();
						assertThat(activity.connections(ServerActivity.IDLE_IN_TRANSACTION)).isZero();
						assertThat(activity.idleInTransaction()).isEmpty();
					});
					assertThat(ServerSide.applicationNameOf(pid)).isNull();
					assertThatExceptionOfType(SQLException.class).isThrownBy(() -> {
						try (Statement statement = connection.createStatement()) {
							statement.execute("SELECT 1");
						}
					})
						.satisfies((ex) -> assertThat(ex.getSQLState()).as("idle_in_transaction_session_timeout")
							.isEqualTo("25P03"));
				}
				// The pool replaces the broken connection.
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					assertThat(statement.execute("SELECT 1")).isTrue();
				}
			});
	}

	@Test
	void countsTheSessionsOfThePoolByStateButNotItsOwn() {
		String name = ServerSide.uniqueName("it-server-states");
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			ServerView view = context.getBean(ServerView.class);
			HikariDataSource pool = DataSourceUnwrapper.unwrap(context.getBean(DataSource.class),
					HikariDataSource.class);
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection first = dataSource.getConnection(); Connection second = dataSource.getConnection()) {
				CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(() -> {
					try (Statement statement = first.createStatement()) {
						return statement.execute("SELECT pg_sleep(3)");
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
					ServerActivity activity = view.current();
					assertThat(activity).isNotNull();
					assertThat(activity.connections(ServerActivity.ACTIVE)).isOne();
					assertThat(activity.longestQuery()).isPositive();
				});
				ServerActivity activity = view.current();
				int total = pool.getHikariPoolMXBean().getTotalConnections();
				assertThat(total).isEqualTo(2);
				assertThat(activity.connections(ServerActivity.IDLE)).isEqualTo(total - 1);
				assertThat(activity.connections(ServerActivity.IDLE_IN_TRANSACTION)).isZero();
				assertThat(activity.connections(ServerActivity.IDLE_IN_TRANSACTION_ABORTED)).isZero();
				assertThat(ServerSessions.named(name)).isEqualTo(total);
				assertThat(ServerSessions.named(PostgresLimits.sideApplicationName(name, ServerView.PURPOSE))).isOne();
				assertThat(activity.total()).isGreaterThanOrEqualTo(total + 1);
				assertThat(activity.maxConnections()).isEqualTo(maxConnections());
				assertThat(running.get(30, TimeUnit.SECONDS)).as("pg_sleep(3) done").isTrue();
			}
		});
	}

	@Test
	void readsTheServerWhileThePoolIsExhaustedAndClosesItsConnectionWithTheContext() throws Exception {
		String name = ServerSide.uniqueName("it-server-exhausted");
		String[] sideName = new String[1];
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.acquire-timeout=250ms")
			.run((context) -> {
				ServerView view = context.getBean(ServerView.class);
				DataSource dataSource = context.getBean(DataSource.class);
				sideName[0] = PostgresLimits.sideApplicationName(name, ServerView.PURPOSE);
				List<Connection> held = new ArrayList<>();
				try {
					for (int i = 0; i < 3; i++) {
						held.add(dataSource.getConnection());
					}
					assertThatExceptionOfType(SQLException.class).isThrownBy(dataSource::getConnection);
					Instant exhausted = Instant.now();
					await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
						ServerActivity activity = view.current();
						assertThat(activity).isNotNull();
						assertThat(activity.sampledAt()).isAfter(exhausted);
						assertThat(activity.connections(ServerActivity.IDLE)).isEqualTo(3);
					});
					assertThat(ServerSessions.named(sideName[0])).isOne();
				}
				finally {
					for (Connection connection : held) {
						connection.close();
					}
				}
			});
		assertThat(ServerSessions.awaitNone(sideName[0], Duration.ofSeconds(5))).isZero();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> serverDetail(DbPoolHealthIndicator health) {
		return (Map<String, Object>) health.health().getDetails().get(DbPoolHealthIndicator.SERVER);
	}

	private static int maxConnections() throws SQLException {
		try (Connection connection = TestDatabase.get().connect()) {
			return Integer.parseInt(ServerSide.show(connection, "max_connections"));
		}
	}

}
