package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.pooler.PreparedStatementCollisions;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolerMode;
import dev.dbpool.testsupport.PgBouncer;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests of db-pool behind a real PgBouncer (Debian's, started by the test on
 * a free loopback port, see {@link PgBouncer}) in front of the test database, in session
 * and in transaction mode: {@code auto} finds the mode, the timeouts hold (set per
 * connection in session mode; the role's own, checked at start-up, in transaction mode),
 * nothing db-pool sets reaches another client of the same server sessions, prepared
 * statements do not collide, and the connection budget steps aside.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolPoolerIntegrationTests {

	/** A role of its own for the tests in transaction mode, with the role's timeouts. */
	static final String TX_ROLE = "dbpool_pooler_tx";

	/** A role without settings of its own. */
	static final String PLAIN_ROLE = "dbpool_pooler_plain";

	@BeforeAll
	static void createRoles() throws SQLException {
		ServerSide.ensureLoginRole(TX_ROLE, "unused");
		ServerSide.ensureLoginRole(PLAIN_ROLE, "unused");
		try (Connection superuser = TestDatabase.get().connect(); Statement statement = superuser.createStatement()) {
			String scope = "ALTER ROLE " + TX_ROLE + " IN DATABASE " + TestDatabase.DATABASE + " SET ";
			statement.execute(scope + "statement_timeout = '1500ms'");
			statement.execute(scope + "idle_in_transaction_session_timeout = '1s'");
			statement.execute(scope + "lock_timeout = '700ms'");
			statement.execute("ALTER ROLE " + PLAIN_ROLE + " RESET ALL");
			statement.execute("GRANT CREATE ON SCHEMA public TO " + TX_ROLE + ", " + PLAIN_ROLE);
		}
	}

	static ApplicationContextRunner through(PgBouncer pgBouncer, String user, String name) {
		return DbPoolContexts.everyFeature()
			.withPropertyValues("spring.datasource.url=" + pgBouncer.jdbcUrl(), "spring.datasource.username=" + user,
					"spring.datasource.password=", "spring.application.name=" + ServerSide.uniqueName(name),
					"app.db.pool.max-connections=4", "app.db.pool.min-connections=1");
	}

	static void assertStatementTimeoutCancels(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute("SELECT pg_sleep(5)"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).as("query_canceled").isEqualTo("57014"));
		}
	}

	@Test
	void autoFindsNoPoolerOnADirectConnection(CapturedOutput output) {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-pooler-none"),
					"app.db.pool.statement-timeout=1500ms")
			.run((context) -> {
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.pooler().mode()).isEqualTo(PoolerMode.NONE);
				assertThat(settings.source(PoolSettings.POOLER).source()).startsWith("derived by start-up");
				assertThat(output).contains("connects to PostgreSQL itself, no pooler in between");
				assertStatementTimeoutCancels(context.getBean(DataSource.class));
			});
	}

	@Test
	void autoSaysItCouldNotTellWhenTheServerIsDown(CapturedOutput output) {
		DbPoolContexts.everyFeature()
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none",
					"spring.application.name=" + ServerSide.uniqueName("it-pooler-down"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(PoolSettings.class).pooler().mode()).isEqualTo(PoolerMode.NONE);
				assertThat(output).contains("could not tell whether a connection pooler sits between")
					.contains("set app.db.pool.pooler.mode (DB_POOLER) to pgbouncer-session or pgbouncer-transaction");
			});
	}

	@Test
	void statementModeStopsStartUpWithTheFix() {
		try (PgBouncer pgBouncer = PgBouncer.start("statement")) {
			through(pgBouncer, "postgres", "it-pooler-statement").run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidDbPoolConfigurationException.class)
					.hasMessageContaining("statement mode")
					.satisfies((ex) -> assertThat(((InvalidDbPoolConfigurationException) ex).getAction())
						.contains("pool_mode = transaction"));
			});
		}
	}

	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class SessionMode {

		private PgBouncer pgBouncer;

		@BeforeAll
		void start() {
			// One server session per user: whoever comes next gets the pool's last one.
			this.pgBouncer = PgBouncer.configure()
				.poolMode("session")
				.set("default_pool_size", 4)
				.users(PLAIN_ROLE)
				.start();
		}

		@AfterAll
		void stop() {
			this.pgBouncer.close();
		}

		@Test
		void autoReadsSessionModeFromTheConsoleAndTheTimeoutsHold(CapturedOutput output) {
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-session")
				.withPropertyValues("app.db.pool.statement-timeout=1500ms", "app.db.pool.lock-timeout=700ms",
						"app.db.pool.idle-in-transaction-timeout=1s",
						"app.db.pool.pooler.admin-url=" + this.pgBouncer.jdbcUrl("pgbouncer") + "?user=postgres")
				.run((context) -> {
					PoolSettings settings = context.getBean(PoolSettings.class);
					assertThat(settings.pooler().mode()).isEqualTo(PoolerMode.PGBOUNCER_SESSION);
					assertThat(output)
						.contains("connects through a pooler in session mode, pgbouncer-session "
								+ "(PgBouncer's admin console says pool_mode session)")
						.contains("connection budget not checked");
					DataSource dataSource = context.getBean(DataSource.class);
					try (Connection connection = dataSource.getConnection()) {
						assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("1500ms");
						assertThat(ServerSide.show(connection, "lock_timeout")).isEqualTo("700ms");
						assertThat(ServerSide.show(connection, "idle_in_transaction_session_timeout")).isEqualTo("1s");
						assertThat(ServerSide.show(connection, "application_name"))
							.isEqualTo(settings.applicationName());
					}
					assertStatementTimeoutCancels(dataSource);
					assertLockTimeoutHolds(dataSource);
					assertIdleInTransactionTimeoutHolds(dataSource);
					Health health = context.getBean(DbPoolHealthIndicator.class).health();
					assertThat(health.getDetails()).extractingByKey("pooler")
						.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
						.containsEntry("mode", "pgbouncer-session");
				});
		}

		@Test
		void withoutTheConsoleAutoCannotProveSessionModeAndAppliesTransactionModesRules(CapturedOutput output) {
			// Transaction mode kept busy by other clients can look like session mode;
			// taking it for session mode would let prepared statements collide.
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-session-unproven").run((context) -> {
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.pooler().mode()).isEqualTo(PoolerMode.PGBOUNCER_TRANSACTION);
				assertThat(output).contains("connects through a pooler whose mode start-up cannot prove")
					.contains("as in session mode, but a pooler in transaction mode that other clients keep busy "
							+ "can look the same")
					.contains("If PgBouncer runs pool_mode = session, set app.db.pool.pooler.mode (DB_POOLER) to "
							+ "pgbouncer-session")
					// The role has no timeouts of its own: the check says so.
					.contains("the server does not apply its timeouts");
			});
		}

		@Test
		void nothingTheSessionsCarriedReachesTheNextClient() throws SQLException {
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-session-leak")
				.withPropertyValues("app.db.pool.statement-timeout=1234ms", "app.db.pool.pooler.mode=pgbouncer-session")
				.run((context) -> {
					try (Connection connection = context.getBean(DataSource.class).getConnection()) {
						assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("1234ms");
					}
				});
			// PgBouncer resets a server session (DISCARD ALL) before another client gets
			// it.
			for (int i = 0; i < 4; i++) {
				try (Connection next = this.pgBouncer.connect(PLAIN_ROLE)) {
					assertThat(ServerSide.show(next, "statement_timeout")).isEqualTo("0");
				}
			}
		}

		@Test
		void anExplicitModeIsNotChecked(CapturedOutput output) {
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-explicit")
				.withPropertyValues("app.db.pool.pooler.mode=pgbouncer-session")
				.run((context) -> {
					PoolSettings settings = context.getBean(PoolSettings.class);
					assertThat(settings.source(PoolSettings.POOLER).isExplicit()).isTrue();
					assertThat(output).doesNotContain("connects through a pooler");
					assertThat(output).contains("pooler pgbouncer-session (server settings set once per connection");
				});
		}

	}

	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class TransactionMode {

		private PgBouncer pgBouncer;

		@BeforeAll
		void start() {
			// Fewer server sessions than clients, so that clients share them.
			this.pgBouncer = PgBouncer.configure()
				.poolMode("transaction")
				.set("default_pool_size", 2)
				.users(TX_ROLE, PLAIN_ROLE)
				.start();
		}

		@AfterAll
		void stop() {
			this.pgBouncer.close();
		}

		@Test
		void autoFindsTransactionModeAndTheRolesTimeoutsHold(CapturedOutput output) {
			through(this.pgBouncer, TX_ROLE, "it-pooler-tx")
				.withPropertyValues("app.db.pool.statement-timeout=1500ms", "app.db.pool.lock-timeout=700ms",
						"app.db.pool.idle-in-transaction-timeout=1s", "app.db.pool.pooler.timeout-check=fail")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					PoolSettings settings = context.getBean(PoolSettings.class);
					assertThat(settings.pooler().mode()).isEqualTo(PoolerMode.PGBOUNCER_TRANSACTION);
					assertThat(output).contains("connects through a pooler in transaction mode")
						.contains("prepareThreshold=0")
						.contains("connection budget not checked");
					DataSource dataSource = context.getBean(DataSource.class);
					// PgBouncer sets each client's application_name on the session it
					// lends.
					try (Connection connection = dataSource.getConnection()) {
						assertThat(ServerSide.show(connection, "application_name"))
							.isEqualTo(settings.applicationName());
					}
					assertStatementTimeoutCancels(dataSource);
					assertLockTimeoutHolds(dataSource);
					assertIdleInTransactionTimeoutHolds(dataSource);
					Health health = context.getBean(DbPoolHealthIndicator.class).health();
					assertThat(health.getDetails()).extractingByKey("pooler")
						.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
						.containsEntry("mode", "pgbouncer-transaction")
						.containsEntry("timeouts", "held by the role's settings");
				});
		}

		@Test
		void timeoutsTheServerDoesNotApplyStopStartUpInModeFailWithTheStatementsThatFixThem() {
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-tx-fail")
				.withPropertyValues("app.db.pool.pooler.timeout-check=fail", "app.db.pool.lock-timeout=2s")
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).rootCause()
						.isInstanceOfSatisfying(InvalidDbPoolConfigurationException.class, (ex) -> {
							assertThat(ex.getDescription()).contains("statement_timeout is 0, configured 30s")
								.contains("lock_timeout is 0, configured 2s by app.db.pool.lock-timeout");
							assertThat(ex.getAction())
								.contains("ALTER ROLE \"" + PLAIN_ROLE + "\" IN DATABASE \"" + TestDatabase.DATABASE
										+ "\" SET statement_timeout = '30s';")
								.contains("SET idle_in_transaction_session_timeout = '5min';")
								.contains("SET lock_timeout = '2s';");
						});
				});
		}

		@Test
		void timeoutsTheServerDoesNotApplyAreOneWarningByDefault(CapturedOutput output) {
			through(this.pgBouncer, PLAIN_ROLE, "it-pooler-tx-warn").run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).containsOnlyOnce("the server does not apply its timeouts")
					.contains("ALTER ROLE \"" + PLAIN_ROLE + "\" IN DATABASE \"" + TestDatabase.DATABASE
							+ "\" SET statement_timeout = '30s';");
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(ServerSide.show(connection, "statement_timeout")).isEqualTo("0");
				}
			});
		}

		@Test
		void nothingDbPoolSetsReachesAnotherClientOfTheSameServerSessions() {
			// db-pool's pool asks for other timeouts than the role's, with its server
			// view reading every second on the same two server sessions.
			through(this.pgBouncer, TX_ROLE, "it-pooler-tx-leak")
				.withPropertyValues("app.db.pool.statement-timeout=4321ms", "app.db.pool.monitor.interval=1s",
						"app.db.pool.monitor.server-interval=1s", "app.db.pool.pooler.timeout-check=off")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					try (Connection other = this.pgBouncer.connect(TX_ROLE)) {
						long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
						while (System.nanoTime() < until) {
							try (Connection pooled = dataSource.getConnection()) {
								ServerSide.show(pooled, "statement_timeout");
							}
							assertThat(ServerSide.show(other, "statement_timeout")).isEqualTo("1500ms");
							assertThat(ServerSide.show(other, "lock_timeout")).isEqualTo("700ms");
						}
					}
				});
		}

		@Test
		void sixteenClientsRunningPreparedStatementsGetNoError(CapturedOutput output) throws Exception {
			PreparedRun run = runPreparedStatements(through(this.pgBouncer, TX_ROLE, "it-pooler-tx-prepared"));
			assertThat(run.errors()).isEmpty();
			assertThat(run.collisions()).isZero();
			assertThat(run.counted()).isZero();
			assertThat(output).doesNotContain("collide with another client's");
		}

		@Test
		void preparedStatementsOnTheServerCollideWhereThePoolerDoesNotTrackThemAndDbPoolSaysWhy(CapturedOutput output)
				throws Exception {
			// PgBouncer 1.18 does not: claiming it does shows what the default prevents.
			PreparedRun run = runPreparedStatements(through(this.pgBouncer, TX_ROLE, "it-pooler-tx-collide")
				.withPropertyValues("app.db.pool.pooler.prepared-statements=true"));
			// Errors, and where a statement ran under another's name, wrong results.
			assertThat(run.errors()).isNotEmpty()
				.anyMatch((error) -> error.startsWith("42P05") || error.startsWith("26000"));
			long collided = run.errors()
				.stream()
				.filter((error) -> error.startsWith("42P05") || error.startsWith("26000")
						|| error.startsWith("08P01 ERROR: bind message supplies"))
				.count();
			assertThat(run.collisions()).isGreaterThanOrEqualTo(collided).isPositive();
			assertThat(run.counted()).isEqualTo(run.collisions());
			assertThat(output).containsOnlyOnce("collide with another client's")
				.contains("Cause: app.db.pool.pooler.prepared-statements is true, which needs a pooler that keeps "
						+ "each client's prepared statements apart (PgBouncer 1.21 or later with "
						+ "max_prepared_statements above 0), and this one does not. Fix: set app.db.pool.pooler.mode "
						+ "(DB_POOLER) to pgbouncer-transaction with app.db.pool.pooler.prepared-statements=false");
		}

		@Test
		void aPrepareThresholdInTheUrlIsRefusedWithTheFix() {
			through(this.pgBouncer, TX_ROLE, "it-pooler-tx-threshold")
				.withPropertyValues("spring.datasource.url=" + this.pgBouncer.jdbcUrl() + "?prepareThreshold=5")
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).rootCause()
						.isInstanceOf(InvalidDbPoolConfigurationException.class)
						.hasMessageContaining("prepareThreshold='5' (parameter of the JDBC URL)")
						.hasMessageContaining("app.db.pool.pooler.prepared-statements");
				});
		}

		// 16 threads on a pool of 8, through 2 server sessions: the same statements, each
		// run past the driver's default prepare threshold of 5.
		private PreparedRun runPreparedStatements(ApplicationContextRunner runner) throws Exception {
			List<String> errors = new ArrayList<>();
			long[] collisions = new long[2];
			runner.withPropertyValues("app.db.pool.max-connections=8", "app.db.pool.pooler.timeout-check=off")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
					ExecutorService clients = Executors.newFixedThreadPool(16);
					try {
						CountDownLatch go = new CountDownLatch(1);
						List<Future<?>> done = new ArrayList<>();
						for (int client = 0; client < 16; client++) {
							int id = client;
							done.add(clients.submit(() -> {
								go.await();
								for (int i = 0; i < 20; i++) {
									try (Connection connection = dataSource.getConnection()) {
										connection.setAutoCommit(i % 2 == 0);
										try (PreparedStatement statement = connection
											.prepareStatement("SELECT ?::int + " + (i % 3))) {
											statement.setInt(1, id);
											try (ResultSet result = statement.executeQuery()) {
												result.next();
												assertThat(result.getInt(1)).isEqualTo(id + i % 3);
											}
										}
										if (!connection.getAutoCommit()) {
											connection.commit();
										}
									}
									catch (SQLException ex) {
										failures.add(ex.getSQLState() + " " + ex.getMessage());
									}
									catch (AssertionError ex) {
										failures.add("wrong result: " + ex.getMessage());
									}
								}
								return null;
							}));
						}
						go.countDown();
						for (Future<?> future : done) {
							future.get(60, TimeUnit.SECONDS);
						}
					}
					finally {
						clients.shutdownNow();
					}
					errors.addAll(failures);
					Map<String, Object> details = context.getBean(DbPoolHealthIndicator.class).health().getDetails();
					collisions[0] = (Long) ((Map<?, ?>) details.get(PreparedStatementCollisions.DETAIL))
						.get(PreparedStatementCollisions.TOTAL);
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					await().atMost(Duration.ofSeconds(10))
						.until(() -> registry.find(PreparedStatementCollisions.METER).functionCounter() != null);
					collisions[1] = (long) registry.get(PreparedStatementCollisions.METER).functionCounter().count();
				});
			return new PreparedRun(errors, collisions[0], collisions[1]);
		}

		/**
		 * What the clients met, what the {@code dbPool} health counted of it and what the
		 * meter did.
		 */
		private record PreparedRun(List<String> errors, long collisions, long counted) {

		}

	}

	static void assertLockTimeoutHolds(DataSource dataSource) throws SQLException {
		String table = "dbpool_pooler_lock_" + ServerSide.uniqueName("t").replace('-', '_');
		try (Connection owner = TestDatabase.get().connect(); Statement statement = owner.createStatement()) {
			statement.execute("CREATE TABLE " + table + " (id int)");
			statement.execute("GRANT ALL ON " + table + " TO PUBLIC");
		}
		try (Connection holder = TestDatabase.get().connect()) {
			holder.setAutoCommit(false);
			try (Statement lock = holder.createStatement()) {
				lock.execute("LOCK TABLE " + table);
			}
			try (Connection connection = dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				assertThatExceptionOfType(SQLException.class)
					.isThrownBy(() -> statement.execute("SELECT count(*) FROM " + table))
					.satisfies((ex) -> assertThat(ex.getSQLState()).as("lock_not_available").isEqualTo("55P03"));
			}
			finally {
				holder.rollback();
			}
		}
		finally {
			try (Connection owner = TestDatabase.get().connect(); Statement statement = owner.createStatement()) {
				statement.execute("DROP TABLE IF EXISTS " + table);
			}
		}
	}

	static void assertIdleInTransactionTimeoutHolds(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(false);
			ServerSide.show(connection, "statement_timeout");
			// The server ends the session once it has idled 1s in the transaction.
			await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ofMillis(1500)).untilAsserted(() -> {
				assertThatExceptionOfType(SQLException.class)
					.isThrownBy(() -> ServerSide.show(connection, "statement_timeout"));
			});
		}
		finally {
			// The pool evicts the broken connection and still serves.
			try (Connection next = dataSource.getConnection()) {
				assertThat(ServerSide.show(next, "statement_timeout")).isNotNull();
			}
		}
	}

}
