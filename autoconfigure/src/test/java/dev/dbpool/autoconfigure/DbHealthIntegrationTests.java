package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.PooledDataSourceHealthIndicator;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Boot's {@code db} health as db-pool answers it, against a real PostgreSQL: with
 * a connection to spare it validates one as Spring Boot's does; with the pool exhausted
 * it answers from the pool's state without waiting for a connection; with the database
 * unreachable it is DOWN.
 */
class DbHealthIntegrationTests {

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class,
				DataSourceHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.max-connections=2", "app.db.pool.min-connections=0",
				"app.db.pool.acquire-timeout=" + ACQUIRE_TIMEOUT.toSeconds() + "s");

	@Test
	void withAConnectionToSpareItValidatesOneAsSpringBootsDoes() {
		this.runner.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-db-health"))
			.run((context) -> {
				context.getBean(DataSource.class).getConnection().close();
				Health health = db(context.getBean("dbHealthContributor", HealthIndicator.class));
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("database", "PostgreSQL")
					.containsEntry("validationQuery", "isValid()")
					.doesNotContainKey("answeredFrom");
			});
	}

	@Test
	void withThePoolExhaustedItAnswersFromThePoolsStateWithoutWaiting() {
		this.runner.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-db-exhausted"))
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
				HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
				List<Connection> held = new ArrayList<>();
				try {
					held.add(dataSource.getConnection());
					held.add(dataSource.getConnection());
					long started = System.nanoTime();
					Health health = db(db);
					Duration took = Duration.ofNanos(System.nanoTime() - started);
					// A check that borrowed would wait the whole acquire timeout, as
					// Spring Boot's does: half of it tells the two apart on any machine.
					assertThat(took).isLessThan(ACQUIRE_TIMEOUT.dividedBy(2));
					assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
					assertThat(health.getStatus()).isEqualTo(Status.UP);
					assertThat(health.getDetails()).containsEntry("database", "PostgreSQL")
						.containsEntry("answeredFrom", "no connection free: 2 of 2 in use")
						.containsKey("lastConnectionOpenedAt");
				}
				finally {
					for (Connection connection : held) {
						connection.close();
					}
				}
				assertThat(db(db).getDetails()).doesNotContainKey("answeredFrom");
			});
	}

	@Test
	void withTheDatabaseUnreachableItIsDown() throws Exception {
		String name = ServerSide.uniqueName("it-db-unreachable");
		String role = name.replace('-', '_');
		ServerSide.ensureLoginRole(role, "secret");
		try {
			this.runner
				.withPropertyValues("spring.application.name=" + name, "spring.datasource.username=" + role,
						"spring.datasource.password=secret")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
					dataSource.getConnection().close();
					assertThat(db(db).getStatus()).isEqualTo(Status.UP);
					execute("ALTER ROLE " + role + " NOLOGIN");
					execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
					await("sessions of " + role + " ended").atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(100))
						.until(() -> sessionsOf(role) == 0);
					// A check may first borrow a connection the server has just ended
					// (HikariCP
					// does not test one used within 500ms): DOWN with that error. Once
					// the
					// pool has dropped it, the failed attempts to open a new one tell
					// why.
					Health down = await("db DOWN with the failed attempts' SQLState").atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.until(() -> db(db), (health) -> health.getStatus() == Status.DOWN
								&& String.valueOf(health.getDetails().get("error")).startsWith("28000 "));
					assertThat(down.getDetails()).containsEntry("database", "PostgreSQL").containsKey("failingFor");
					execute("ALTER ROLE " + role + " LOGIN");
					await("db UP again").atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.until(() -> db(db).getStatus() == Status.UP);
				});
		}
		finally {
			try {
				execute("DROP ROLE IF EXISTS " + role);
			}
			catch (SQLException ex) {
				// A session still ending keeps it: harmless, left for the server's owner.
			}
		}
	}

	private static Health db(HealthIndicator indicator) {
		assertThat(indicator).isInstanceOf(PooledDataSourceHealthIndicator.class);
		Health health = indicator.health();
		assertThat(health).isNotNull();
		return health;
	}

	private static void execute(String sql) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			statement.execute(sql);
		}
	}

	private static int sessionsOf(String role) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect();
				PreparedStatement statement = superuser
					.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
			statement.setString(1, role);
			try (var result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

}
