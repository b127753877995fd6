package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link DbPoolAutoConfiguration} against a real PostgreSQL: the
 * server settings db-pool sends in each connection's start-up ({@code application_name},
 * {@code statement_timeout}, {@code idle_in_transaction_session_timeout},
 * {@code lock_timeout}) are the ones the server applies to the pool's sessions, and it
 * enforces them. A role with its own settings ({@code ALTER ROLE … SET}) stands for a
 * server configured otherwise: db-pool's settings outrank it, and what db-pool leaves
 * unset keeps the server's value.
 */
class DbPoolSessionSettingsIntegrationTests {

	private static final String ROLE_WITH_SETTINGS = "dbpool_role_settings_user";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties());

	@BeforeAll
	static void createARoleWithServerSettings() throws SQLException {
		ServerSide.ensureLoginRole(ROLE_WITH_SETTINGS, "secret");
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute("ALTER ROLE " + ROLE_WITH_SETTINGS + " SET lock_timeout = '7s'");
			statement.execute("ALTER ROLE " + ROLE_WITH_SETTINGS + " SET statement_timeout = '9s'");
			statement.execute("ALTER ROLE " + ROLE_WITH_SETTINGS + " SET idle_in_transaction_session_timeout = '1h'");
		}
	}

	@Test
	void serverShowsTheConfiguredApplicationNameForThePoolsSessions() {
		String name = ServerSide.uniqueName("it-appname-explicit");
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-appname-ignored"),
					"app.db.pool.application-name=" + name)
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					int pid = ServerSide.backendPid(connection);
					assertThat(ServerSide.applicationNameOf(pid)).isEqualTo(name);
					assertThat(ServerSessions.named(name)).isPositive();
					assertThat(ServerSide.show(connection, "application_name")).isEqualTo(name);
				}
			});
	}

	@Test
	void serverShowsTheApplicationNameDerivedFromSpringApplicationNameByDefault() {
		String name = ServerSide.uniqueName("it-appname-derived");
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				int pid = ServerSide.backendPid(connection);
				assertThat(ServerSide.applicationNameOf(pid)).isEqualTo(name);
				assertThat(ServerSessions.named(name)).isPositive();
			}
		});
	}

	@Test
	void serverShowsTheConfiguredStatementTimeout() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-statement-timeout"),
					"app.db.pool.statement-timeout=1500ms")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("1500ms");
				}
			});
	}

	@Test
	void serverCancelsAStatementThatRunsLongerThanTheStatementTimeout() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-statement-cancel"),
					"app.db.pool.statement-timeout=1500ms")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection();
						Statement statement = connection.createStatement()) {
					long start = System.nanoTime();
					assertThatExceptionOfType(SQLException.class)
						.isThrownBy(() -> statement.execute("SELECT pg_sleep(5)"))
						.satisfies((ex) -> {
							assertThat(ex.getSQLState()).as("query_canceled").isEqualTo("57014");
							assertThat(ex.getMessage()).contains("canceling statement due to statement timeout");
						});
					long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
					// Cancelled by the server after 1.5s, well before the 5s sleep would
					// end and before the derived 7s socket timeout.
					assertThat(elapsedMillis).isBetween(1_000L, 4_500L);
					// The session survives a cancelled statement.
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("1500ms");
				}
			});
	}

	@Test
	void serverShowsTheDefaultStatementTimeoutOf30Seconds() {
		this.runner.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-statement-default"))
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("30s");
				}
			});
	}

	@Test
	void serverShowsTheConfiguredIdleInTransactionAndLockTimeouts() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-idle-lock"),
					"app.db.pool.idle-in-transaction-timeout=45s", "app.db.pool.lock-timeout=2s")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "idle_in_transaction_session_timeout")).isEqualTo("45s");
					assertThat(ServerSide.show(connection, "lock_timeout")).isEqualTo("2s");
				}
			});
	}

	@Test
	void serverKeepsItsOwnLockTimeoutWhenNoneIsConfigured() {
		// The role's setting stands for "the server's": 7s, so that it differs from every
		// default.
		this.runner.withPropertyValues(roleWithServerSettings())
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-lock-server"))
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "lock_timeout")).isEqualTo("7s");
				}
			});
	}

	@Test
	void serverAppliesDbPoolDefaultsOverTheRolesSettings() {
		this.runner.withPropertyValues(roleWithServerSettings())
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-role-defaults"))
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					// Start-up options outrank ALTER ROLE … SET (9s and 1h for this
					// role).
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("30s");
					assertThat(ServerSide.show(connection, "idle_in_transaction_session_timeout")).isEqualTo("5min");
				}
			});
	}

	@Test
	void serverEndsASessionLeftIdleInATransactionLongerThanTheIdleInTransactionTimeout() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-idle-in-transaction"),
					"app.db.pool.idle-in-transaction-timeout=1s")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					connection.setAutoCommit(false);
					// Its first statement opens the transaction.
					int pid = ServerSide.backendPid(connection);
					// The server ends the session 1s later; a loaded one may take longer.
					await("session " + pid + " ended by the server").atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(100))
						.until(() -> ServerSide.applicationNameOf(pid) == null);
					assertThatExceptionOfType(SQLException.class).isThrownBy(() -> {
						try (Statement statement = connection.createStatement()) {
							statement.execute("SELECT 1");
						}
					}).satisfies((ex) -> {
						// The server's FATAL message, read on the next statement...
						assertThat(ex.getSQLState()).as("idle_in_transaction_session_timeout").isEqualTo("25P03");
						assertThat(ex.getMessage())
							.isEqualTo("FATAL: terminating connection due to idle-in-transaction timeout");
						// ...then the closed socket. (Cast: an SQLException is also an
						// Iterable.)
						assertThat((Throwable) ex.getNextException()).isInstanceOfSatisfying(SQLException.class,
								(next) -> assertThat(next.getSQLState()).as("connection_failure").isEqualTo("08006"));
					});
					assertThat(connection.isClosed()).isTrue();
				}
			});
	}

	@Test
	void serverGivesUpWaitingForALockAfterTheLockTimeout() {
		long key = ThreadLocalRandom.current().nextLong();
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-lock-timeout"),
					"app.db.pool.lock-timeout=500ms")
			.run((context) -> {
				try (Connection holder = TestDatabase.get().connect();
						PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_lock(?)")) {
					lock.setLong(1, key);
					lock.execute();
					try (Connection connection = context.getBean(DataSource.class).getConnection();
							PreparedStatement wait = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
						wait.setLong(1, key);
						long start = System.nanoTime();
						assertThatExceptionOfType(SQLException.class).isThrownBy(wait::execute).satisfies((ex) -> {
							assertThat(ex.getSQLState()).as("lock_not_available").isEqualTo("55P03");
							assertThat(ex.getMessage()).contains("canceling statement due to lock timeout");
						});
						// Without a lock timeout it would wait for the 30s statement
						// timeout.
						assertThat((System.nanoTime() - start) / 1_000_000).isBetween(300L, 10_000L);
					}
				}
			});
	}

	@Test
	void startupOptionsInTheUrlStayInEffectAlongsideDbPoolSettings() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-url-options"),
					"spring.datasource.url=" + TestDatabase.get().jdbcUrl() + "?options=-c%20search_path%3Dpublic")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					// The server's default is "$user", public.
					assertThat(ServerSide.show(connection, "search_path")).isEqualTo("public");
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("30s");
					assertThat(ServerSide.show(connection, "idle_in_transaction_session_timeout")).isEqualTo("5min");
				}
			});
	}

	private static String[] roleWithServerSettings() {
		return new String[] { "spring.datasource.username=" + ROLE_WITH_SETTINGS, "spring.datasource.password=secret" };
	}

}
