package dev.dbpool.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL server that one test fully controls: stop it, start it again on
 * the same port and data, restart it, promote it. Unlike the shared test server
 * ({@link TestDatabase}), which no test may restart.
 * <p>
 * It runs the installed server binaries ({@code pg_config --bindir}, or the folder
 * {@value #BIN_DIR_VARIABLE} names): {@code initdb} a data directory in a temporary
 * folder, started with {@code pg_ctl} on a free port of 127.0.0.1, its socket in that
 * folder, logging to {@link #log()}. As root, which {@code initdb} and {@code postgres}
 * refuse, it runs them as {@code nobody} through {@code setpriv}. The superuser is
 * {@code postgres}, with trust authentication unless {@link Builder#password a password}
 * is set (then scram-sha-256, for normal and replication connections alike).
 * {@link #close()} stops it and deletes its folder; a JVM shutdown hook does so at the
 * latest. Where the binaries cannot be found or run, it throws with instructions, so a
 * test that needs one fails rather than skips.
 * <p>
 * {@link Builder#primaryWithStandbys(int)} starts a primary with streaming standbys.
 * {@code fsync} is off: these servers hold test data only, and a stopped or killed server
 * loses nothing of what it committed as long as the machine stays up.
 */
public final class PostgresServer implements AutoCloseable {

	/** The environment variable that names the folder of the server binaries. */
	public static final String BIN_DIR_VARIABLE = "DBPOOL_TEST_PG_BINDIR";

	/** The superuser. */
	public static final String SUPERUSER = "postgres";

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String HOW_TO_GET_ONE = """
			%s
			These tests start PostgreSQL servers of their own (initdb, pg_ctl, pg_basebackup). Get the binaries:
			  - install Debian's server package, as root: apt-get install -y postgresql-15
			  - or point the tests at the folder holding initdb and pg_ctl: %s=/usr/lib/postgresql/15/bin
			As root, the tests run them as 'nobody' with setpriv (util-linux), since PostgreSQL refuses root.""";

	/** How to stop a server ({@code pg_ctl stop -m}). */
	public enum Shutdown {

		/** Roll back open transactions, end the sessions, checkpoint. */
		FAST,

		/** Quit at once; the next start recovers from the WAL, as after a crash. */
		IMMEDIATE

	}

	private final Path bin;

	private final Path folder;

	private final Path data;

	private final int port;

	private final String password;

	private final Thread shutdownHook;

	private PostgresServer(Path bin, Path folder, int port, String password) {
		this.bin = bin;
		this.folder = folder;
		this.data = folder.resolve("data");
		this.port = port;
		this.password = password;
		this.shutdownHook = new Thread(this::stopAndDelete, "postgres-" + port + "-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}

	/**
	 * Start a server with trust authentication and PostgreSQL's defaults.
	 * @return the server, accepting connections
	 */
	public static PostgresServer start() {
		return configure().start();
	}

	/**
	 * Configure a server to start.
	 * @return the configuration
	 */
	public static Builder configure() {
		return new Builder();
	}

	/**
	 * Start a primary with streaming standbys, trust authentication.
	 * @param standbys how many standbys
	 * @return the primary and its standbys, all running
	 */
	public static Replicated primaryWithStandbys(int standbys) {
		return configure().primaryWithStandbys(standbys);
	}

	/**
	 * Return the port the server listens on, on 127.0.0.1 (the same after a restart).
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the superuser's password.
	 * @return the password, empty with trust authentication
	 */
	public String password() {
		return this.password;
	}

	/**
	 * Return the JDBC URL of a database of this server.
	 * @param database the database, e.g. {@code postgres}
	 * @return the JDBC URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * Return {@code spring.datasource.*} properties pointing at a database of this server
	 * as the superuser.
	 * @param database the database
	 * @return the properties, as {@code name=value}
	 */
	public String[] dataSourceProperties(String database) {
		return new String[] { "spring.datasource.url=" + jdbcUrl(database), "spring.datasource.username=" + SUPERUSER,
				"spring.datasource.password=" + this.password };
	}

	/**
	 * Open a connection to database {@code postgres} as the superuser.
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	public Connection connect() throws SQLException {
		return connect(SUPERUSER, this.password);
	}

	/**
	 * Run one statement on database {@code postgres} as the superuser.
	 * @param sql the statement
	 * @throws SQLException if it fails
	 */
	public void execute(String sql) throws SQLException {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * Open a connection to database {@code postgres}.
	 * @param user the user
	 * @param password its password
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	public Connection connect(String user, String password) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		properties.setProperty("password", password);
		properties.setProperty("connectTimeout", "10");
		return DriverManager.getConnection(jdbcUrl("postgres"), properties);
	}

	/**
	 * Start the server again, on the same port and data, and wait until it accepts
	 * connections.
	 * @return this
	 */
	public PostgresServer startAgain() {
		ctl("start", "-l", logFile().toString(), "-w", "-t", seconds());
		return this;
	}

	/**
	 * Stop the server and wait until it has.
	 * @param shutdown how
	 * @return this
	 */
	public PostgresServer stop(Shutdown shutdown) {
		ctl("stop", "-m", shutdown.name().toLowerCase(), "-w", "-t", seconds());
		return this;
	}

	/**
	 * Restart the server with a fast shutdown, and wait until it accepts connections.
	 * @return this
	 */
	public PostgresServer restart() {
		ctl("restart", "-m", "fast", "-l", logFile().toString(), "-w", "-t", seconds());
		return this;
	}

	/**
	 * Promote this standby to a primary, and wait until it is one.
	 * @return this
	 */
	public PostgresServer promote() {
		ctl("promote", "-w", "-t", seconds());
		return this;
	}

	/**
	 * Return whether the server runs ({@code pg_ctl status}).
	 * @return whether it runs
	 */
	public boolean isRunning() {
		return Files.isDirectory(this.data)
				&& run(List.of(tool("pg_ctl"), "status", "-D", this.data.toString()), Map.of(), false) == 0;
	}

	/**
	 * Return the folder holding the data directory, the socket and the log.
	 * @return the folder
	 */
	public Path folder() {
		return this.folder;
	}

	/**
	 * Return what the server logged so far.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.readString(logFile());
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private Path logFile() {
		return this.folder.resolve("postgres.log");
	}

	@Override
	public void close() {
		stopAndDelete();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is exiting: the hook stops it.
		}
	}

	private void stopAndDelete() {
		if (isRunning()) {
			ProcessHandle postmaster = postmaster();
			run(List.of(tool("pg_ctl"), "stop", "-D", this.data.toString(), "-m", "immediate", "-w", "-t", seconds()),
					Map.of(), false);
			// pg_ctl returns once the pid file is gone, a moment before the process.
			if (postmaster != null) {
				long deadline = System.nanoTime() + TIMEOUT.toNanos();
				while (!exited(postmaster.pid()) && System.nanoTime() - deadline < 0) {
					LocalProcesses.sleep(10);
				}
			}
		}
		LocalProcesses.deleteDirectory(this.folder);
	}

	/**
	 * Return whether a process has ended. A zombie has: the postmaster's parent is the
	 * init process once pg_ctl has exited, which may take seconds to reap it.
	 * @param pid the process id
	 * @return whether it ended
	 */
	static boolean exited(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
			return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
		}
		catch (IOException ex) {
			return ProcessHandle.of(pid).map((process) -> !process.isAlive()).orElse(true);
		}
	}

	private ProcessHandle postmaster() {
		try {
			long pid = Long.parseLong(Files.readAllLines(this.data.resolve("postmaster.pid")).get(0).trim());
			return ProcessHandle.of(pid).orElse(null);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private void ctl(String action, String... options) {
		List<String> command = new ArrayList<>(List.of(tool("pg_ctl"), action, "-D", this.data.toString()));
		command.addAll(List.of(options));
		if (run(command, Map.of(), true) != 0) {
			throw new IllegalStateException("pg_ctl " + action + " failed for " + this + "; its log:\n" + log());
		}
	}

	private String tool(String name) {
		return this.bin.resolve(name).toString();
	}

	/**
	 * Run a binary (as nobody when root) in the server's folder and wait for it.
	 * @param command the command
	 * @param environment environment variables to add
	 * @param failLoudly whether to put the output into the exception of a non-zero exit
	 * @return the exit code
	 */
	private int run(List<String> command, Map<String, String> environment, boolean failLoudly) {
		return Binaries.run(this.folder, command, environment, failLoudly);
	}

	private static String seconds() {
		return String.valueOf(TIMEOUT.toSeconds());
	}

	@Override
	public String toString() {
		return "PostgreSQL on 127.0.0.1:" + this.port + " (" + this.folder + ")";
	}

	/**
	 * A primary and its streaming standbys, closed together.
	 */
	public static final class Replicated implements AutoCloseable {

		private final PostgresServer primary;

		private final List<PostgresServer> standbys;

		private Replicated(PostgresServer primary, List<PostgresServer> standbys) {
			this.primary = primary;
			this.standbys = standbys;
		}

		/**
		 * Return the primary the standbys were made from.
		 * @return the primary
		 */
		public PostgresServer primary() {
			return this.primary;
		}

		/**
		 * Return a standby.
		 * @param index its index, from 0
		 * @return the standby
		 */
		public PostgresServer standby(int index) {
			return this.standbys.get(index);
		}

		/**
		 * Return the standbys.
		 * @return the standbys
		 */
		public List<PostgresServer> standbys() {
			return this.standbys;
		}

		/**
		 * Wait until a standby has replayed the primary's WAL up to its current position.
		 * @param standby the standby
		 * @param timeout how long to wait at most
		 * @throws SQLException if either cannot be queried
		 */
		public void awaitReplayed(PostgresServer standby, Duration timeout) throws SQLException {
			String lsn;
			try (Connection connection = this.primary.connect();
					Statement statement = connection.createStatement();
					ResultSet result = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
				result.next();
				lsn = result.getString(1);
			}
			long deadline = System.nanoTime() + timeout.toNanos();
			try (Connection connection = standby.connect();
					PreparedStatement statement = connection
						.prepareStatement("SELECT coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, false)")) {
				statement.setString(1, lsn);
				while (true) {
					try (ResultSet result = statement.executeQuery()) {
						result.next();
						if (result.getBoolean(1)) {
							return;
						}
					}
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException(standby + " did not replay up to " + lsn + " within " + timeout
								+ "; its log:\n" + standby.log());
					}
					LocalProcesses.sleep(20);
				}
			}
		}

		@Override
		public void close() {
			this.standbys.forEach(PostgresServer::close);
			this.primary.close();
		}

	}

	/**
	 * How to start a server: its authentication and any other settings.
	 */
	public static final class Builder {

		private final Map<String, String> settings = new LinkedHashMap<>();

		private String password = "";

		private Builder() {
			this.settings.put("fsync", "off");
		}

		/**
		 * Give the superuser a password and ask for it (scram-sha-256) on every
		 * connection, replication too.
		 * @param password the password
		 * @return this
		 */
		public Builder password(String password) {
			this.password = password;
			return this;
		}

		/**
		 * Set a server setting ({@code postgresql.conf}), e.g. {@code max_connections}.
		 * @param name the setting
		 * @param value its value
		 * @return this
		 */
		public Builder set(String name, Object value) {
			this.settings.put(name, String.valueOf(value));
			return this;
		}

		/**
		 * Create a server's data directory and start it.
		 * @return the server, accepting connections
		 */
		public PostgresServer start() {
			Path bin = Binaries.bin();
			PostgresServer server = create(bin);
			try {
				Path pwfile = server.folder.resolve("pwfile");
				Files.writeString(pwfile, this.password.isEmpty() ? "unused" : this.password);
				Binaries.own(pwfile);
				List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D",
						server.data.toString(), "-U", SUPERUSER, "-E", "UTF8", "--no-sync", "-A", "trust"));
				if (!this.password.isEmpty()) {
					initdb.add("--pwfile=" + pwfile);
				}
				server.run(initdb, Map.of(), true);
				Files.delete(pwfile);
				configure(server);
				return server.startAgain();
			}
			catch (IOException | RuntimeException ex) {
				server.close();
				throw new IllegalStateException(HOW_TO_GET_ONE.formatted(
						"Could not start a PostgreSQL server (" + bin + "): " + ex.getMessage(), BIN_DIR_VARIABLE), ex);
			}
		}

		/**
		 * Start a primary (set up for replication) and streaming standbys made from it
		 * with {@code pg_basebackup}, each on a port of its own.
		 * @param count how many standbys
		 * @return the primary and its standbys, all running
		 */
		public Replicated primaryWithStandbys(int count) {
			set("wal_level", "replica");
			set("max_wal_senders", 2 * count + 4);
			set("wal_keep_size", "64MB");
			set("hot_standby", "on");
			PostgresServer primary = start();
			List<PostgresServer> standbys = new ArrayList<>();
			try {
				for (int i = 0; i < count; i++) {
					standbys.add(standby(primary));
				}
				return new Replicated(primary, List.copyOf(standbys));
			}
			catch (RuntimeException ex) {
				standbys.forEach(PostgresServer::close);
				primary.close();
				throw ex;
			}
		}

		private PostgresServer standby(PostgresServer primary) {
			PostgresServer standby = create(primary.bin);
			try {
				standby.run(List.of(primary.tool("pg_basebackup"), "-D", standby.data.toString(), "-R", "-X", "stream",
						"-c", "fast", "--no-sync", "-h", "127.0.0.1", "-p", String.valueOf(primary.port), "-U",
						SUPERUSER), Map.of("PGPASSWORD", this.password), true);
				// The copy has the primary's postgresql.conf: the settings appended last
				// win.
				configure(standby);
				return standby.startAgain();
			}
			catch (IOException | RuntimeException ex) {
				standby.close();
				throw new IllegalStateException("Could not make a standby of " + primary + ": " + ex.getMessage(), ex);
			}
		}

		private PostgresServer create(Path bin) {
			try {
				// Not java.io.tmpdir: nobody must reach the folder, and its socket path
				// must stay short.
				Path folder = Files.createTempDirectory(Path.of("/tmp"), "dbpool-pg-");
				Binaries.own(folder);
				return new PostgresServer(bin, folder, LocalProcesses.freePort(), this.password);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not create a folder for a PostgreSQL server", ex);
			}
		}

		private void configure(PostgresServer server) throws IOException {
			StringBuilder conf = new StringBuilder("\n# dev.dbpool.testsupport.PostgresServer\n");
			Map<String, String> all = new LinkedHashMap<>();
			all.put("listen_addresses", "'127.0.0.1'");
			all.put("port", String.valueOf(server.port));
			all.put("unix_socket_directories", "'" + server.folder + "'");
			this.settings.forEach((name, value) -> all.put(name, quoted(value)));
			all.forEach((name, value) -> conf.append(name).append(" = ").append(value).append('\n'));
			Files.writeString(server.data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
					StandardOpenOption.APPEND);
			String method = this.password.isEmpty() ? "trust" : "scram-sha-256";
			Files
				.writeString(
						server.data.resolve("pg_hba.conf"), "local all all " + method + "\nhost all all 127.0.0.1/32 "
								+ method + "\nhost replication all 127.0.0.1/32 " + method + "\n",
						StandardCharsets.UTF_8);
		}

		private static String quoted(String value) {
			return value.matches("[A-Za-z0-9_.-]+") ? value : "'" + value.replace("'", "''") + "'";
		}

	}

	/**
	 * Finding and running the server binaries.
	 */
	private static final class Binaries {

		private static Path bin() {
			String configured = System.getenv(BIN_DIR_VARIABLE);
			if (configured != null && !configured.isBlank()) {
				return checked(Path.of(configured), BIN_DIR_VARIABLE);
			}
			try {
				Process process = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
				String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
				if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
					return checked(Path.of(output), "pg_config --bindir");
				}
			}
			catch (IOException ex) {
				// No pg_config on the path: try Debian's folders below.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			for (String version : List.of("17", "16", "15", "14")) {
				Path candidate = Path.of("/usr/lib/postgresql", version, "bin");
				if (Files.isExecutable(candidate.resolve("initdb"))) {
					return candidate;
				}
			}
			throw new IllegalStateException(HOW_TO_GET_ONE.formatted(
					"No PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)",
					BIN_DIR_VARIABLE));
		}

		private static Path checked(Path bin, String origin) {
			for (String tool : List.of("initdb", "pg_ctl", "pg_basebackup", "postgres")) {
				if (!Files.isExecutable(bin.resolve(tool))) {
					throw new IllegalStateException(HOW_TO_GET_ONE
						.formatted("No " + tool + " in " + bin + " (from " + origin + ")", BIN_DIR_VARIABLE));
				}
			}
			return bin;
		}

		private static void own(Path path) throws IOException {
			if (!LocalProcesses.ROOT) {
				return;
			}
			UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
			PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
			view.setOwner(users.lookupPrincipalByName("nobody"));
			GroupPrincipal group = users.lookupPrincipalByGroupName("nogroup");
			view.setGroup(group);
		}

		private static int run(Path folder, List<String> command, Map<String, String> environment, boolean failLoudly) {
			List<String> full = new ArrayList<>(LocalProcesses.asNobodyIfRoot());
			full.addAll(command);
			try {
				Path output = Files.createTempFile("dbpool-pg-command-", ".out");
				try {
					ProcessBuilder builder = new ProcessBuilder(full).directory(folder.toFile())
						.redirectErrorStream(true)
						.redirectOutput(output.toFile());
					builder.environment().putAll(environment);
					Process process = builder.start();
					if (!process.waitFor(TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
						process.destroyForcibly();
						throw new IllegalStateException(String.join(" ", command) + " did not end within "
								+ (TIMEOUT.toSeconds() + 30) + "s: " + Files.readString(output));
					}
					if (process.exitValue() != 0 && failLoudly) {
						throw new IllegalStateException(String.join(" ", full) + " exited with " + process.exitValue()
								+ ": " + Files.readString(output));
					}
					return process.exitValue();
				}
				finally {
					Files.deleteIfExists(output);
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(HOW_TO_GET_ONE.formatted(
						"Could not run " + String.join(" ", full) + ": " + ex.getMessage(), BIN_DIR_VARIABLE), ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

}
