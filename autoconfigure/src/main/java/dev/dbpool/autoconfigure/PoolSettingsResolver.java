package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.GivenValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.settings.JdbcUrls;
import dev.dbpool.settings.PoolProfile;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolSizing;
import dev.dbpool.settings.PostgresLimits;
import dev.dbpool.settings.RetryPolicy;
import dev.dbpool.settings.PostgresStartupOptions;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Resolves {@link DbPoolProperties} into {@link PoolSettings}: for each setting, the
 * value given explicitly (under {@code app.db.pool.*}, an environment alias,
 * {@code spring.datasource.hikari.*} or a JDBC URL parameter; names that disagree fail),
 * else the profile's preset, else the default; then checks every value against what
 * HikariCP and the driver accept, so the pool is never silently different from what was
 * asked for.
 *
 * @author db-pool
 */
final class PoolSettingsResolver {

	private static final String PREFIX = "app.db.pool.";

	private static final String REPLICAS = PREFIX + "replicas.";

	/** What a replica's pool and application names add to the primary's. */
	static final String REPLICA_SUFFIX = "-replica";

	private static final String RETRY = PREFIX + "retry.";

	private static final String HIKARI = "spring.datasource.hikari.";

	private static final String DRIVER_PROPERTIES = HIKARI + "data-source-properties.";

	private static final Duration HIKARI_TIMEOUT_FLOOR = Duration.ofMillis(250);

	private static final String SERVER_TIMEOUT_LIMIT = "at most 2147483647ms (about 24.8 days, PostgreSQL's limit)";

	// The properties the values are bound from: for a replica, app.db.pool.replicas.*.
	private final DbPoolProperties properties;

	// The application's own app.db.pool.*.
	private final DbPoolProperties root;

	// For a replica's pool: the primary's values, by setting; null for the primary.
	private final @Nullable Map<String, GivenValue<?>> inherited;

	private final Environment environment;

	private final HikariConfig hikari;

	private final boolean postgresql;

	private final Properties urlParameters;

	private final Map<String, String> startupOptions;

	private final String startupOptionsSource;

	private final PoolSettings.Startup startup;

	// Where each value came from, in the order resolved.
	private final Map<String, ConfiguredValue> sources = new LinkedHashMap<>();

	// Each value with where it came from, by setting, for a replica to inherit.
	private final Map<String, GivenValue<?>> resolved = new LinkedHashMap<>();

	/**
	 * Create a resolver.
	 * @param properties the bound properties
	 * @param environment the environment they were bound from, to tell what was set and
	 * where
	 * @param hikari the pool's configuration, with {@code spring.datasource.hikari.*} and
	 * the JDBC URL applied
	 */
	PoolSettingsResolver(DbPoolProperties properties, Environment environment, HikariConfig hikari) {
		this(properties, properties, null, environment, hikari);
	}

	private PoolSettingsResolver(DbPoolProperties properties, DbPoolProperties root,
			@Nullable Map<String, GivenValue<?>> inherited, Environment environment, HikariConfig hikari) {
		this.properties = properties;
		this.root = root;
		this.inherited = inherited;
		this.environment = environment;
		this.hikari = hikari;
		String url = Objects.requireNonNullElse(hikari.getJdbcUrl(), "");
		this.postgresql = JdbcUrls.isPostgresql(url);
		Properties parsed = this.postgresql ? org.postgresql.Driver.parseURL(url, null) : null;
		this.urlParameters = (parsed != null) ? parsed : new Properties();
		String urlOptions = this.urlParameters.getProperty(PostgresStartupOptions.PROPERTY);
		String driverOptions = hikari.getDataSourceProperties().getProperty(PostgresStartupOptions.PROPERTY);
		// A URL parameter overrides a driver property, so the URL's options are the ones
		// in effect.
		String options = (urlOptions != null) ? urlOptions : driverOptions;
		this.startupOptions = PostgresStartupOptions.parse(options);
		this.startup = new PoolSettings.Startup(this.postgresql, options, urlOptions != null);
		this.startupOptionsSource = (urlOptions != null) ? "options parameter of the JDBC URL"
				: DRIVER_PROPERTIES + PostgresStartupOptions.PROPERTY;
	}

