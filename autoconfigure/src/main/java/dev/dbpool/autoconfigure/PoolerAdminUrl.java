package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.Secrets;
import dev.dbpool.env.DatabaseUrl;
import dev.dbpool.pooler.PgBouncerConsole;
import dev.dbpool.settings.JdbcUrls;
import dev.dbpool.settings.PoolSettings;
import org.jspecify.annotations.Nullable;

/**
 * Checks {@value PoolSettings#ADMIN_URL} and turns it into the
 * {@link PoolSettings.AdminConsole}: a PostgreSQL URL, JDBC or
 * {@code postgres://user:password@host:port/pgbouncer}, whose database is PgBouncer's
 * console, with the credentials taken out of the URL so that it can be shown.
 *
 * @author db-pool
 */
final class PoolerAdminUrl {

	private static final String ALLOWED = "the URL of PgBouncer's admin console, whose database is "
			+ PgBouncerConsole.DATABASE + ", e.g. jdbc:postgresql://pgbouncer:6432/pgbouncer or "
			+ "postgres://user:password@pgbouncer:6432/pgbouncer";

	private static final String OTHERWISE = "or remove it not to read PgBouncer's console";

	private PoolerAdminUrl() {
	}

	/**
	 * Check the URL and resolve it.
	 * @param url the URL as bound, or {@code null} if not set
	 * @param where where it was given, its value already masked
	 * @param interval time between two reads of the console
	 * @return the console, or {@code null} if no URL is set
	 * @throws InvalidDbPoolConfigurationException if the URL is not one of PgBouncer's
	 * console; the message never holds the password
	 */
	static PoolSettings.@Nullable AdminConsole resolve(@Nullable String url, ConfiguredValue where, Duration interval) {
		if (url == null) {
			return null;
		}
		String trimmed = url.trim();
		String lower = trimmed.toLowerCase(Locale.ROOT);
		if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
			DatabaseUrl parsed = DatabaseUrl.parse(trimmed, where, OTHERWISE);
			checkDatabase(parsed.jdbcUrl(), where);
			return new PoolSettings.AdminConsole(parsed.jdbcUrl(), parsed.username(), parsed.password(), interval);
		}
		if (trimmed.isEmpty()) {
			throw invalid(where, "it is empty");
		}
		Properties parsed = JdbcUrls.isPostgresql(trimmed) ? org.postgresql.Driver.parseURL(trimmed, null) : null;
		if (parsed == null) {
			throw invalid(where, "it is not a PostgreSQL URL");
		}
		checkDatabase(trimmed, where);
		String withoutCredentials = JdbcUrls.withoutParameter(JdbcUrls.withoutParameter(trimmed, "user"), "password");
		return new PoolSettings.AdminConsole(withoutCredentials, parsed.getProperty("user"),
				parsed.getProperty("password"), interval);
	}

	/**
	 * Describe where the URL was given, its password masked.
	 * @param given where it was given, as found in the environment
	 * @return where it was given, safe to show
	 */
	static ConfiguredValue masked(ConfiguredValue given) {
		return new ConfiguredValue(given.setting(), given.name(), Secrets.maskUrl(given.value()), given.source());
	}

	private static void checkDatabase(String jdbcUrl, ConfiguredValue where) {
		Properties parsed = org.postgresql.Driver.parseURL(jdbcUrl, null);
		String database = (parsed != null) ? parsed.getProperty("PGDBNAME", "") : "";
		if (!PgBouncerConsole.DATABASE.equals(database)) {
			throw invalid(where, database.isEmpty() ? "it names no database" : "its database is '" + database
					+ "', not " + PgBouncerConsole.DATABASE + ", PgBouncer's admin console");
		}
	}

	private static InvalidDbPoolConfigurationException invalid(ConfiguredValue where, String problem) {
		return new InvalidDbPoolConfigurationException(
				"Invalid value for " + where.setting() + ": " + where.describe() + " cannot be used because " + problem
						+ ". Allowed: " + ALLOWED + ".",
				"Change " + where.name() + " to " + ALLOWED + ", " + OTHERWISE + ".");
	}

}
