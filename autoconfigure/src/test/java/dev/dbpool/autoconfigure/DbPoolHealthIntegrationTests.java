package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.sql.DataSource;

import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the {@code dbPool} health against a real PostgreSQL: a pool that
 * cannot reach the database turns DOWN once that has lasted the grace period, and UP once
 * it connects again.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolHealthIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.monitor.interval=1s", "app.db.pool.health.exhausted-grace=1s");

	/**
	 * db-pool's own pool knows its failed connection attempts; Spring Boot's
	 * ({@code app.db.pool.enabled=false}) is judged by holding no connection while
	 * needing one.
	 */
	@ParameterizedTest(name = "app.db.pool.enabled={0}")
	@ValueSource(booleans = { true, false })
	void poolThatCannotReachTheDatabaseIsDownAfterTheGraceAndUpOnceItConnectsAgain(boolean dbPool,
			CapturedOutput output) throws Exception {
		String name = ServerSide.uniqueName("it-health-unreachable");
		String role = name.replace('-', '_');
		ServerSide.ensureLoginRole(role, "secret");
		try {
			this.runner.withPropertyValues("spring.application.name=" + name, "spring.datasource.username=" + role,
					"spring.datasource.password=secret", "app.db.pool.enabled=" + dbPool,
					"app.db.pool.min-connections=1", "app.db.pool.max-connections=2", "app.db.pool.acquire-timeout=1s",
					"spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.maximum-pool-size=2",
					"spring.datasource.hikari.connection-timeout=1000")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					DbPoolHealthIndicator indicator = context.getBean(DbPoolHealthIndicator.class);
					dataSource.getConnection().close();
					assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
					// The role may no longer log in, and its sessions end. The pool
					// learns it at the next borrow (HikariCP tests a connection unused
					// for 500ms), and cannot open new ones.
					setLogin(role, false);
					terminateSessionsOf(role);
					// Ended, not only asked to end: a connection still alive would pass
					// the borrow's test.
					await("sessions of " + role + " ended by the server").atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(100))
						.until(() -> sessionsOf(role) == 0);
					Thread.sleep(1000);
					assertThatExceptionOfType(SQLException.class).isThrownBy(dataSource::getConnection);
					Health down = await().atMost(Duration.ofSeconds(10))
						.pollInterval(Duration.ofMillis(100))
						.until(indicator::health, (health) -> health.getStatus() == Status.DOWN);
					PoolState pool = context.getBean(PoolMonitor.class).pools().get(0);
					PhysicalConnectionSource source = PhysicalConnectionSource.of(pool.dataSource());
					Duration lasted = dbPool ? Duration.between(source.getFailingSince(), Instant.now())
							: pool.starvedFor(pool.latest());
					assertThat(lasted).as("lasted the grace").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
					assertThat(down.getDetails()).containsEntry("total", 0).containsKey("noConnectionFor");
					String reason = (String) down.getDetails().get("reason");
					if (dbPool) {
						// The role may not log in: SQLState 28000.
						assertThat(down.getDetails()).containsKeys("connectionsOpened", "lastConnectionOpenedAt",
								"connectionAttemptsFailing");
						assertThat((String) down.getDetails().get("lastConnectionFailure")).startsWith("28000 ");
						assertThat(reason).startsWith("attempts to open a connection have failed for ");
					}
					else {
						assertThat(down.getDetails()).containsKey("lastSeenWithConnectionsAt");
						assertThat(reason).startsWith("no connection for ");
					}
					assertThat(reason).endsWith("the database cannot be reached");
					// The monitor's line says why, where it knows.
					String warn = await().atMost(Duration.ofSeconds(5))
						.until(() -> output.getAll()
							.lines()
							.filter((line) -> line.contains("WARN") && line.contains("'" + pool.name() + "'")
									&& line.contains("no connection for "))
							.findFirst(), Optional::isPresent)
						.get();
					assertThat(warn).contains(dbPool ? "; opening one fails: 28000 " : "; is the database reachable?");
					setLogin(role, true);
					await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
						dataSource.getConnection().close();
						return true;
					});
					assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
				});
		}
		finally {
			dropQuietly(role);
		}
	}

	// A role of this run only: dropped once the pool is closed; should a session of it
	// still be ending, it stays, harmless.
	private static void dropQuietly(String role) {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("DROP ROLE IF EXISTS " + role);
		}
		catch (SQLException ex) {
			// left for the server's owner
		}
	}

	private static void setLogin(String role, boolean login) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("ALTER ROLE " + role + (login ? " LOGIN" : " NOLOGIN"));
		}
	}

	private static int sessionsOf(String role) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect();
				PreparedStatement statement = superuser
					.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
			statement.setString(1, role);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	private static void terminateSessionsOf(String role) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect();
				PreparedStatement statement = superuser
					.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
			statement.setString(1, role);
			statement.execute();
		}
	}

}
