package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TcpProxy;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for reconnecting against a real PostgreSQL: through a
 * {@link TcpProxy} that refuses, drops and forwards again (a restart seen from the pool,
 * for this test only), and with the pool's own sessions terminated on the server. The
 * server itself is never restarted: other tests share it.
 */
class DbPoolReconnectIntegrationTests {

	/**
	 * HikariCP does not test a connection used within the last 500ms before lending it
	 * (its aliveBypassWindowMs); a borrow must come later than that after the connections
	 * died for the pool to notice, as in an application whose connections sat idle while
	 * the server went away.
	 */
	private static final Duration PAST_ALIVE_BYPASS_WINDOW = Duration.ofMillis(700);

	private final ApplicationContextRunner runner = DbPoolContexts.everyFeature()
		// The budget check and the search for a pooler open connections of their own
		// before the pool does; through the proxy they would take refusals these tests
		// count.
		.withPropertyValues("app.db.pool.monitor.interval=1s", "app.db.pool.monitor.server-enabled=false",
				"app.db.pool.budget.mode=off", "app.db.pool.pooler.mode=none");

	@Test
	void firstConnectionSucceedsAfterBackoffOnceTheServerAccepts() throws Exception {
		String name = ServerSide.uniqueName("it-retry-start");
		try (TcpProxy proxy = TcpProxy.toTestDatabase()) {
			proxy.refuseNext(2);
			this.runner
				.withPropertyValues("spring.application.name=" + name,
						"spring.datasource.url=" + proxy.jdbcUrl(TestDatabase.DATABASE),
						"app.db.pool.min-connections=1", "app.db.pool.max-connections=2")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
					try (Connection connection = pool.getConnection()) {
						assertThat(selectOne(connection)).isOne();
					}
					assertThat(proxy.refused()).isEqualTo(2);
					assertThat(source.getRetries()).isEqualTo(2);
					assertThat(source.getFailed()).isEqualTo(2);
					assertThat(source.getFailedInARow()).isZero();
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					String poolName = name + "-pool";
					await().atMost(Duration.ofSeconds(5))
						.until(() -> registry.find("db.pool.retries").tag("pool", poolName).functionCounter() != null);
					assertThat(registry.get("db.pool.retries").tag("pool", poolName).functionCounter().count())
						.isEqualTo(2);
					assertThat(context.getBean(DbPoolHealthIndicator.class).health().getDetails())
						.containsEntry(DbPoolHealthIndicator.CONNECTION_RETRIES, 2L);
				});
		}
	}

	@Test
	void withoutRetryTheSameStartFails() throws Exception {
		String name = ServerSide.uniqueName("it-retry-none");
		try (TcpProxy proxy = TcpProxy.toTestDatabase()) {
			proxy.refuseNext(2);
			this.runner.withPropertyValues("spring.application.name=" + name,
					"spring.datasource.url=" + proxy.jdbcUrl(TestDatabase.DATABASE), "app.db.pool.min-connections=1",
					"app.db.pool.max-connections=2", "app.db.pool.retry.max-attempts=1")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					assertThatException().isThrownBy(pool::getConnection)
						.satisfies((ex) -> assertThat(SqlFailures.sqlState(ex)).isEqualTo("08001"));
					assertThat(proxy.refused()).isOne();
					assertThat(PhysicalConnectionSource.of(pool).getRetries()).isZero();
				});
		}
	}

	@Test
	void poolComesBackAfterEveryConnectionOfItIsTerminated() throws Exception {
		String name = ServerSide.uniqueName("it-retry-terminated");
		int size = 3;
		this.runner
			.withPropertyValues("spring.application.name=" + name, "app.db.pool.min-connections=" + size,
					"app.db.pool.max-connections=" + size, "app.db.pool.acquire-timeout=5s")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				pool.getConnection().close();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> pool.getHikariPoolMXBean().getTotalConnections() == size
							&& ServerSessions.named(name) == size);
				long opened = PhysicalConnectionSource.of(pool).getOpened();
				assertThat(terminateSessionsNamed(name)).isEqualTo(size);
				// Ended, not only asked to end: a connection still alive would pass the
				// borrow's test, then fail its statement.
				assertThat(ServerSessions.awaitNone(name, Duration.ofSeconds(30)))
					.as("sessions of %s left after pg_terminate_backend", name)
					.isZero();
				Thread.sleep(PAST_ALIVE_BYPASS_WINDOW.toMillis());
				for (int i = 0; i < size + 1; i++) {
					try (Connection connection = pool.getConnection()) {
						assertThat(selectOne(connection)).isOne();
					}
				}
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(
							new int[] { pool.getHikariPoolMXBean().getTotalConnections(), ServerSessions.named(name) })
						.containsExactly(size, size));
				assertThat(PhysicalConnectionSource.of(pool).getOpened()).isGreaterThanOrEqualTo(opened + size);
			});
	}

	@Test
	void poolComesBackByItselfAfterARestartSeenThroughAProxy() throws Exception {
		String name = ServerSide.uniqueName("it-retry-restart");
		int size = 3;
		Duration outage = Duration.ofMillis(1500);
		try (TcpProxy proxy = TcpProxy.toTestDatabase()) {
			this.runner
				.withPropertyValues("spring.application.name=" + name,
						"spring.datasource.url=" + proxy.jdbcUrl(TestDatabase.DATABASE),
						"app.db.pool.min-connections=" + size, "app.db.pool.max-connections=" + size,
						"app.db.pool.acquire-timeout=5s")
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
					pool.getConnection().close();
					await().atMost(Duration.ofSeconds(10))
						.until(() -> pool.getHikariPoolMXBean().getTotalConnections() == size
								&& ServerSessions.named(name) == size);
					Thread.sleep(PAST_ALIVE_BYPASS_WINDOW.toMillis());
					// The "restart": every connection drops, and new ones are refused for
					// a while.
					proxy.refuseFor(outage);
					assertThat(proxy.dropAll()).isEqualTo(size);
					long restart = System.nanoTime();
					ExecutorService borrowers = Executors.newFixedThreadPool(2 * size, (task) -> {
						Thread thread = new Thread(task, name + "-borrower");
						thread.setDaemon(true);
						return thread;
					});
					try {
						List<Future<Long>> borrows = new ArrayList<>();
						for (int i = 0; i < 2 * size; i++) {
							long startAfter = restart + TimeUnit.MILLISECONDS.toNanos(i * 300L);
							borrows.add(borrowers.submit(borrow(pool, startAfter)));
						}
						long outageEnd = restart + outage.toNanos();
						boolean waitedThroughTheOutage = false;
						for (Future<Long> borrow : borrows) {
							// Bounded: no borrower may be stuck.
							long succeededAt = borrow.get(15, TimeUnit.SECONDS);
							waitedThroughTheOutage |= succeededAt - outageEnd >= 0;
						}
						assertThat(waitedThroughTheOutage).as("a borrower waited through the outage").isTrue();
					}
					finally {
						borrowers.shutdownNow();
					}
					assertThat(proxy.refused()).isPositive();
					assertThat(source.getRetries()).isPositive();
					assertThat(source.getFailedInARow()).isZero();
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(new int[] { pool.getHikariPoolMXBean().getTotalConnections(),
								ServerSessions.named(name), proxy.open() })
							.containsExactly(size, size, size));
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					assertThat(registry.get("db.pool.retries").tag("pool", name + "-pool").functionCounter().count())
						.isEqualTo(source.getRetries());
				});
		}
	}

	private static Callable<Long> borrow(HikariDataSource pool, long startAfter) {
		return () -> {
			long wait = startAfter - System.nanoTime();
			if (wait > 0) {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
			try (Connection connection = pool.getConnection()) {
				assertThat(selectOne(connection)).isOne();
			}
			return System.nanoTime();
		};
	}

	private static int selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT 1")) {
			result.next();
			return result.getInt(1);
		}
	}

	// Only this test's sessions: other tests share the server.
	private static int terminateSessionsNamed(String applicationName) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect();
				PreparedStatement statement = superuser
					.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
							+ "WHERE application_name = ? AND datname = ? AND pid <> pg_backend_pid()")) {
			statement.setString(1, applicationName);
			statement.setString(2, TestDatabase.DATABASE);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

}
