package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.metrics.DbPoolMeterBinder;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.pooler.PgBouncerConsole;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests of PgBouncer's queue read from its admin console
 * ({@code app.db.pool.pooler.admin-url}) beside the pool's own, against a real PgBouncer
 * in transaction mode with one server connection per database and user: clients that wait
 * at PgBouncer show in the {@code pooler} health details and the {@code db.pooler.*}
 * meters, then no longer; the console's password never shows; what cannot be read or
 * matched is said, not guessed; and a wrong URL stops start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DbPoolPgBouncerConsoleIntegrationTests {

	/** The pool's role, one of PgBouncer's stats_users. */
	static final String STATS_ROLE = "dbpool_console_stats";

	/** A role PgBouncer lets in, but not into its console. */
	static final String PLAIN_ROLE = "dbpool_console_plain";

	private static final String PASSWORD = "Pgb0uncer-Adm1n-S3cret";

	private PgBouncer pgBouncer;

	@BeforeAll
	void start() throws SQLException {
		ServerSide.ensureLoginRole(STATS_ROLE, "unused");
		ServerSide.ensureLoginRole(PLAIN_ROLE, "unused");
		// One server connection per database and user: a second client in a
		// transaction waits.
		this.pgBouncer = PgBouncer.configure()
			.poolMode("transaction")
			.set("default_pool_size", 1)
			.users(PLAIN_ROLE)
			.statsUsers(STATS_ROLE)
			.start();
	}

	@AfterAll
	void stop() {
		this.pgBouncer.close();
	}

	// Reads every second; the server view stays off, since it would queue at PgBouncer
	// with the clients and hold the monitor's thread (see the report).
	private ApplicationContextRunner through(String user, String name) {
		return DbPoolContexts.everyFeature()
			.withPropertyValues("spring.datasource.url=" + this.pgBouncer.jdbcUrl(),
					"spring.datasource.username=" + user, "spring.datasource.password=",
					"spring.application.name=" + ServerSide.uniqueName(name), "app.db.pool.max-connections=2",
					"app.db.pool.min-connections=2", "app.db.pool.pooler.mode=pgbouncer-transaction",
					"app.db.pool.pooler.timeout-check=off", "app.db.pool.monitor.interval=1s",
					"app.db.pool.monitor.server-interval=1s", "app.db.pool.monitor.server-enabled=false");
	}

	private String consoleUrl() {
		return this.pgBouncer.jdbcUrl(PgBouncerConsole.DATABASE);
	}

	@Test
	void clientsWaitingAtPgBouncerShowInTheHealthAndTheMetersThenNoLonger(CapturedOutput output) throws Exception {
		through(STATS_ROLE, "it-console-queue").withPropertyValues("app.db.pool.pooler.admin-url=" + consoleUrl())
			.run((context) -> {
				assertThat(context).hasSingleBean(PgBouncerConsole.class);
				String pool = context.getBean(PoolSettings.class).poolName();
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				DataSource dataSource = context.getBean(DataSource.class);
				startPool(dataSource);
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(pooler(health)).containsEntry("adminUrl", consoleUrl())
						.containsEntry("clientsActive", 2)
						.containsEntry("clientsWaiting", 0)
						.containsEntry("poolMode", "transaction")
						.containsEntry("maxWait", "0s")
						.containsKey("sampledAt"));
				ExecutorService client = Executors.newSingleThreadExecutor();
				try (Connection holder = dataSource.getConnection()) {
					// An open transaction holds PgBouncer's one server connection.
					holder.setAutoCommit(false);
					ServerSide.show(holder, "statement_timeout");
					Future<String> waiting = client.submit(() -> {
						try (Connection connection = dataSource.getConnection()) {
							return ServerSide.show(connection, "statement_timeout");
						}
					});
					await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
						assertThat(pooler(health)).containsEntry("clientsWaiting", 1)
							.containsEntry("serversActive", 1)
							.doesNotContainEntry("maxWait", "0s");
						assertThat(gauge(registry, DbPoolMeterBinder.POOLER_CLIENTS_WAITING, pool)).isOne();
						assertThat(registry.get(DbPoolMeterBinder.POOLER_WAIT_MAX)
							.tag("pool", pool)
							.timeGauge()
							.value(TimeUnit.SECONDS)).isPositive();
					});
					assertThat(gauge(registry, DbPoolMeterBinder.POOLER_CLIENTS_ACTIVE, pool)).isOne();
					assertThat(gauge(registry, DbPoolMeterBinder.POOLER_SERVERS_ACTIVE, pool)).isOne();
					assertThat(gauge(registry, DbPoolMeterBinder.POOLER_SERVERS_IDLE, pool)).isZero();
					assertEveryMeterSurvivesPrometheusNaming(context.getBean(PoolMonitor.class), pool);
					holder.commit();
					assertThat(waiting.get(30, TimeUnit.SECONDS)).isNotNull();
				}
				finally {
					client.shutdownNow();
				}
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(pooler(health)).containsEntry("clientsWaiting", 0).containsEntry("maxWait", "0s");
					assertThat(gauge(registry, DbPoolMeterBinder.POOLER_CLIENTS_WAITING, pool)).isZero();
				});
				assertThat(output).doesNotContain("cannot read PgBouncer's admin console");
			});
	}

	// Prometheus drops a gauge's _total, say: a meter whose name clashes is not
	// registered.
	private static void assertEveryMeterSurvivesPrometheusNaming(PoolMonitor monitor, String pool) {
		PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		try {
			new DbPoolMeterBinder(monitor).bindTo(prometheus);
			String tags = "{pool=\"" + pool + "\"} ";
			assertThat(prometheus.scrape()).contains("db_pooler_clients_active" + tags + "1.0")
				.contains("db_pooler_clients_waiting" + tags + "1.0")
				.contains("db_pooler_servers_active" + tags + "1.0")
				.contains("db_pooler_servers_idle" + tags + "0.0")
				.contains("db_pooler_wait_max_seconds" + tags);
		}
		finally {
			prometheus.close();
		}
	}

	@Test
	void thePasswordOfTheAdminUrlNeverShows(CapturedOutput output) {
		String url = "postgres://postgres:" + PASSWORD + "@127.0.0.1:" + this.pgBouncer.port() + "/pgbouncer";
		through(STATS_ROLE, "it-console-password")
			.withInitializer(EnvironmentVariables.of("APP_DB_POOL_POOLER_ADMIN_URL=" + url))
			.run((context) -> {
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				startPool(context.getBean(DataSource.class));
				// Logged in as postgres, an admin, with the URL's credentials.
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(pooler(health)).containsEntry("adminUrl", consoleUrl())
						.containsEntry("clientsWaiting", 0));
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.source(PoolSettings.ADMIN_URL).describe())
					.isEqualTo("APP_DB_POOL_POOLER_ADMIN_URL='postgres://postgres:****@127.0.0.1:"
							+ this.pgBouncer.port() + "/pgbouncer' (environment variable)");
				assertThat(settings.toString()).doesNotContain(PASSWORD);
				assertThat(health.health().getDetails().toString()).doesNotContain(PASSWORD);
				assertThat(output).contains("pooler admin console " + consoleUrl() + " every 1s");
			});
		assertThat(output).doesNotContain(PASSWORD);
	}

	@Test
	void anUnreachableConsoleIsOneWarningAndADetailNeverAFailure(CapturedOutput output) {
		String url = "jdbc:postgresql://127.0.0.1:1/pgbouncer?user=postgres&password=" + PASSWORD;
		through(STATS_ROLE, "it-console-down").withPropertyValues("app.db.pool.pooler.admin-url=" + url)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				String pool = context.getBean(PoolSettings.class).poolName();
				startPool(context.getBean(DataSource.class));
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(pooler(health)).containsKey("consoleFailingSince")
						.extractingByKey("consoleFailure", InstanceOfAssertFactories.STRING)
						.startsWith("08001 "));
				// Reads go on every second; the streak is logged once.
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(output.getOut().split("cannot read PgBouncer's admin console", -1))
						.hasSize(2));
				assertThat(output).contains("db-pool: pool '" + pool
						+ "' cannot read PgBouncer's admin console jdbc:postgresql://127.0.0.1:1/pgbouncer: 08001 ");
				assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
				assertThat(gauge(registry, DbPoolMeterBinder.POOLER_CLIENTS_WAITING, pool)).isNaN();
			});
		assertThat(output).doesNotContain(PASSWORD);
	}

	@ParameterizedTest
	@ValueSource(strings = { "scram-sha-256", "md5" })
	void logsInToTheConsoleWithThePasswordInItsUrlAndSaysWhenItIsWrong(String authType) {
		try (PgBouncer secured = PgBouncer.configure()
			.set("auth_type", authType)
			.password("postgres", PASSWORD)
			.start()) {
			String url = "postgres://postgres:%s@127.0.0.1:" + secured.port() + "/pgbouncer";
			direct("it-console-" + authType)
				.withPropertyValues("app.db.pool.pooler.admin-url=" + url.formatted(PASSWORD))
				.run((context) -> {
					DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(pooler(health)).containsKey("sampledAt"));
					assertThat(pooler(health)).doesNotContainKey("consoleFailure");
				});
			direct("it-console-" + authType + "-wrong")
				.withPropertyValues("app.db.pool.pooler.admin-url=" + url.formatted("wrong-" + PASSWORD))
				.run((context) -> {
					DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(pooler(health)).containsKey("consoleFailure"));
					assertThat(pooler(health)).extractingByKey("consoleFailure", InstanceOfAssertFactories.STRING)
						.contains("authentication failed")
						.doesNotContain(PASSWORD);
				});
		}
	}

	// The pool straight to the server, the console read every second.
	private static ApplicationContextRunner direct(String name) {
		return DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName(name),
					"app.db.pool.pooler.mode=none", "app.db.pool.monitor.server-interval=1s");
	}

	@Test
	void aPoolUserThatIsNeitherAdminNorStatsUserIsRefusedByTheConsole() {
		through(PLAIN_ROLE, "it-console-refused").withPropertyValues("app.db.pool.pooler.admin-url=" + consoleUrl())
			.run((context) -> {
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(pooler(health))
						.extractingByKey("consoleFailure", InstanceOfAssertFactories.STRING)
						.isEqualTo("08P01 FATAL: not allowed (PgBouncer lets only the users in its admin_users and "
								+ "stats_users into its console: add '" + PLAIN_ROLE
								+ "' to stats_users, or give another user in the URL)"));
			});
	}

	@Test
	void noRowForThePoolsDatabaseAndUserIsSaidNotGuessed() {
		// The pool goes straight to the server: PgBouncer has no pool of its database
		// and user.
		String user = TestDatabase.get().username();
		direct("it-console-no-row").withPropertyValues("app.db.pool.pooler.admin-url=" + consoleUrl())
			.run((context) -> {
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				String pool = context.getBean(PoolSettings.class).poolName();
				startPool(context.getBean(DataSource.class));
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(pooler(health))
						.extractingByKey("poolNotFound", InstanceOfAssertFactories.STRING)
						.startsWith("SHOW POOLS has no pool for database '" + TestDatabase.DATABASE + "' and user '"
								+ user + "'")
						.contains("[databases] section maps them to others"));
				assertThat(pooler(health)).doesNotContainKey("clientsWaiting").containsKey("sampledAt");
				assertThat(gauge(registry, DbPoolMeterBinder.POOLER_CLIENTS_WAITING, pool)).isNaN();
			});
	}

	@Test
	void withoutAnAdminUrlNothingReadsPgBouncer() {
		through(STATS_ROLE, "it-console-none").run((context) -> {
			assertThat(context).doesNotHaveBean(PgBouncerConsole.class);
			startPool(context.getBean(DataSource.class));
			DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
			assertThat(pooler(health)).containsEntry("mode", "pgbouncer-transaction").doesNotContainKey("adminUrl");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			// The pool's meters are there; PgBouncer's are not.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> registry.find(DbPoolMeterBinder.UTILIZATION).meter() != null);
			assertThat(registry.find(DbPoolMeterBinder.POOLER_CLIENTS_WAITING).meter()).isNull();
		});
	}

	@Test
	void anAdminUrlOfAnotherDatabaseStopsStartUpNamingItWithThePasswordMasked() {
		DbPoolContexts.everyFeature()
			.withPropertyValues("app.db.pool.pooler.admin-url=postgres://admin:" + PASSWORD + "@127.0.0.1:"
					+ this.pgBouncer.port() + "/" + TestDatabase.DATABASE)
			.run((context) -> {
				InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
				assertThat(failure.getDescription())
					.contains("app.db.pool.pooler.admin-url='postgres://admin:****@127.0.0.1:")
					.contains("its database is '" + TestDatabase.DATABASE + "', not pgbouncer")
					.doesNotContain(PASSWORD);
				assertThat(failure.getAction()).contains("jdbc:postgresql://pgbouncer:6432/pgbouncer")
					.doesNotContain(PASSWORD);
			});
	}

	// HikariCP starts a pool at its first borrow; PgBouncer lists a pool once a client
	// has connected, and db-pool registers the pool's meters once it has started.
	private static void startPool(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			assertThat(connection.isValid(5)).isTrue();
		}
	}

	private static double gauge(MeterRegistry registry, String name, String pool) {
		return registry.get(name).tag("pool", pool).gauge().value();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> pooler(DbPoolHealthIndicator health) {
		Object pooler = health.health().getDetails().get("pooler");
		assertThat(pooler).as("pooler details").isInstanceOf(Map.class);
		return (Map<String, Object>) pooler;
	}

}
