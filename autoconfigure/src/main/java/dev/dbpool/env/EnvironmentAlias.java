package dev.dbpool.env;

import java.time.Duration;
import java.util.Locale;
import java.util.List;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;

/**
 * An environment variable name operators already use for a db-pool property, with its
 * unit.
 *
 * @param variable the environment variable, e.g. {@code DB_MAX_CONNECTIONS}
 * @param property the db-pool property it sets, e.g. {@code app.db.pool.max-connections}
 * @param unit how its value reads
 * @author db-pool
 * @since 0.1.0
 */
public record EnvironmentAlias(String variable, String property, Unit unit) {

	/** Every alias db-pool understands, grouped by property. */
	public static final List<EnvironmentAlias> ALL = List.of(
			new EnvironmentAlias("DB_MAX_CONNECTIONS", "app.db.pool.max-connections", Unit.COUNT),
			new EnvironmentAlias("DB_POOL_MAX", "app.db.pool.max-connections", Unit.COUNT),
			new EnvironmentAlias("DATABASE_POOL_MAX", "app.db.pool.max-connections", Unit.COUNT),
			new EnvironmentAlias("DB_MIN_CONNECTIONS", "app.db.pool.min-connections", Unit.COUNT),
			new EnvironmentAlias("DB_POOL_MIN", "app.db.pool.min-connections", Unit.COUNT),
			new EnvironmentAlias("DATABASE_POOL_MIN", "app.db.pool.min-connections", Unit.COUNT),
			new EnvironmentAlias("DB_POOL_INSTANCES", "app.db.pool.instances", Unit.COUNT),
			new EnvironmentAlias("DB_ACQUIRE_TIMEOUT_SECS", "app.db.pool.acquire-timeout", Unit.SECONDS),
			new EnvironmentAlias("DATABASE_POOL_ACQUIRE_TIMEOUT", "app.db.pool.acquire-timeout", Unit.MILLISECONDS),
			new EnvironmentAlias("DB_IDLE_TIMEOUT_SECS", "app.db.pool.idle-timeout", Unit.SECONDS),
			new EnvironmentAlias("DATABASE_POOL_IDLE_TIMEOUT", "app.db.pool.idle-timeout", Unit.MILLISECONDS),
			new EnvironmentAlias("DB_MAX_LIFETIME_SECS", "app.db.pool.max-lifetime", Unit.SECONDS),
			new EnvironmentAlias("DATABASE_STATEMENT_TIMEOUT", "app.db.pool.statement-timeout", Unit.MILLISECONDS),
			new EnvironmentAlias("DB_POOLER", "app.db.pool.pooler.mode", Unit.TEXT),
			new EnvironmentAlias("DB_POOL_SIZING", "app.db.pool.sizing", Unit.TEXT),
			new EnvironmentAlias("DB_PASSWORD_FILE", "app.db.pool.password-file", Unit.PATH),
			new EnvironmentAlias("DATABASE_REPLICA_URL", "app.db.pool.replicas.url", Unit.URL),
			new EnvironmentAlias("DB_MONITOR_INTERVAL_SECS", "app.db.pool.monitor.interval", Unit.SECONDS),
			new EnvironmentAlias("DB_SHUTDOWN_TIMEOUT_SECS", "app.db.pool.shutdown.timeout", Unit.SECONDS));

	/**
	 * Read the variable's value.
	 * @param raw the value as set in the environment
	 * @return the value as the property's type: an {@link Integer} or a {@link Duration};
	 * for {@link Unit#TEXT} the text, trimmed, which binding checks; for
	 * {@link Unit#PATH} the path and for {@link Unit#URL} the URL, trimmed
	 * @throws InvalidDbPoolConfigurationException if it is not a whole number
	 */
	public Object parse(String raw) {
		if (this.unit == Unit.TEXT) {
			return Unit.text(raw);
		}
		if (this.unit == Unit.PATH || this.unit == Unit.URL) {
			return raw.trim();
		}
		long number;
		try {
			number = Long.parseLong(raw.trim());
		}
		catch (NumberFormatException ex) {
			throw invalid(raw);
		}
		if (this.unit == Unit.COUNT && number != (int) number) {
			throw invalid(raw);
		}
		return switch (this.unit) {
			case COUNT -> (int) number;
			case SECONDS -> Duration.ofSeconds(number);
			case MILLISECONDS -> Duration.ofMillis(number);
			case TEXT, PATH, URL -> throw new IllegalStateException();
		};
	}

	private InvalidDbPoolConfigurationException invalid(String raw) {
		return InvalidDbPoolConfigurationException.invalid(
				new ConfiguredValue(this.property, this.variable, raw, "environment variable"), this.unit.description);
	}

	/**
	 * How an alias's value reads.
	 */
	public enum Unit {

		/** A whole number, e.g. of connections. */
		COUNT("a whole number, e.g. 20"),

		/** A whole number of seconds. */
		SECONDS("a whole number of seconds, e.g. 30"),

		/** A whole number of milliseconds. */
		MILLISECONDS("a whole number of milliseconds, e.g. 5000"),

		/** A name, e.g. of a mode, as the property takes it; binding checks it. */
		TEXT("one of the property's values, e.g. pgbouncer-transaction"),

		/** A file's path, as given. */
		PATH("a file's path, e.g. /var/run/secrets/db/password"),

		/**
		 * A database URL, JDBC or {@code postgres://}, as given; it may hold a password,
		 * so it is never shown.
		 * @since 0.7.0
		 */
		URL("a JDBC URL or postgres://user:password@host:port/database");

		private final String description;

		Unit(String description) {
			this.description = description;
		}

		// Two spellings of one name agree, as relaxed binding reads them.
		static String text(String raw) {
			return raw.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		}

		/**
		 * Describe the values allowed, for messages and documentation.
		 * @return the description
		 */
		public String description() {
			return this.description;
		}

	}

}
