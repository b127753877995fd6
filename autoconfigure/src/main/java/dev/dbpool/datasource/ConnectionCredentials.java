package dev.dbpool.datasource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.env.EnvironmentAlias;
import org.jspecify.annotations.Nullable;

/**
 * Where the credentials of each new physical connection come from when they may change
 * while the pool runs: a file holding the password (a mounted secret), or an
 * application's {@link HikariCredentialsProvider} (a token). Asked for every connection
 * the pool or a guard opens; never shows the password.
 *
 * @author db-pool
 */
abstract sealed class ConnectionCredentials {

	/**
	 * SQLState of a connection that could not be tried because its credentials could not
	 * be had: PostgreSQL's "configuration file error", never retried, and not a refusal
	 * by the server.
	 */
	static final String UNAVAILABLE = "F0000";

	/**
	 * Return the credentials to open the next connection with.
	 * @param username the username the pool was configured with, or {@code null}
	 * @return the credentials; the username is the configured one where the source gives
	 * none
	 * @throws SQLException if they cannot be had
	 */
	abstract Credentials next(@Nullable String username) throws SQLException;

	/**
	 * Open a connection with the credentials as they are now; a refusal by the server
	 * (SQLState class {@code 28}) says where the password came from.
	 * @param driver opens physical connections
	 * @param username the username the pool was configured with, or {@code null}
	 * @return the connection
	 * @throws SQLException if the credentials cannot be had or the connection cannot be
	 * opened
	 */
	Connection connect(DataSource driver, @Nullable String username) throws SQLException {
		Credentials next = next(username);
		try {
			return driver.getConnection(next.getUsername(), next.getPassword());
		}
		catch (SQLException ex) {
			if (isRefusal(ex)) {
				throw new SQLException("db-pool: " + describe() + " was refused: " + ex.getMessage(), ex.getSQLState(),
						ex);
			}
			throw ex;
		}
	}

	/**
	 * Whether the server refused the credentials: SQLState class {@code 28}.
	 * @param ex the failure
	 * @return whether it is a refusal
	 */
	static boolean isRefusal(SQLException ex) {
		String state = ex.getSQLState();
		return state != null && state.startsWith("28");
	}

	/**
	 * Say where the password comes from, for messages, e.g. {@code the password from
	 * app.db.pool.password-file (/run/secrets/db)}.
	 * @return the description, without the password
	 */
	abstract String describe();

	static ConnectionCredentials file(ConfiguredValue where) {
		return new PasswordFile(where);
	}

	static ConnectionCredentials provider(HikariCredentialsProvider provider) {
		return new Provider(provider);
	}

	private static String orDefault(@Nullable String username) {
		// pgjdbc's own default, which HikariCP leaves to it when no username is set.
		return (username != null) ? username : Objects.requireNonNullElse(System.getProperty("user.name"), "");
	}

	/**
	 * A file holding the password, read again when it changed.
	 */
	static final class PasswordFile extends ConnectionCredentials {

		private final ConfiguredValue where;

		private final Path path;

		private @Nullable Read last;

		PasswordFile(ConfiguredValue where) {
			this.where = where;
			this.path = Path.of(where.value());
		}

		@Override
		Credentials next(@Nullable String username) throws SQLException {
			return Credentials.of(orDefault(username), password());
		}

		// A stat per connection opened; read again only when the file's identity,
		// modification time or size changed (a Kubernetes secret mount swaps a symlink,
		// which changes all of them).
		synchronized String password() throws SQLException {
			try {
				BasicFileAttributes attributes = Files.readAttributes(this.path, BasicFileAttributes.class);
				Read last = this.last;
				if (last != null && last.sameFile(attributes)) {
					return last.password();
				}
				String password = stripLineEnd(Files.readString(this.path, StandardCharsets.UTF_8));
				if (password.isEmpty()) {
					throw new SQLException("db-pool: " + source() + " is empty", UNAVAILABLE);
				}
				this.last = new Read(attributes.fileKey(), attributes.lastModifiedTime().toMillis(), attributes.size(),
						password);
				return password;
			}
			catch (IOException | RuntimeException ex) {
				// The exception's name and the path only: never a line of the file.
				throw new SQLException("db-pool: cannot read " + source() + ": " + ex.getClass().getSimpleName(),
						UNAVAILABLE);
			}
		}

		// Where it was given, and the other name it may be given under.
		private String source() {
			String name = this.where.name();
			String setting = this.where.setting();
			String other = !name.equals(setting) ? setting
					: EnvironmentAlias.ALL.stream()
						.filter((alias) -> alias.property().equals(setting))
						.map(EnvironmentAlias::variable)
						.findFirst()
						.orElse(null);
			return "the password file " + this.path + " given by " + name
					+ ((other != null) ? " (or " + other + ")" : "");
		}

		private static String stripLineEnd(String content) {
			int end = content.length();
			while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
				end--;
			}
			return content.substring(0, end);
		}

		@Override
		String describe() {
			return "the password from " + this.where.name() + " (" + this.path + ")";
		}

		private record Read(@Nullable Object fileKey, long modified, long size, String password) {

			boolean sameFile(BasicFileAttributes attributes) {
				return Objects.equals(this.fileKey, attributes.fileKey())
						&& this.modified == attributes.lastModifiedTime().toMillis() && this.size == attributes.size();
			}

			@Override
			public String toString() {
				return "Read[modified=" + this.modified + ", size=" + this.size + "]";
			}

		}

	}

	/**
	 * The application's provider, asked for every connection.
	 */
	static final class Provider extends ConnectionCredentials {

		private final HikariCredentialsProvider provider;

		Provider(HikariCredentialsProvider provider) {
			this.provider = provider;
		}

		@Override
		Credentials next(@Nullable String username) throws SQLException {
			Credentials credentials;
			try {
				credentials = this.provider.getCredentials();
			}
			catch (RuntimeException ex) {
				// Its type only: a provider's message may quote what it read.
				throw new SQLException("db-pool: the credentials provider " + this.provider.getClass().getName()
						+ " failed: " + ex.getClass().getName(), UNAVAILABLE);
			}
			if (credentials == null) {
				throw new SQLException(
						"db-pool: the credentials provider " + this.provider.getClass().getName() + " returned null",
						UNAVAILABLE);
			}
			String given = credentials.getUsername();
			return Credentials.of(orDefault((given != null) ? given : username), credentials.getPassword());
		}

		@Override
		String describe() {
			return "the password from the credentials provider " + this.provider.getClass().getName();
		}

	}

}