	/**
	 * Resolve the settings of a read replica's pool: each of
	 * {@code app.db.pool.replicas.*} that is set, else the primary's value, resolved as
	 * for the primary (its profile, aliases, {@code spring.datasource.hikari.*}); the
	 * pool and application names with {@value #REPLICA_SUFFIX} added. Checked as the
	 * primary's are, naming the replica's settings.
	 * @param hikari the replica pool's configuration, with its JDBC URL
	 * @return the replica pool's settings
	 */
	PoolSettings resolveReplica(HikariConfig hikari) {
		if (this.resolved.isEmpty()) {
			resolve();
		}
		DbPoolProperties replica = new DbPoolProperties();
		Binder.get(this.environment).bind(REPLICAS.substring(0, REPLICAS.length() - 1), Bindable.ofInstance(replica));
		return new PoolSettingsResolver(replica, this.root, Map.copyOf(this.resolved), this.environment, hikari)
			.resolve();
	}

	PoolSettings resolve() {
		PoolProfile profile = this.root.getProfile();
		GivenValue<Integer> max = maxConnections();
		GivenValue<Integer> min = resolve("min-connections", this.properties.getMinConnections(),
				PoolProfile::getMinConnections, hikari("minimum-idle", HikariConfig::getMinimumIdle));
		GivenValue<Duration> acquire = resolve("acquire-timeout", this.properties.getAcquireTimeout(),
				PoolProfile::getAcquireTimeout,
				hikari("connection-timeout", (c) -> Duration.ofMillis(c.getConnectionTimeout())));
		GivenValue<Duration> idle = resolve("idle-timeout", this.properties.getIdleTimeout(),
				PoolProfile::getIdleTimeout, hikari("idle-timeout", (c) -> Duration.ofMillis(c.getIdleTimeout())));
		GivenValue<Duration> lifetime = resolve("max-lifetime", this.properties.getMaxLifetime(),
				PoolProfile::getMaxLifetime, hikari("max-lifetime", (c) -> Duration.ofMillis(c.getMaxLifetime())));
		GivenValue<Duration> keepalive = resolve("keepalive-time", this.properties.getKeepaliveTime(), null,
				hikari("keepalive-time", (c) -> Duration.ofMillis(c.getKeepaliveTime())));
		GivenValue<Duration> validation = resolve("validation-timeout", this.properties.getValidationTimeout(), null,
				hikari("validation-timeout", (c) -> Duration.ofMillis(c.getValidationTimeout())));
		GivenValue<Duration> leak = resolve("leak-detection-threshold", this.properties.getLeakDetectionThreshold(),
				null, hikari("leak-detection-threshold", (c) -> Duration.ofMillis(c.getLeakDetectionThreshold())));
		GivenValue<Duration> connect = resolve("connect-timeout", this.properties.getConnectTimeout(), null,
				driver(PGProperty.CONNECT_TIMEOUT, (s) -> Duration.ofSeconds(Long.parseLong(s))));
		GivenValue<Duration> socket = resolve("socket-timeout", this.properties.getSocketTimeout(), null,
				driver(PGProperty.SOCKET_TIMEOUT, (s) -> Duration.ofSeconds(Long.parseLong(s))));
		GivenValue<Duration> statement = resolve("statement-timeout", this.properties.getStatementTimeout(),
				PoolProfile::getStatementTimeout, startupOption("statement_timeout"));
		GivenValue<Duration> idleInTransaction = resolve("idle-in-transaction-timeout",
				this.properties.getIdleInTransactionTimeout(), null,
				startupOption("idle_in_transaction_session_timeout"));
		GivenValue<Duration> lock = resolve("lock-timeout", this.properties.getLockTimeout(), null,
				startupOption("lock_timeout"));
		GivenValue<Integer> cache = resolve("statement-cache-size", this.properties.getStatementCacheSize(), null,
				driver(PGProperty.PREPARED_STATEMENT_CACHE_QUERIES, Integer::valueOf));
		GivenValue<String> applicationName = resolve("application-name", this.properties.getApplicationName(), null,
				driver(PGProperty.APPLICATION_NAME, Function.identity()));
		applicationName = (applicationName.value() != null) ? applicationName : remember(derivedApplicationName());
		GivenValue<String> poolName = resolve("pool-name", this.properties.getPoolName(), null,
				hikari("pool-name", HikariConfig::getPoolName), springDatasourceName());

		checkAtLeast(max, 1);
		checkAtLeast(min, 0);
		if (this.inherited != null && min.value() > max.value() && !min.where().setting().equals(min.where().name())) {
			// The primary's min-connections, above the replica's own max-connections.
			min = remember(new GivenValue<>(max.value(),
					new ConfiguredValue(min.where().setting(), min.where().setting(), String.valueOf(max.value()),
							ConfiguredValue.DERIVED + "from " + max.where().setting()
									+ ": the primary's min-connections is above it")));
		}
		if (min.value() > max.value()) {
			throw InvalidDbPoolConfigurationException.invalid(min.where(), max.where(),
					"at most max-connections (" + max.value() + ")");
		}
		checkAtLeast(acquire, HIKARI_TIMEOUT_FLOOR, "at least 250ms (HikariCP's floor), e.g. 10s");
		validation = remember(validationTimeout(validation, acquire));
		checkZeroOrAtLeast(lifetime, Duration.ofSeconds(30), "0 (no limit) or at least 30s, e.g. 30m");
		checkZeroOrAtLeast(idle, Duration.ofSeconds(10), "0 (keep idle connections) or at least 10s, e.g. 10m");
		if (isPositive(lifetime) && isPositive(idle) && idle.value().plusSeconds(1).compareTo(lifetime.value()) > 0) {
			throw InvalidDbPoolConfigurationException.invalid(idle.where(), lifetime.where(),
					"at least 1s shorter than max-lifetime (" + Durations.format(lifetime.value()) + ")");
		}
		checkZeroOrAtLeast(keepalive, Duration.ofSeconds(30), "0 (off) or at least 30s, e.g. 2m");
		if (isPositive(lifetime) && isPositive(keepalive) && keepalive.value().compareTo(lifetime.value()) >= 0) {
			throw InvalidDbPoolConfigurationException.invalid(keepalive.where(), lifetime.where(),
					"shorter than max-lifetime (" + Durations.format(lifetime.value()) + ")");
		}
		checkZeroOrAtLeast(leak, Duration.ofSeconds(2), "0 (off) or at least 2s, e.g. 30s");
		if (isPositive(lifetime) && isPositive(leak) && leak.value().compareTo(lifetime.value()) > 0) {
			throw InvalidDbPoolConfigurationException.invalid(leak.where(), lifetime.where(),
					"at most max-lifetime (" + Durations.format(lifetime.value()) + ")");
		}
		checkWholeSeconds(connect, false);
		checkWholeSeconds(socket, true);
		checkServerTimeout(statement, "0 (no limit) or a positive duration, e.g. 30s, ");
		checkServerTimeout(idleInTransaction, "0 (no limit) or a positive duration, e.g. 5m, ");
		if (lock.value() != null) {
			checkServerTimeout(lock, "0 (no limit) or a positive duration, e.g. 2s, ");
		}
		socket = remember(socketTimeout(socket, statement));
		checkAtLeast(cache, 0);
		checkApplicationName(applicationName);
		if (poolName.value() == null || poolName.value().isBlank()) {
			poolName = remember(derivedPoolName(applicationName.value(), poolName.where()));
		}
		GivenValue<Integer> instances = resolve("instances", this.properties.getInstances(), null);
		checkAtLeast(instances, 1);
		Integer maxWaiting = maxWaiting();
		PoolSizing sizing = sizing();
		if (sizing == PoolSizing.ADAPTIVE && !min.where().isExplicit() && min.value() > PoolSettings.ADAPTIVE_FLOOR) {
			// So that the limit may go down to the floor: idle connections above it would
			// be kept open.
			min = remember(new GivenValue<>(PoolSettings.ADAPTIVE_FLOOR,
					new ConfiguredValue(min.where().setting(), min.where().setting(),
							String.valueOf(PoolSettings.ADAPTIVE_FLOOR),
							ConfiguredValue.DERIVED + "from " + PoolSettings.SIZING + " adaptive")));
		}
		return new PoolSettings(profile, poolName.value(), max.value(), min.value(), acquire.value(), idle.value(),
				lifetime.value(), keepalive.value(), validation.value(), leak.value(), connect.value(), socket.value(),
				statement.value(), idleInTransaction.value(), lock.value(), cache.value(), applicationName.value(),
				maxWaiting, sizing, fleet(instances.value()), retry(), this.startup, pooler(), passwordFile(), null,
				replica(), this.sources);
	}

