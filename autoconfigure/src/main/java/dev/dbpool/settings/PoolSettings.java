package dev.dbpool.settings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;

import com.zaxxer.hikari.HikariConfig;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * The pool's effective settings, after profile, defaults, aliases and overrides are
 * resolved and validated; applied once, to a {@link HikariConfig}, before the pool
 * starts.
 *
 * @param profile the profile applied, or {@code null}
 * @param poolName HikariCP {@code poolName}
 * @param maxConnections HikariCP {@code maximumPoolSize}
 * @param minConnections HikariCP {@code minimumIdle}
 * @param acquireTimeout HikariCP {@code connectionTimeout}
 * @param idleTimeout HikariCP {@code idleTimeout}
 * @param maxLifetime HikariCP {@code maxLifetime}
 * @param keepaliveTime HikariCP {@code keepaliveTime}
 * @param validationTimeout HikariCP {@code validationTimeout}
 * @param leakDetectionThreshold HikariCP {@code leakDetectionThreshold}
 * @param connectTimeout driver {@code connectTimeout} and {@code loginTimeout}, whole
 * seconds
 * @param socketTimeout driver {@code socketTimeout}, whole seconds, already derived; 0
 * for none
 * @param statementTimeout server {@code statement_timeout}; 0 for none
 * @param idleInTransactionTimeout server {@code idle_in_transaction_session_timeout}; 0
 * for none
 * @param lockTimeout server {@code lock_timeout}, or {@code null} to leave the server's
 * @param statementCacheSize driver {@code preparedStatementCacheQueries}
 * @param applicationName server {@code application_name}
 * @author db-pool
 * @since 0.1.0
 */
public record PoolSettings(@Nullable PoolProfile profile, String poolName, int maxConnections, int minConnections,
		Duration acquireTimeout, Duration idleTimeout, Duration maxLifetime, Duration keepaliveTime,
		Duration validationTimeout, Duration leakDetectionThreshold, Duration connectTimeout, Duration socketTimeout,
		Duration statementTimeout, Duration idleInTransactionTimeout, @Nullable Duration lockTimeout,
		int statementCacheSize, String applicationName) {

	/** How much longer than the statement timeout a derived socket timeout is. */
	public static final Duration SOCKET_TIMEOUT_MARGIN = Duration.ofSeconds(5);

	/**
	 * Apply the HikariCP settings.
	 * @param config the pool's configuration, not yet started
	 */
	public void applyTo(HikariConfig config) {
		config.setPoolName(this.poolName);
		config.setMaximumPoolSize(this.maxConnections);
		config.setMinimumIdle(this.minConnections);
		config.setConnectionTimeout(this.acquireTimeout.toMillis());
		config.setIdleTimeout(this.idleTimeout.toMillis());
		config.setMaxLifetime(this.maxLifetime.toMillis());
		config.setKeepaliveTime(this.keepaliveTime.toMillis());
		config.setValidationTimeout(this.validationTimeout.toMillis());
		config.setLeakDetectionThreshold(this.leakDetectionThreshold.toMillis());
	}

	/**
	 * Apply the PostgreSQL driver settings and the server settings sent in the start-up
	 * packet. Other driver properties and start-up options already configured are kept;
	 * if the JDBC URL carries an {@code options} parameter, it is moved into the driver
	 * properties (a URL parameter would override them), merged with db-pool's.
	 * @param config the pool's configuration, with its JDBC URL set
	 */
	public void applyPostgresSettingsTo(HikariConfig config) {
		Properties driver = config.getDataSourceProperties();
		String seconds = String.valueOf(this.connectTimeout.toSeconds());
		driver.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), seconds);
		driver.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), seconds);
		driver.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), String.valueOf(this.socketTimeout.toSeconds()));
		driver.setProperty(PGProperty.APPLICATION_NAME.getName(), this.applicationName);
		driver.setProperty(PGProperty.PREPARED_STATEMENT_CACHE_QUERIES.getName(),
				String.valueOf(this.statementCacheSize));
		String existing = driver.getProperty(PostgresStartupOptions.PROPERTY);
		String url = config.getJdbcUrl();
		Properties urlParameters = org.postgresql.Driver.parseURL(url, null);
		if (urlParameters != null && urlParameters.getProperty(PostgresStartupOptions.PROPERTY) != null) {
			existing = urlParameters.getProperty(PostgresStartupOptions.PROPERTY);
			config.setJdbcUrl(JdbcUrls.withoutParameter(url, PostgresStartupOptions.PROPERTY));
		}
		driver.setProperty(PostgresStartupOptions.PROPERTY, PostgresStartupOptions.merge(existing, serverSettings()));
	}

	/**
	 * Return the server settings sent in each connection's start-up, by server name, in
	 * milliseconds.
	 * @return the settings
	 */
	public Map<String, String> serverSettings() {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("statement_timeout", String.valueOf(this.statementTimeout.toMillis()));
		settings.put("idle_in_transaction_session_timeout", String.valueOf(this.idleInTransactionTimeout.toMillis()));
		if (this.lockTimeout != null) {
			settings.put("lock_timeout", String.valueOf(this.lockTimeout.toMillis()));
		}
		return settings;
	}

	/**
	 * Describe the settings in one line for the start-up log.
	 * @return the description
	 */
	public String summary() {
		StringJoiner joiner = new StringJoiner(", ");
		if (this.profile != null) {
			joiner.add("profile " + this.profile.externalName());
		}
		joiner.add("max-connections " + this.maxConnections)
			.add("min-connections " + this.minConnections)
			.add("acquire-timeout " + format(this.acquireTimeout))
			.add("idle-timeout " + format(this.idleTimeout))
			.add("max-lifetime " + format(this.maxLifetime))
			.add("keepalive-time " + format(this.keepaliveTime))
			.add("validation-timeout " + format(this.validationTimeout))
			.add("leak-detection-threshold " + format(this.leakDetectionThreshold))
			.add("connect-timeout " + format(this.connectTimeout))
			.add("socket-timeout " + format(this.socketTimeout))
			.add("statement-timeout " + format(this.statementTimeout))
			.add("idle-in-transaction-timeout " + format(this.idleInTransactionTimeout))
			.add("lock-timeout " + ((this.lockTimeout != null) ? format(this.lockTimeout) : "server default"))
			.add("statement-cache-size " + this.statementCacheSize)
			.add("application-name '" + this.applicationName + "'");
		return joiner.toString();
	}

	/**
	 * Format a duration the way users write it: {@code 30s}, {@code 10m}, {@code 250ms}.
	 * @param duration the duration
	 * @return the short form
	 */
	public static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis == 0) {
			return "0";
		}
		if (millis % 3_600_000 == 0) {
			return millis / 3_600_000 + "h";
		}
		if (millis % 60_000 == 0) {
			return millis / 60_000 + "m";
		}
		if (millis % 1000 == 0) {
			return millis / 1000 + "s";
		}
		return millis + "ms";
	}

}
