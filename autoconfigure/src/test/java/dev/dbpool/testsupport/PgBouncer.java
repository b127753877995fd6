package dev.dbpool.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer in front of the test server, started for a test on a free loopback
 * port with a generated configuration in a temporary folder, and stopped (its folder
 * deleted) by {@link #close()} or, at the latest, when the JVM exits.
 * <p>
 * It runs Debian's {@code pgbouncer} (or the binary {@value #BINARY_VARIABLE} names). As
 * root it is started as {@code nobody} through {@code setpriv}, because PgBouncer refuses
 * to run as root. Clients log in as one of the users given, with trust authentication
 * unless an {@code auth_type} and {@link Builder#password passwords} are set (the test
 * server trusts PgBouncer in turn); {@code postgres} is always one, and an admin of the
 * console ({@link #adminConnection()}, which opens it as pgjdbc can: since 42.7.5 pgjdbc
 * sends {@code SET extra_float_digits} to it, which the console refuses with
 * {@code 08P01 SET failed}, pgbouncer#1509, except on a replication connection). Where
 * PgBouncer cannot be found or started, {@link #start} throws with instructions, so a
 * test that needs one fails rather than skips.
 */
public final class PgBouncer implements AutoCloseable {

	/** The environment variable that names the pgbouncer binary, if not on the path. */
	public static final String BINARY_VARIABLE = "DBPOOL_TEST_PGBOUNCER";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

	private static final String HOW_TO_GET_ONE = """
			%s
			The pooler tests need a real PgBouncer (1.18 or later). Get one in any of these ways:
			  - install Debian's package, as root: apt-get install -y pgbouncer   (.ci/run does this)
			  - point the tests at a binary: %s=/path/to/pgbouncer
			As root, the tests start it as 'nobody' with setpriv (util-linux), since PgBouncer refuses root.""";

	private final Path directory;

	private final Process process;

	private final int port;

	private final Thread shutdownHook;

	private PgBouncer(Path directory, Process process, int port) {
		this.directory = directory;
		this.process = process;
		this.port = port;
		this.shutdownHook = new Thread(this::stop, "pgbouncer-" + port + "-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}

	/**
	 * Start a PgBouncer in a pool mode with PgBouncer's defaults otherwise: no
	 * {@code ignore_startup_parameters}, which pgjdbc before 42.7.5 needed for
	 * {@code extra_float_digits}, so the tests show db-pool needs none.
	 * @param poolMode {@code session}, {@code transaction} or {@code statement}
	 * @return the PgBouncer, listening
	 */
	public static PgBouncer start(String poolMode) {
		return configure().poolMode(poolMode).start();
	}

	/**
	 * Configure a PgBouncer to start.
	 * @return the configuration, with the defaults of {@link #start(String)}
	 */
	public static Builder configure() {
		return new Builder();
	}

	/**
	 * Return the port PgBouncer listens on, on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the JDBC URL of the tests' database through PgBouncer.
	 * @return the JDBC URL
	 */
	public String jdbcUrl() {
		return jdbcUrl(TestDatabase.DATABASE);
	}

	/**
	 * Return the JDBC URL of a database through PgBouncer.
	 * @param database the database
	 * @return the JDBC URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * Open a connection to the tests' database through PgBouncer, with server-side
	 * prepared statements off (as in transaction mode they must be).
	 * @param user the user, one of those PgBouncer was given
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	public Connection connect(String user) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		properties.setProperty("prepareThreshold", "0");
		return DriverManager.getConnection(jdbcUrl(), properties);
	}

	/**
	 * Open a connection to PgBouncer's admin console (database {@code pgbouncer}), which
	 * speaks the simple query protocol only.
	 * @return the connection, as {@code postgres}
	 * @throws SQLException if it cannot be opened
	 */
	public Connection adminConnection() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", "postgres");
		properties.setProperty("preferQueryMode", "simple");
		// The console gives PgBouncer's version (1.18) as the server's, so pgjdbc
		// (42.7.5+) runs SET extra_float_digits after logging in, which the console
		// refuses ("SET
		// failed"; PgBouncer pull request 1550). pgjdbc runs no SET on a replication
		// connection, and the console takes one as any other.
		properties.setProperty("replication", "database");
		return DriverManager.getConnection(jdbcUrl("pgbouncer"), properties);
	}

	/**
	 * Return what PgBouncer logged so far.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.readString(this.directory.resolve("pgbouncer.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() {
		stop();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is exiting: the hook stops it.
		}
	}

	private void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		LocalProcesses.deleteDirectory(this.directory);
	}

	@Override
	public String toString() {
		return "PgBouncer on 127.0.0.1:" + this.port;
	}

	/**
	 * How to start a PgBouncer: its pool mode, pool sizes, users and any other setting of
	 * its {@code [pgbouncer]} section.
	 */
	public static final class Builder {

		private final Map<String, String> settings = new LinkedHashMap<>();

		private final Map<String, String> users = new LinkedHashMap<>(Map.of("postgres", ""));

		private final Set<String> statsUsers = new LinkedHashSet<>();

		private final List<String> databases = new ArrayList<>();

		private Builder() {
			this.settings.put("pool_mode", "session");
			this.settings.put("auth_type", "trust");
		}

		/**
		 * Set the pool mode.
		 * @param poolMode {@code session}, {@code transaction} or {@code statement}
		 * @return this
		 */
		public Builder poolMode(String poolMode) {
			return set("pool_mode", poolMode);
		}

		/**
		 * Set a setting of the {@code [pgbouncer]} section, e.g.
		 * {@code default_pool_size}; an empty value leaves PgBouncer's default.
		 * @param name the setting
		 * @param value its value
		 * @return this
		 */
		public Builder set(String name, Object value) {
			String text = String.valueOf(value);
			if (text.isEmpty()) {
				this.settings.remove(name);
			}
			else {
				this.settings.put(name, text);
			}
			return this;
		}

		/**
		 * Route only these entries of the {@code [databases]} section, e.g.
		 * {@code orders = host=127.0.0.1 port=5432}, instead of every database to the
		 * test server ({@code * = host=… port=…}).
		 * @param entries the entries, each as a line of the section
		 * @return this
		 */
		public Builder databases(String... entries) {
			this.databases.addAll(List.of(entries));
			return this;
		}

		/**
		 * Let more users log in (trust authentication; each must exist on the server).
		 * @param users the users
		 * @return this
		 */
		public Builder users(String... users) {
			for (String user : users) {
				this.users.putIfAbsent(user, "");
			}
			return this;
		}

		/**
		 * Give a user a password (plain text in PgBouncer's auth_file), for an
		 * {@code auth_type} that asks for one, e.g. {@code md5} or {@code scram-sha-256}
		 * ({@code .set("auth_type", "scram-sha-256")}); PgBouncer then still logs in to
		 * the test server as it trusts PgBouncer.
		 * @param user the user, which must exist on the server
		 * @param password its password
		 * @return this
		 */
		public Builder password(String user, String password) {
			this.users.put(user, password);
			return this;
		}

		/**
		 * Let more users log in, and read the admin console's {@code SHOW} commands
		 * ({@code stats_users}) without being its admins.
		 * @param users the users
		 * @return this
		 */
		public Builder statsUsers(String... users) {
			users(users);
			this.statsUsers.addAll(List.of(users));
			return this;
		}

		/**
		 * Start PgBouncer and wait until it accepts connections.
		 * @return the PgBouncer
		 */
		public PgBouncer start() {
			String binary = binary();
			TestDatabase database = TestDatabase.get();
			Path directory = null;
			try {
				directory = Files.createTempDirectory("dbpool-pgbouncer-");
				int port = LocalProcesses.freePort();
				Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
				Path users = write(directory.resolve("users.txt"), usersFile());
				Path config = write(directory.resolve("pgbouncer.ini"), config(database, port, users));
				List<String> command = new ArrayList<>(LocalProcesses.asNobodyIfRoot());
				command.addAll(List.of(binary, config.toString()));
				Path log = directory.resolve("pgbouncer.log");
				Process process = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(log.toFile())
					.start();
				PgBouncer pgBouncer = new PgBouncer(directory, process, port);
				awaitListening(pgBouncer);
				return pgBouncer;
			}
			catch (IOException ex) {
				if (directory != null) {
					LocalProcesses.deleteDirectory(directory);
				}
				throw new IllegalStateException(HOW_TO_GET_ONE
					.formatted("Could not start PgBouncer (" + binary + "): " + ex.getMessage(), BINARY_VARIABLE), ex);
			}
		}

		private String config(TestDatabase database, int port, Path users) {
			StringBuilder config = new StringBuilder();
			config.append("[databases]\n");
			if (this.databases.isEmpty()) {
				config.append("* = host=")
					.append(database.host())
					.append(" port=")
					.append(database.port())
					.append('\n');
			}
			this.databases.forEach((entry) -> config.append(entry).append('\n'));
			config.append("\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = ")
				.append(port)
				.append("\nunix_socket_dir =\nauth_file = ")
				.append(users)
				.append("\nadmin_users = postgres\n");
			if (!this.statsUsers.isEmpty()) {
				config.append("stats_users = ").append(String.join(", ", this.statsUsers)).append('\n');
			}
			this.settings.forEach((name, value) -> config.append(name).append(" = ").append(value).append('\n'));
			return config.toString();
		}

		private String usersFile() {
			StringBuilder file = new StringBuilder();
			this.users.forEach((user, password) -> file.append('"')
				.append(user)
				.append("\" \"")
				.append(password.replace("\"", "\"\""))
				.append("\"\n"));
			return file.toString();
		}

		private static Path write(Path file, String content) throws IOException {
			Files.writeString(file, content, StandardCharsets.UTF_8);
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
			return file;
		}

		private static String binary() {
			String configured = System.getenv(BINARY_VARIABLE);
			if (configured != null && !configured.isBlank()) {
				return configured;
			}
			for (String candidate : List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")) {
				if (Files.isExecutable(Path.of(candidate))) {
					return candidate;
				}
			}
			throw new IllegalStateException(HOW_TO_GET_ONE.formatted(
					"No pgbouncer binary found (looked in /usr/sbin, /usr/bin, /usr/local/bin)", BINARY_VARIABLE));
		}

		private static void awaitListening(PgBouncer pgBouncer) {
			long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline) {
				if (!pgBouncer.process.isAlive()) {
					String log = pgBouncer.log();
					pgBouncer.close();
					throw new IllegalStateException(HOW_TO_GET_ONE.formatted(
							"PgBouncer exited at start with " + pgBouncer.process.exitValue() + ":\n" + log,
							BINARY_VARIABLE));
				}
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), pgBouncer.port), 500);
					return;
				}
				catch (IOException ex) {
					LocalProcesses.sleep(50);
				}
			}
			String log = pgBouncer.log();
			pgBouncer.close();
			throw new UncheckedIOException(new IOException(
					"PgBouncer did not listen within " + START_TIMEOUT.toSeconds() + "s; its log:\n" + log));
		}

	}

}