	private PoolSettings.@Nullable Replica replica() {
		if (this.inherited == null) {
			return null;
		}
		DbPoolProperties.Replicas replicas = this.root.getReplicas();
		Duration maxLag = replicas.getMaxLag();
		if (maxLag != null && (maxLag.isNegative() || maxLag.isZero())) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(REPLICAS + "max-lag", maxLag, this.environment),
					"a positive duration, e.g. 10s, or unset to route reads whatever the lag");
		}
		GivenValue<?> primaryName = this.inherited.get(PREFIX + "pool-name");
		String primary = (primaryName != null) ? String.valueOf(primaryName.value()) : "";
		return new PoolSettings.Replica(primary, replicas.getFallback(), maxLag, replicas.isRequired(),
				this.root.getMonitor().getServerInterval());
	}

	// A replica's pool is sized as the primary's.
	private PoolSizing sizing() {
		PoolSizing sizing = this.root.getSizing();
		remember(new GivenValue<>(sizing,
				ConfiguredValue.of(PoolSettings.SIZING, sizing.name().toLowerCase(Locale.ROOT), this.environment)));
		return sizing;
	}

	// For a replica, app.db.pool.replicas.max-waiting where it is set, else the
	// primary's.
	private @Nullable Integer maxWaiting() {
		boolean own = this.inherited == null
				|| ConfiguredValue.find(REPLICAS + "max-waiting", this.environment) != null;
		Integer maxWaiting = own ? this.properties.getMaxWaiting() : this.root.getMaxWaiting();
		String setting = ((this.inherited != null && own) ? REPLICAS : PREFIX) + "max-waiting";
		if (maxWaiting != null && maxWaiting < 1) {
			throw InvalidDbPoolConfigurationException.invalid(ConfiguredValue.of(setting, maxWaiting, this.environment),
					"a whole number, at least 1, or unset for no cap");
		}
		return maxWaiting;
	}

	private PoolSettings.Fleet fleet(int instances) {
		DbPoolProperties.Monitor monitor = this.root.getMonitor();
		// The server-side view holds one connection beside the primary's pool, the lag
		// reader one beside a replica's.
		boolean side = (this.inherited != null) ? monitor.isEnabled()
				: monitor.isEnabled() && monitor.isServerEnabled();
		return new PoolSettings.Fleet(instances, this.root.getBudget().getMode(), (this.postgresql && side) ? 1 : 0);
	}

	// The path only: the settings are a bean, and shown.
	private @Nullable ConfiguredValue passwordFile() {
		String path = this.root.getPasswordFile();
		if (path == null || path.isBlank()) {
			return null;
		}
		ConfiguredValue where = ConfiguredValue.of(PoolSettings.PASSWORD_FILE, path.trim(), this.environment);
		remember(new GivenValue<>(path.trim(), where));
		return where;
	}

	private PoolSettings.Pooler pooler() {
		DbPoolProperties.Pooler pooler = this.root.getPooler();
		remember(new GivenValue<>(pooler.getMode(),
				ConfiguredValue.of(PoolSettings.POOLER, pooler.getMode().externalName(), this.environment)));
		ConfiguredValue adminUrl = PoolerAdminUrl
			.masked(ConfiguredValue.of(PoolSettings.ADMIN_URL, pooler.getAdminUrl(), this.environment));
		// Read as often as the server view reads the server.
		// PgBouncer's console is read for the primary's pool.
		PoolSettings.AdminConsole admin = (this.inherited != null) ? null
				: PoolerAdminUrl.resolve(pooler.getAdminUrl(), adminUrl, this.root.getMonitor().getServerInterval());
		if (admin != null) {
			remember(new GivenValue<>(admin.jdbcUrl(), adminUrl));
		}
		return new PoolSettings.Pooler(pooler.getMode(), pooler.isPreparedStatements(), pooler.getTimeoutCheck(),
				admin);
	}

	private RetryPolicy retry() {
		DbPoolProperties.Retry retry = this.root.getRetry();
		int maxAttempts = retry.getMaxAttempts();
		if (maxAttempts < 1) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(RETRY + "max-attempts", maxAttempts, this.environment),
					"a whole number, at least 1 (1 means no retry), e.g. 3");
		}
		Duration initial = retry.getInitialBackoff();
		ConfiguredValue initialValue = ConfiguredValue.of(RETRY + "initial-backoff", initial, this.environment);
		if (initial.isNegative() || initial.isZero()) {
			throw InvalidDbPoolConfigurationException.invalid(initialValue, "a positive duration, e.g. 100ms");
		}
		Duration max = retry.getMaxBackoff();
		if (max.compareTo(initial) < 0) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(RETRY + "max-backoff", max, this.environment), initialValue,
					"at least initial-backoff (" + Durations.format(initial) + ")");
		}
		return new RetryPolicy(maxAttempts, initial, max);
	}

	private <T> GivenValue<T> remember(GivenValue<T> value) {
		this.sources.put(value.where().setting(), value.where());
		this.resolved.put(value.where().setting(), value);
		return value;
	}

	private GivenValue<Integer> maxConnections() {
		return resolve("max-connections", this.properties.getMaxConnections(), PoolProfile::getMaxConnections,
				hikari("maximum-pool-size", HikariConfig::getMaximumPoolSize));
	}

	// The one rule for every setting: explicit beats preset beats default, and explicit
	// names that disagree fail.
	@SafeVarargs
	private <T> GivenValue<T> resolve(String key, @Nullable T bound,
			@Nullable Function<PoolProfile, @Nullable T> preset, @Nullable GivenValue<T>... others) {
		if (this.inherited != null) {
			return remember(replica(key, bound, this.inherited));
		}
		String setting = PREFIX + key;
		ConfiguredValue own = ConfiguredValue.find(setting, this.environment);
		List<GivenValue<T>> given = new ArrayList<>();
		if (own != null) {
			given.add(new GivenValue<>(bound, own));
		}
		for (GivenValue<T> other : others) {
			if (other != null) {
				// Another name for this setting: report it as such.
				ConfiguredValue where = other.where();
				given.add(new GivenValue<>(other.value(),
						new ConfiguredValue(setting, where.name(), where.value(), where.source())));
			}
		}
		GivenValue<T> agreed = GivenValue.agreed(given);
		if (agreed != null) {
			return remember(agreed);
		}
		PoolProfile profile = this.properties.getProfile();
		T presetValue = (preset != null && profile != null) ? preset.apply(profile) : null;
		if (presetValue != null) {
			return remember(new GivenValue<>(presetValue, new ConfiguredValue(setting, setting,
					ConfiguredValue.show(presetValue), ConfiguredValue.PROFILE + profile.externalName())));
		}
		return remember(new GivenValue<>(bound, ConfiguredValue.byDefault(setting, bound)));
	}

	// A replica's own value where app.db.pool.replicas.* sets it, else the primary's,
	// under the replica's setting and with the primary's name and source.
	@SuppressWarnings("unchecked")
	private <T> GivenValue<T> replica(String key, @Nullable T bound, Map<String, GivenValue<?>> inherited) {
		// Those it may not set apart keep the primary's name.
		boolean apart = PoolSettings.REPLICA_SETTINGS.contains(PREFIX + key);
		String setting = (apart ? REPLICAS : PREFIX) + key;
		ConfiguredValue own = apart ? ConfiguredValue.find(setting, this.environment) : null;
		if (own != null) {
			return new GivenValue<>(bound, own);
		}
		GivenValue<T> primary = (GivenValue<T>) inherited.get(PREFIX + key);
		if (primary == null) {
			return new GivenValue<>(bound, ConfiguredValue.byDefault(setting, bound));
		}
		ConfiguredValue where = primary.where();
		T value = primary.value();
		if (key.equals("socket-timeout") && where.source().startsWith(ConfiguredValue.DERIVED)) {
			// Derived again from the replica's own statement timeout.
			return new GivenValue<>((T) Duration.ZERO, ConfiguredValue.byDefault(setting, Duration.ZERO));
		}
		if (key.equals("pool-name") || key.equals("application-name")) {
			String name = PostgresLimits.applicationName(value + REPLICA_SUFFIX);
			return new GivenValue<>((T) name, new ConfiguredValue(setting, setting, name,
					ConfiguredValue.DERIVED + "from the primary's " + key + ", " + where.value()));
		}
		return new GivenValue<>(value, new ConfiguredValue(setting, where.name(), where.value(), where.source()));
	}

	private <T> @Nullable GivenValue<T> hikari(String key, Function<HikariConfig, T> getter) {
		ConfiguredValue found = ConfiguredValue.find(HIKARI + key, this.environment);
		return (found != null) ? new GivenValue<>(getter.apply(this.hikari), found) : null;
	}

	// Spring Boot names its pool after spring.datasource.name.
	private @Nullable GivenValue<String> springDatasourceName() {
		ConfiguredValue found = ConfiguredValue.find("spring.datasource.name", this.environment);
		return (found != null) ? new GivenValue<>(found.value(), found) : null;
	}

	private <T> @Nullable GivenValue<T> driver(PGProperty property, Function<String, T> converter) {
		String name = property.getName();
		String fromUrl = this.postgresql ? this.urlParameters.getProperty(name) : null;
		String fromDriver = this.hikari.getDataSourceProperties().getProperty(name);
		if (fromUrl != null && fromDriver != null && !fromUrl.equals(fromDriver)) {
			throw InvalidDbPoolConfigurationException.conflict(
					new ConfiguredValue(name, name, fromUrl, "parameter of the JDBC URL"),
					new ConfiguredValue(name, DRIVER_PROPERTIES + name, fromDriver, DRIVER_PROPERTIES + name));
		}
		String raw = (fromUrl != null) ? fromUrl : fromDriver;
		if (raw == null) {
			return null;
		}
		ConfiguredValue where = (fromUrl != null) ? new ConfiguredValue(name, name, raw, "parameter of the JDBC URL")
				: new ConfiguredValue(name, DRIVER_PROPERTIES + name, raw, "spring.datasource.hikari");
		try {
			return new GivenValue<>(converter.apply(raw.trim()), where);
		}
		catch (RuntimeException ex) {
			throw InvalidDbPoolConfigurationException.invalid(where, "a whole number");
		}
	}

	private @Nullable GivenValue<Duration> startupOption(String setting) {
		String raw = this.startupOptions.get(setting);
		if (raw == null) {
			return null;
		}
		ConfiguredValue where = new ConfiguredValue(setting, "-c " + setting, raw, this.startupOptionsSource);
		Duration duration = PostgresStartupOptions.parseTime(raw);
		if (duration == null) {
			throw InvalidDbPoolConfigurationException.invalid(where,
					"a whole number of milliseconds or a number with a unit (ms, s, min, h, d)");
		}
		return new GivenValue<>(duration, where);
	}

	private GivenValue<Duration> validationTimeout(GivenValue<Duration> validation, GivenValue<Duration> acquire) {
		checkAtLeast(validation, HIKARI_TIMEOUT_FLOOR, "at least 250ms (HikariCP's floor), e.g. 5s");
		if (validation.value().compareTo(acquire.value()) <= 0) {
			return validation;
		}
		if (validation.where().isExplicit()) {
			throw InvalidDbPoolConfigurationException.invalid(validation.where(), acquire.where(),
					"at most acquire-timeout (" + Durations.format(acquire.value()) + ")");
		}
		// A liveness test longer than the wait for a connection would break the acquire
		// timeout.
		Duration half = acquire.value().dividedBy(2);
		Duration derived = (half.compareTo(HIKARI_TIMEOUT_FLOOR) < 0) ? HIKARI_TIMEOUT_FLOOR : half;
		return new GivenValue<>(derived, new ConfiguredValue(validation.where().setting(), validation.where().name(),
				Durations.format(derived), ConfiguredValue.DERIVED + "from acquire-timeout: half of it"));
	}

	private GivenValue<Duration> socketTimeout(GivenValue<Duration> socket, GivenValue<Duration> statement) {
		if (socket.value().isZero()) {
			if (statement.value().isZero()) {
				return socket;
			}
			// Whole seconds, rounded up, so the server always cancels the statement
			// first.
			long seconds = (statement.value().plus(PoolSettings.SOCKET_TIMEOUT_MARGIN).toMillis() + 999) / 1000;
			if (seconds > PostgresLimits.MAX_SOCKET_TIMEOUT.toSeconds()) {
				throw InvalidDbPoolConfigurationException.invalid(statement.where(), "at most "
						+ PostgresLimits.MAX_SOCKET_TIMEOUT.minus(PoolSettings.SOCKET_TIMEOUT_MARGIN).toSeconds()
						+ "s while socket-timeout is derived from it (statement-timeout + 5s must stay within the "
						+ "driver's socket timeout limit of " + PostgresLimits.MAX_SOCKET_TIMEOUT.toSeconds()
						+ "s), or 0 for no limit");
			}
			return new GivenValue<>(Duration.ofSeconds(seconds), new ConfiguredValue(socket.where().setting(),
					socket.where().name(), seconds + "s", ConfiguredValue.DERIVED + "from statement-timeout: 5s more"));
		}
		if (socket.value().compareTo(PostgresLimits.MAX_SOCKET_TIMEOUT) > 0) {
			throw InvalidDbPoolConfigurationException.invalid(socket.where(),
					"0 (derive it) or a whole number of seconds, at most "
							+ PostgresLimits.MAX_SOCKET_TIMEOUT.toSeconds() + "s (the driver's limit)");
		}
		if (!statement.value().isZero() && socket.value().compareTo(statement.value()) <= 0) {
			throw InvalidDbPoolConfigurationException.invalid(socket.where(), statement.where(),
					"longer than statement-timeout (" + Durations.format(statement.value())
							+ "), so the server cancels a slow statement before the driver drops the connection; "
							+ "or 0 to derive it");
		}
		return socket;
	}

	private GivenValue<String> derivedApplicationName() {
		String name = this.environment.getProperty("spring.application.name");
		String source = ConfiguredValue.DERIVED + "from spring.application.name";
		if (name == null || name.isBlank()) {
			name = "db-pool";
			source = ConfiguredValue.DEFAULT;
		}
		// Keep what the server will show.
		String clean = PostgresLimits.applicationName(name);
		return new GivenValue<>(clean,
				new ConfiguredValue(PREFIX + "application-name", PREFIX + "application-name", clean, source));
	}

	private void checkApplicationName(GivenValue<String> name) {
		if (!name.where().isExplicit()) {
			return;
		}
		if (!PostgresLimits.isValidApplicationName(name.value())) {
			throw InvalidDbPoolConfigurationException.invalid(name.where(), "printable ASCII characters, at most "
					+ PostgresLimits.MAX_APPLICATION_NAME_LENGTH + " (what PostgreSQL keeps of application_name)");
		}
	}

	private GivenValue<String> derivedPoolName(String applicationName, ConfiguredValue where) {
		String name = applicationName + "-pool";
		return new GivenValue<>(name, new ConfiguredValue(where.setting(), where.name(), name,
				ConfiguredValue.DERIVED + "from the application name"));
	}

	private static void checkAtLeast(GivenValue<Integer> value, int minimum) {
		if (value.value() < minimum) {
			throw InvalidDbPoolConfigurationException.invalid(value.where(), "a whole number, at least " + minimum);
		}
	}

	private static void checkAtLeast(GivenValue<Duration> value, Duration minimum, String allowed) {
		if (value.value().compareTo(minimum) < 0) {
			throw InvalidDbPoolConfigurationException.invalid(value.where(), allowed);
		}
	}

	private static void checkServerTimeout(GivenValue<Duration> value, String allowed) {
		if (value.value().isNegative() || value.value().compareTo(PostgresLimits.MAX_SERVER_TIMEOUT) > 0) {
			throw InvalidDbPoolConfigurationException.invalid(value.where(), allowed + SERVER_TIMEOUT_LIMIT);
		}
	}

	private static void checkZeroOrAtLeast(GivenValue<Duration> value, Duration minimum, String allowed) {
		if (!value.value().isZero() && value.value().compareTo(minimum) < 0) {
			throw InvalidDbPoolConfigurationException.invalid(value.where(), allowed);
		}
	}

	private static void checkWholeSeconds(GivenValue<Duration> value, boolean zeroAllowed) {
		Duration duration = value.value();
		boolean whole = duration.toMillis() % 1000 == 0 && duration.getNano() % 1_000_000 == 0;
		boolean inRange = zeroAllowed ? !duration.isNegative() : duration.compareTo(Duration.ofSeconds(1)) >= 0;
		if (!whole || !inRange) {
			throw InvalidDbPoolConfigurationException.invalid(value.where(), (zeroAllowed ? "0 (derive it) or " : "")
					+ "a whole number of seconds, at least 1s " + "(the driver counts in seconds), e.g. 10s");
		}
	}

	private static boolean isPositive(GivenValue<Duration> value) {
		return !value.value().isZero() && !value.value().isNegative();
	}

}
