package dev.dbpool.settings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.Secrets;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * The settings of the pool db-pool builds, resolved once: every effective value, after
 * profile, defaults, aliases, {@code spring.datasource.hikari.*}, URL parameters and the
 * connection budget, and where each came from. It is the one value that the pool's
 * assembly, its guards, the server-side view and the start-up summary read; it is also a
 * bean. It never holds the pool's URL or credentials; it holds those of PgBouncer's admin
 * console where {@value #ADMIN_URL} gives them, and never shows that password.
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
 * @param maxWaiting the most threads that may wait for a connection at once, or
 * {@code null} for no cap
 * @param sizing how the pool's size is chosen while it runs
 * @param fleet how many instances share the server, and what the budget does
 * @param retry how an attempt to open a connection is retried
 * @param startup where the URL and driver settings stand before db-pool adds its own
 * @param pooler what sits between the pool and the server, and how db-pool treats it
 * @param passwordFile where the file holding the password was given (its value is the
 * path, never the password), or {@code null} for the configured password
 * @param clamp what the connection budget lowered, or {@code null} if it lowered nothing
 * @param replica for the pool of a read replica, what makes it one; {@code null} for the
 * primary's pool
 * @param sources where each value came from, by setting, e.g.
 * {@code app.db.pool.max-connections}
 * @author db-pool
 * @since 0.1.0
 */
public record PoolSettings(@Nullable PoolProfile profile, String poolName, int maxConnections, int minConnections,
		Duration acquireTimeout, Duration idleTimeout, Duration maxLifetime, Duration keepaliveTime,
		Duration validationTimeout, Duration leakDetectionThreshold, Duration connectTimeout, Duration socketTimeout,
		Duration statementTimeout, Duration idleInTransactionTimeout, @Nullable Duration lockTimeout,
		int statementCacheSize, String applicationName, @Nullable Integer maxWaiting, PoolSizing sizing, Fleet fleet,
		RetryPolicy retry, Startup startup, Pooler pooler, @Nullable ConfiguredValue passwordFile,
		@Nullable Clamp clamp, @Nullable Replica replica, Map<String, ConfiguredValue> sources) {

	/** How much longer than the statement timeout a derived socket timeout is. */
	public static final Duration SOCKET_TIMEOUT_MARGIN = Duration.ofSeconds(5);

	private static final String PREFIX = "app.db.pool.";

	private static final String REPLICAS_PREFIX = PREFIX + "replicas.";

	/** Setting name of max-connections, as in {@link #sources()}. */
	public static final String MAX_CONNECTIONS = "app.db.pool.max-connections";

	/** Setting name of min-connections, as in {@link #sources()}. */
	public static final String MIN_CONNECTIONS = "app.db.pool.min-connections";

	/** Setting name of the pooler's mode, as in {@link #sources()}. */
	public static final String POOLER = "app.db.pool.pooler.mode";

	/** Setting name of the pooler's prepared statements switch. */
	public static final String PREPARED_STATEMENTS = "app.db.pool.pooler.prepared-statements";

	/** Setting name of the pooler's timeout check. */
	public static final String TIMEOUT_CHECK = "app.db.pool.pooler.timeout-check";

	/** Setting name of the URL of PgBouncer's admin console. */
	public static final String ADMIN_URL = "app.db.pool.pooler.admin-url";

	/** The driver property that sets when a statement is prepared on the server. */
	public static final String PREPARE_THRESHOLD = PGProperty.PREPARE_THRESHOLD.getName();

	/** Setting name of the file holding the password. */
	public static final String PASSWORD_FILE = "app.db.pool.password-file";

	/** Setting name of the sizing mode, as in {@link #sources()}. */
	public static final String SIZING = "app.db.pool.sizing";

	/**
	 * Where an adaptive pool's limit starts: db-pool's default max-connections, or
	 * max-connections where it is smaller.
	 */
	public static final int ADAPTIVE_START = 20;

	/**
	 * The lowest limit adaptive sizing goes down to, whatever min-connections: one thread
	 * holding a connection may still get a second.
	 */
	public static final int ADAPTIVE_FLOOR = 2;

	/** Setting name of instances, as in {@link #sources()}. */
	public static final String INSTANCES = "app.db.pool.instances";

	/**
	 * The settings a read replica's pool may set apart from the primary's, under
	 * {@code app.db.pool.replicas.*}; it has the primary's value of every other one.
	 * @since 0.7.0
	 */
	public static final Set<String> REPLICA_SETTINGS = Set.of(MAX_CONNECTIONS, MIN_CONNECTIONS,
			PREFIX + "acquire-timeout", PREFIX + "idle-timeout", PREFIX + "max-lifetime", PREFIX + "connect-timeout",
			PREFIX + "socket-timeout", PREFIX + "statement-timeout", PREFIX + "pool-name", PREFIX + "application-name");

	public PoolSettings {
		sources = Map.copyOf(sources);
	}

	/**
	 * Return where a setting's value came from.
	 * @param setting the setting, e.g. {@code app.db.pool.max-connections}
	 * @return the value as given, or as defaulted or derived
	 */
	public ConfiguredValue source(String setting) {
		ConfiguredValue source = this.sources.get(setting);
		return (source != null) ? source : ConfiguredValue.byDefault(setting, null);
	}

	/**
	 * Return the name of a pool setting as given for this pool: for a read replica's,
	 * under {@code app.db.pool.replicas.*}.
	 * @param setting the setting, e.g. {@link #MAX_CONNECTIONS}
	 * @return its name for this pool, e.g. {@code app.db.pool.replicas.max-connections}
	 * @since 0.7.0
	 */
	public String setting(String setting) {
		return (this.replica != null && REPLICA_SETTINGS.contains(setting)) ? setting.replace(PREFIX, REPLICAS_PREFIX)
				: setting;
	}

	/**
	 * Return these settings with the pool lowered to a smaller size, as the connection
	 * budget's clamp mode does: min-connections is lowered too where it would be above.
	 * @param max the new max-connections, below the current one
	 * @param why what lowered it, e.g. {@code app.db.pool.budget.mode clamp}
	 * @return the clamped settings
	 */
	public PoolSettings clampedTo(int max, String why) {
		int min = Math.min(this.minConnections, max);
		Map<String, ConfiguredValue> sources = new LinkedHashMap<>(this.sources);
		sources.put(setting(MAX_CONNECTIONS), derived(setting(MAX_CONNECTIONS), max, why));
		if (min != this.minConnections) {
			sources.put(setting(MIN_CONNECTIONS), derived(setting(MIN_CONNECTIONS), min, why));
		}
		return new PoolSettings(this.profile, this.poolName, max, min, this.acquireTimeout, this.idleTimeout,
				this.maxLifetime, this.keepaliveTime, this.validationTimeout, this.leakDetectionThreshold,
				this.connectTimeout, this.socketTimeout, this.statementTimeout, this.idleInTransactionTimeout,
				this.lockTimeout, this.statementCacheSize, this.applicationName, this.maxWaiting, this.sizing,
				this.fleet, this.retry, this.startup, this.pooler, this.passwordFile,
				new Clamp(this.maxConnections, this.minConnections, why), this.replica, sources);
	}

	/**
	 * Return these settings with the pooler's mode that {@code auto} found at start-up.
	 * @param mode the mode found
	 * @param how how it was found, for {@link #sources()}
	 * @return the settings
	 */
	public PoolSettings withPooler(PoolerMode mode, String how) {
		Map<String, ConfiguredValue> sources = new LinkedHashMap<>(this.sources);
		sources.put(POOLER, new ConfiguredValue(POOLER, POOLER, mode.externalName(), ConfiguredValue.DERIVED + how));
		return new PoolSettings(this.profile, this.poolName, this.maxConnections, this.minConnections,
				this.acquireTimeout, this.idleTimeout, this.maxLifetime, this.keepaliveTime, this.validationTimeout,
				this.leakDetectionThreshold, this.connectTimeout, this.socketTimeout, this.statementTimeout,
				this.idleInTransactionTimeout, this.lockTimeout, this.statementCacheSize, this.applicationName,
				this.maxWaiting, this.sizing, this.fleet, this.retry, this.startup,
				new Pooler(mode, this.pooler.preparedStatements(), this.pooler.timeoutCheck(), this.pooler.admin()),
				this.passwordFile, this.clamp, this.replica, sources);
	}

	/**
	 * Return the pool's size when it starts: max-connections, or for adaptive sizing
	 * {@value #ADAPTIVE_START} (or min-connections, if larger) where max-connections is
	 * larger.
	 * @return the size HikariCP starts with
	 * @since 0.8.0
	 */
	public int initialLimit() {
		return (this.sizing == PoolSizing.ADAPTIVE)
				? Math.min(this.maxConnections, Math.max(ADAPTIVE_START, this.minConnections)) : this.maxConnections;
	}

	/**
	 * Return the lowest limit adaptive sizing may set: min-connections, at least
	 * {@value #ADAPTIVE_FLOOR}, at most max-connections.
	 * @return the floor
	 * @since 0.8.0
	 */
	public int adaptiveFloor() {
		return Math.min(this.maxConnections, Math.max(this.minConnections, ADAPTIVE_FLOOR));
	}

	private static ConfiguredValue derived(String setting, int value, String why) {
		return new ConfiguredValue(setting, setting, String.valueOf(value), ConfiguredValue.DERIVED + "by " + why);
	}

	/**
	 * Apply the HikariCP settings.
	 * @param config the pool's configuration, not yet started
	 */
	public void applyTo(HikariConfig config) {
		config.setPoolName(this.poolName);
		config.setMaximumPoolSize(initialLimit());
		config.setMinimumIdle(this.minConnections);
		config.setConnectionTimeout(this.acquireTimeout.toMillis());
		config.setIdleTimeout(this.idleTimeout.toMillis());
		config.setMaxLifetime(this.maxLifetime.toMillis());
		config.setKeepaliveTime(this.keepaliveTime.toMillis());
		config.setValidationTimeout(this.validationTimeout.toMillis());
		config.setLeakDetectionThreshold(this.leakDetectionThreshold.toMillis());
	}

	/**
	 * Apply the PostgreSQL driver settings and, where the connection goes straight to the
	 * server, the server settings sent in the start-up packet. Other driver properties
	 * and start-up options already configured are kept; if the JDBC URL carries an
	 * {@code options} parameter, it is moved into the driver properties (a URL parameter
	 * would override them), merged with db-pool's. Behind a pooler, which refuses
	 * {@code options}, db-pool sends none of its own (see {@link #sessionSql()}); in
	 * transaction mode it also keeps prepared statements off the server
	 * ({@code prepareThreshold=0}) unless the pooler tracks them.
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
		if (this.pooler.mode().isPooler()) {
			// So that application_name travels in the start-up packet, where PgBouncer
			// tracks it per client, rather than in a SET that stays on a shared session.
			driver.putIfAbsent(PGProperty.ASSUME_MIN_SERVER_VERSION.getName(), "9.0");
			if (this.pooler.mode() == PoolerMode.PGBOUNCER_TRANSACTION && !this.pooler.preparedStatements()) {
				driver.setProperty(PREPARE_THRESHOLD, "0");
			}
			return;
		}
		if (this.startup.optionsInUrl()) {
			config.setJdbcUrl(JdbcUrls.withoutParameter(config.getJdbcUrl(), PostgresStartupOptions.PROPERTY));
		}
		driver.setProperty(PostgresStartupOptions.PROPERTY,
				PostgresStartupOptions.merge(this.startup.options(), serverSettings()));
	}

	/**
	 * Return the statement that applies the server settings to a connection when it
	 * opens, where they cannot travel in the start-up packet and a connection keeps its
	 * server session: behind a pooler in session mode. One statement, one round trip per
	 * connection opened, none per borrow.
	 * @return the statement, or {@code null} where the settings are applied otherwise
	 */
	public @Nullable String sessionSql() {
		if (this.pooler.mode() != PoolerMode.PGBOUNCER_SESSION) {
			return null;
		}
		StringJoiner select = new StringJoiner(", ", "SELECT ", "");
		serverSettings().forEach((name, value) -> select.add("set_config('" + name + "', '" + value + "', false)"));
		return select.toString();
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
	 * Describe the settings in one line for the start-up log, with what the connection
	 * budget lowered.
	 * @return the description
	 */
	public String summary() {
		StringJoiner joiner = new StringJoiner(", ");
		if (this.profile != null) {
			joiner.add("profile " + this.profile.externalName());
		}
		Clamp clamp = this.clamp;
		joiner.add("max-connections " + this.maxConnections
				+ ((clamp != null) ? " (lowered from " + clamp.maxConnections() + " by " + clamp.why() + ")" : ""));
		if (this.sizing == PoolSizing.ADAPTIVE) {
			joiner.add("sizing adaptive (from " + initialLimit() + ", between " + adaptiveFloor() + " and "
					+ this.maxConnections + ")");
		}
		joiner.add("min-connections " + this.minConnections
				+ ((clamp != null && clamp.minConnections() != this.minConnections)
						? " (lowered from " + clamp.minConnections() + ")" : ""));
		joiner.add("acquire-timeout " + Durations.format(this.acquireTimeout))
			.add("idle-timeout " + Durations.format(this.idleTimeout))
			.add("max-lifetime " + Durations.format(this.maxLifetime))
			.add("keepalive-time " + Durations.format(this.keepaliveTime))
			.add("validation-timeout " + Durations.format(this.validationTimeout))
			.add("leak-detection-threshold " + Durations.format(this.leakDetectionThreshold));
		if (this.startup.postgresql()) {
			joiner.add("connect-timeout " + Durations.format(this.connectTimeout))
				.add("socket-timeout " + Durations.format(this.socketTimeout))
				.add("statement-timeout " + Durations.format(this.statementTimeout))
				.add("idle-in-transaction-timeout " + Durations.format(this.idleInTransactionTimeout))
				.add("lock-timeout "
						+ ((this.lockTimeout != null) ? Durations.format(this.lockTimeout) : "server default"))
				.add("statement-cache-size " + this.statementCacheSize)
				.add("application-name '" + this.applicationName + "'");
		}
		if (this.pooler.mode().isPooler()) {
			joiner.add("pooler " + this.pooler.mode().externalName() + " (" + this.pooler.describe() + ")");
		}
		AdminConsole admin = this.pooler.admin();
		if (admin != null) {
			joiner.add("pooler admin console " + admin.jdbcUrl() + " every " + Durations.format(admin.interval()));
		}
		if (this.passwordFile != null) {
			joiner.add("password from file " + this.passwordFile.value());
		}
		if (this.maxWaiting != null) {
			joiner.add("max-waiting " + this.maxWaiting);
		}
		if (this.fleet.instances() != 1) {
			joiner.add("instances " + this.fleet.instances());
		}
		if (this.replica != null) {
			joiner.add("read replica of pool '" + this.replica.primary() + "' (" + this.replica.describe() + ")");
		}
		return joiner.toString();
	}

	/**
	 * How many copies of the application share the server, and what start-up does when
	 * they may open more connections than it allows.
	 *
	 * @param instances copies of the application sharing the server, at least 1
	 * @param budgetMode what to do when over budget
	 * @param sideConnections connections each instance holds beside its pool while it
	 * runs: 1 with the server-side view, else 0
	 */
	public record Fleet(int instances, BudgetMode budgetMode, int sideConnections) {

	}

	/**
	 * What the connection's own configuration holds before db-pool adds its settings,
	 * read once from the JDBC URL and the driver properties.
	 *
	 * @param postgresql whether the URL is PostgreSQL's, so that driver and server
	 * settings apply
	 * @param options the start-up options in effect before db-pool's ({@code -c ...}), or
	 * {@code null}
	 * @param optionsInUrl whether they came from the URL's {@code options} parameter
	 * (which would override the driver property db-pool sets)
	 */
	public record Startup(boolean postgresql, @Nullable String options, boolean optionsInUrl) {

	}

	/**
	 * What sits between the pool and the server, and what db-pool does about it.
	 *
	 * @param mode the pooler's mode; {@link PoolerMode#AUTO} until start-up works it out
	 * @param preparedStatements whether the pooler keeps prepared statements apart per
	 * client in transaction mode (PgBouncer 1.21+ with {@code max_prepared_statements}),
	 * so the driver may prepare them on the server
	 * @param timeoutCheck what start-up does when, in transaction mode, the server does
	 * not apply db-pool's timeouts
	 * @param admin PgBouncer's admin console, read for the pool's queue there, or
	 * {@code null} not to read it
	 */
	public record Pooler(PoolerMode mode, boolean preparedStatements, TimeoutCheck timeoutCheck,
			@Nullable AdminConsole admin) {

		/**
		 * Describe how db-pool treats the pooler, for the start-up line.
		 * @return the description
		 */
		public String describe() {
			return switch (this.mode) {
				case PGBOUNCER_SESSION -> "server settings set once per connection; no start-up options";
				case PGBOUNCER_TRANSACTION -> "no session settings, timeouts from the role's settings"
						+ (this.preparedStatements ? ", prepared statements tracked by the pooler"
								: ", prepareThreshold=0 (no server-side prepared statements; the statement cache "
										+ "keeps the parsing only)");
				case NONE -> "server settings in the start-up options";
				case AUTO -> "to be found at start-up";
			};
		}

	}

	/**
	 * PgBouncer's admin console (its database {@code pgbouncer}), from
	 * {@value #ADMIN_URL}. Its {@link #toString()} never shows the password.
	 *
	 * @param jdbcUrl the console's JDBC URL, without credentials
	 * @param username the user to log in as, or {@code null} to log in as the pool does
	 * @param password the password of that user, or {@code null} for none (or the pool's,
	 * without a user)
	 * @param interval time between two reads
	 */
	public record AdminConsole(String jdbcUrl, @Nullable String username, @Nullable String password,
			Duration interval) {

		@Override
		public String toString() {
			return "AdminConsole[jdbcUrl=" + this.jdbcUrl + ", username=" + this.username + ", password="
					+ ((this.password != null) ? Secrets.MASK : null) + ", interval=" + this.interval + "]";
		}

	}

	/**
	 * What makes a pool the pool of a read replica, from {@code app.db.pool.replicas.*}.
	 *
	 * @param primary the name of the primary's pool, where read-only work goes back to
	 * @param fallback where read-only work goes while the replica cannot take it
	 * @param maxLag the replication lag past which it cannot, or {@code null} for no
	 * limit
	 * @param required whether the application's health goes DOWN while it cannot
	 * @param interval time between two reads of its lag and recovery
	 */
	public record Replica(String primary, ReplicaFallback fallback, @Nullable Duration maxLag, boolean required,
			Duration interval) {

		/**
		 * Describe the replica's handling, for the start-up line.
		 * @return the description
		 */
		public String describe() {
			return "fallback " + this.fallback.name().toLowerCase(Locale.ROOT) + ", max-lag "
					+ ((this.maxLag != null) ? Durations.format(this.maxLag) : "off") + ", lag read every "
					+ Durations.format(this.interval) + (this.required ? ", required by the health" : "");
		}

	}

	/**
	 * What the connection budget lowered.
	 *
	 * @param maxConnections max-connections before
	 * @param minConnections min-connections before
	 * @param why what lowered them
	 */
	public record Clamp(int maxConnections, int minConnections, String why) {

	}

}
