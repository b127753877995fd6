package dev.dbpool.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for credentials that change while the pool runs, on a server of this
 * test's own with SCRAM authentication: a password file rewritten after
 * {@code ALTER ROLE ... PASSWORD}, a wrong secret and its fix, and a credentials provider
 * whose passwords expire ({@code VALID UNTIL}). No secret may reach the output, the
 * health details or the settings.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolCredentialsIntegrationTests {

	private static final String ROLE = "app";

	private static final Duration AWAIT = Duration.ofSeconds(30);

	private static final Duration VALIDITY = Duration.ofSeconds(2);

	@TempDir
	Path folder;

	@Test
	void aRotatedPasswordFileFailsNoRequestAndOpensNewConnectionsWithTheNewPassword(CapturedOutput output)
			throws Exception {
		String first = secret();
		String second = secret();
		try (PostgresServer server = PostgresServer.configure().password("pw").start()) {
			Path file = roleWithPasswordFile(server, first);
			withPasswordFile(server, file).run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				PhysicalConnectionSource source = sourceOf(pool);
				Load load = new Load(pool);
				try {
					load.start();
					await().atMost(AWAIT).until(() -> load.succeeded.get() > 50);
					long openedBefore = source.getOpened();
					List<Long> oldSessions = sessions(server);
					execute(server, "ALTER ROLE " + ROLE + " PASSWORD '" + second + "'");
					// As a Kubernetes secret mount does: a new file swapped in.
					writeAtomically(file, second + "\n");
					long succeeded = load.succeeded.get();
					await().atMost(AWAIT).until(() -> load.succeeded.get() > succeeded + 50);
					// Connections opened with the old password are still there.
					assertThat(sessions(server)).containsAll(oldSessions);
					// New connections: the old ones retired (as max-lifetime would), and
					// more than the pool had.
					pool.getHikariPoolMXBean().softEvictConnections();
					holdAtOnce(pool, 4);
					assertThat(source.getOpened()).isGreaterThanOrEqualTo(openedBefore + 4);
					long after = load.succeeded.get();
					await().atMost(AWAIT).until(() -> load.succeeded.get() > after + 50);
				}
				finally {
					load.stop();
				}
				// Between the server's change and the file's, an attempt to open a
				// connection may fail (CI saw one); the requests, served by the open
				// connections, do not.
				assertThat(load.failed.get()).as("requests failed").isZero();
				assertThat(sessions(server)).as("sessions of the role").hasSizeGreaterThanOrEqualTo(4);
				assertNoSecretShown(context, output, first, second);
			});
		}
		assertThat(output).doesNotContain(first).doesNotContain(second);
	}

	@Test
	void aWrongSecretWarnsOnceKeepsServingGoesDownAfterTheGraceAndRecoversWhenFixed(CapturedOutput output)
			throws Exception {
		String first = secret();
		String second = secret();
		String wrong = secret();
		try (PostgresServer server = PostgresServer.configure().password("pw").start()) {
			Path file = roleWithPasswordFile(server, first);
			withPasswordFile(server, file).run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				PhysicalConnectionSource source = sourceOf(pool);
				DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
				selectOne(pool);
				await().atMost(AWAIT).until(() -> pool.getHikariPoolMXBean().getTotalConnections() == 2);
				execute(server, "ALTER ROLE " + ROLE + " PASSWORD '" + second + "'");
				writeAtomically(file, wrong + "\n");
				// A third connection needs a new one, which the server refuses.
				List<Connection> held = new ArrayList<>();
				try {
					held.add(pool.getConnection());
					held.add(pool.getConnection());
					assertThatExceptionOfType(SQLException.class).isThrownBy(pool::getConnection)
						.satisfies((ex) -> assertThat(describe(ex)).doesNotContain(wrong)
							.doesNotContain(second)
							.doesNotContain(first));
				}
				finally {
					for (Connection connection : held) {
						connection.close();
					}
				}
				assertThat(source.getFailed()).isPositive();
				assertThat(source.getLastFailure()).contains("28P01")
					.contains("the password from app.db.pool.password-file (" + file + ") was refused");
				// The connections it has still serve.
				for (int i = 0; i < 20; i++) {
					selectOne(pool);
				}
				await().atMost(AWAIT)
					.untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.DOWN));
				Health down = health.health();
				assertThat((String) down.getDetails().get("reason"))
					.startsWith("attempts to open a connection have failed for");
				assertNoSecretShown(context, output, first, second, wrong);
				writeAtomically(file, second + "\n");
				holdAtOnce(pool, 3);
				await().atMost(AWAIT).untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.UP));
				assertThat(source.getFailedInARow()).isZero();
			});
		}
		assertThat(output.toString().split("\n"))
			.filteredOn((line) -> line.contains("WARN")
					&& line.contains("db-pool: pool 'it-credentials-pool': opening a connection failed (28P01"))
			.singleElement()
			.satisfies((line) -> assertThat(line)
				.contains("the password from app.db.pool.password-file (" + file(this.folder) + ") was refused"));
		assertThat(output).doesNotContain(first).doesNotContain(second).doesNotContain(wrong);
	}

	@Test
	void aProviderOfExpiringPasswordsKeepsThePoolHealthyAcrossExpiries(CapturedOutput output) throws Exception {
		try (PostgresServer server = PostgresServer.configure().password("pw").start()) {
			execute(server, "CREATE ROLE " + ROLE + " LOGIN");
			ExpiringPasswords provider = new ExpiringPasswords(server, VALIDITY);
			DbPoolContexts.everyFeature()
				.withPropertyValues("spring.datasource.url=" + server.jdbcUrl("postgres"),
						"spring.datasource.username=" + ROLE, "spring.application.name=it-credentials",
						"app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off",
						"app.db.pool.monitor.server-enabled=false", "app.db.pool.min-connections=2",
						"app.db.pool.max-connections=4", "app.db.pool.acquire-timeout=5s")
				.withBean(HikariCredentialsProvider.class, () -> provider)
				.run((context) -> {
					HikariDataSource pool = context.getBean(HikariDataSource.class);
					PhysicalConnectionSource source = sourceOf(pool);
					DbPoolHealthIndicator health = context.getBean(DbPoolHealthIndicator.class);
					Load load = new Load(pool);
					try {
						load.start();
						await().atMost(AWAIT).until(() -> load.succeeded.get() > 20);
						for (int expiry = 0; expiry < 3; expiry++) {
							int issued = provider.issued.get();
							String last = provider.last();
							Thread.sleep(VALIDITY.plusSeconds(1).toMillis());
							if (provider.issued.get() == issued) {
								// Past its VALID UNTIL: the last password no longer logs
								// in, while the connections opened with it still serve.
								assertThatExceptionOfType(SQLException.class)
									.isThrownBy(() -> server.connect(ROLE, last).close())
									.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28P01"));
							}
							pool.getHikariPoolMXBean().softEvictConnections();
							holdAtOnce(pool, 3);
							assertThat(provider.issued.get()).isGreaterThan(issued);
							assertThat(health.health().getStatus()).isEqualTo(Status.UP);
						}
					}
					finally {
						load.stop();
					}
					assertThat(load.failed.get()).as("requests failed").isZero();
					assertThat(source.getFailed()).as("attempts to open a connection failed").isZero();
					assertThat(provider.issued.get()).isGreaterThanOrEqualTo(4);
					assertNoSecretShown(context, output, provider.all().toArray(String[]::new));
				});
			assertThat(output.toString()).satisfies((text) -> {
				for (String password : provider.all()) {
					assertThat(text).doesNotContain(password);
				}
			});
		}
	}

	@Test
	void aPasswordFileAndACredentialsProviderTogetherStopTheStartUp() throws Exception {
		Path file = writeAtomically(file(this.folder), "unused\n");
		DbPoolContexts.everyFeature()
			.withPropertyValues("app.db.pool.password-file=" + file, "app.db.pool.pooler.mode=none")
			.withBean(HikariCredentialsProvider.class, () -> () -> Credentials.of("app", "unused"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("app.db.pool.password-file")
				.hasMessageContaining("unset while the application has a HikariCredentialsProvider bean"));
	}

	@Test
	void aMissingPasswordFileFailsTheBorrowNamingThePropertyAndThePath() {
		Path file = this.folder.resolve("absent");
		DbPoolContexts.everyFeature()
			.withPropertyValues("app.db.pool.password-file=" + file, "app.db.pool.pooler.mode=none",
					"app.db.pool.budget.mode=off", "app.db.pool.acquire-timeout=1s")
			.run((context) -> assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> selectOne(context.getBean(HikariDataSource.class)))
				.satisfies((ex) -> assertThat(describe(ex)).contains("db-pool: cannot read the password file " + file
						+ " given by app.db.pool.password-file" + " (or DB_PASSWORD_FILE): NoSuchFileException")));
	}

	private Path roleWithPasswordFile(PostgresServer server, String password) throws Exception {
		execute(server, "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "'");
		return writeAtomically(file(this.folder), password + "\n");
	}

	private static PhysicalConnectionSource sourceOf(HikariDataSource pool) {
		PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
		assertThat(source).as("the pool's connection source").isNotNull();
		return source;
	}

	private ApplicationContextRunner withPasswordFile(PostgresServer server, Path file) {
		return DbPoolContexts.everyFeature()
			.withPropertyValues("spring.datasource.url=" + server.jdbcUrl("postgres"),
					"spring.datasource.username=" + ROLE, "spring.datasource.password=",
					"spring.application.name=it-credentials", "app.db.pool.password-file=" + file,
					"app.db.pool.pooler.mode=none", "app.db.pool.budget.mode=off", "app.db.pool.monitor.interval=1s",
					"app.db.pool.health.exhausted-grace=2s", "app.db.pool.min-connections=2",
					"app.db.pool.max-connections=4", "app.db.pool.acquire-timeout=2s");
	}

	private static void assertNoSecretShown(ConfigurableApplicationContext context, CapturedOutput output,
			String... secrets) {
		String settings = context.getBean(PoolSettings.class).toString()
				+ context.getBean(PoolSettings.class).summary();
		String details = context.getBean(DbPoolHealthIndicator.class).health().getDetails().toString();
		for (String secret : secrets) {
			assertThat(settings).doesNotContain(secret);
			assertThat(details).doesNotContain(secret);
			assertThat(output.toString()).doesNotContain(secret);
		}
	}

	private static String describe(Throwable ex) {
		StringBuilder text = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			text.append(cause).append('\n');
		}
		return text.toString();
	}

	private static Path file(Path folder) {
		return folder.resolve("password");
	}

	private static String secret() {
		return "s3cret-" + UUID.randomUUID().toString().replace("-", "");
	}

	private static Path writeAtomically(Path file, String content) throws IOException {
		Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content);
		return Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	// Borrows that many connections at once, so that the pool opens what it lacks.
	private static void holdAtOnce(HikariDataSource pool, int count) throws SQLException {
		List<Connection> held = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				Connection connection = pool.getConnection();
				held.add(connection);
				try (Statement statement = connection.createStatement()) {
					statement.execute("SELECT 1");
				}
			}
		}
		finally {
			for (Connection connection : held) {
				connection.close();
			}
		}
	}

	private static void selectOne(HikariDataSource pool) throws SQLException {
		try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("SELECT 1");
		}
	}

	private static void execute(PostgresServer server, String sql) throws SQLException {
		try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	// The server processes of the role's sessions.
	private static List<Long> sessions(PostgresServer server) throws SQLException {
		try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
			var result = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
			List<Long> pids = new ArrayList<>();
			while (result.next()) {
				pids.add(result.getLong(1));
			}
			return pids;
		}
	}

	/**
	 * A provider of passwords valid for a short time, as an IAM token: each call sets a
	 * new password on the role, valid until a few seconds from now.
	 */
	static final class ExpiringPasswords implements HikariCredentialsProvider {

		private final PostgresServer server;

		private final Duration validity;

		private final List<String> passwords = new java.util.concurrent.CopyOnWriteArrayList<>();

		final AtomicInteger issued = new AtomicInteger();

		ExpiringPasswords(PostgresServer server, Duration validity) {
			this.server = server;
			this.validity = validity;
		}

		@Override
		public synchronized Credentials getCredentials() {
			String password = secret();
			try {
				execute(this.server, "ALTER ROLE " + ROLE + " PASSWORD '" + password + "' VALID UNTIL '"
						+ java.time.Instant.now().plus(this.validity) + "'");
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			this.passwords.add(password);
			this.issued.incrementAndGet();
			return Credentials.of(ROLE, password);
		}

		String last() {
			return this.passwords.get(this.passwords.size() - 1);
		}

		List<String> all() {
			return List.copyOf(this.passwords);
		}

	}

	/**
	 * A few threads running {@code SELECT 1} until stopped.
	 */
	private static final class Load {

		private static final int THREADS = 3;

		private final HikariDataSource pool;

		private final AtomicBoolean running = new AtomicBoolean(true);

		final AtomicLong succeeded = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		private final ExecutorService threads = Executors.newFixedThreadPool(THREADS, (task) -> {
			Thread thread = new Thread(task, "it-credentials-load");
			thread.setDaemon(true);
			return thread;
		});

		private final List<Future<?>> futures = new ArrayList<>();

		Load(HikariDataSource pool) {
			this.pool = pool;
		}

		void start() {
			for (int i = 0; i < THREADS; i++) {
				this.futures.add(this.threads.submit(this::run));
			}
		}

		void stop() throws Exception {
			this.running.set(false);
			for (Future<?> future : this.futures) {
				future.get(30, TimeUnit.SECONDS);
			}
			this.threads.shutdownNow();
		}

		private void run() {
			while (this.running.get()) {
				try {
					selectOne(this.pool);
					this.succeeded.incrementAndGet();
				}
				catch (SQLException ex) {
					this.failed.incrementAndGet();
				}
				try {
					Thread.sleep(10);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}

	}

}
