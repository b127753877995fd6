package dev.dbpool.datasource;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.budget.ConnectionBudgetCheck;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.Secrets;
import dev.dbpool.env.EnvironmentAlias;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.pooler.PgBouncerConsole;
import dev.dbpool.pooler.PoolerDetection;
import dev.dbpool.pooler.PoolerDetector;
import dev.dbpool.pooler.PoolerGuard;
import dev.dbpool.pooler.PreparedStatementCollisions;
import dev.dbpool.pooler.RoleTimeoutsCheck;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.sizing.AdaptiveLimit;
import dev.dbpool.settings.BudgetMode;
import dev.dbpool.settings.JdbcUrls;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolSizing;
import dev.dbpool.settings.PoolerMode;
import dev.dbpool.settings.PostgresLimits;
import dev.dbpool.settings.PostgresStartupOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * Builds the pool db-pool provides from its resolved {@link PoolSettings}: the data
 * source type its guards on the borrow path call for, HikariCP's settings, the PostgreSQL
 * driver and session settings, the source its connections are opened through, the
 * connection budget and the other guards; then logs the pool's final shape in one line.
 * The pool is built, not started: HikariCP starts it at the first borrow.
 *
 * @author db-pool
 * @since 0.4.0
 */
public final class DbPoolDataSourceFactory {

	private static final Log logger = LogFactory.getLog(DbPoolDataSourceFactory.class);

	private final HikariConfig configured;

	private PoolSettings settings;

	private final List<PoolGuard> guards = new ArrayList<>();

	private @Nullable HikariCredentialsProvider credentialsProvider;

	private boolean trackBorrows = true;

	/**
	 * Create a factory.
	 * @param configured the connection (URL, credentials, driver) and
	 * {@code spring.datasource.hikari.*} as the application configured them, for every
	 * setting db-pool does not own
	 * @param settings the resolved settings, which win over the configured ones
	 */
	public DbPoolDataSourceFactory(HikariConfig configured, PoolSettings settings) {
		this.configured = configured;
		this.settings = settings;
	}

	/**
	 * Open every new physical connection with the credentials a provider gives at that
	 * moment (a token that expires), instead of the configured password.
	 * @param provider the provider, or {@code null} for none
	 * @return this factory
	 * @since 0.6.0
	 */
	public DbPoolDataSourceFactory credentialsProvider(@Nullable HikariCredentialsProvider provider) {
		this.credentialsProvider = provider;
		return this;
	}

	/**
	 * Whether to set db-pool's {@link BorrowTracker} on the pool: its borrow timings,
	 * which the monitor reads, and HikariCP's meters behind it. Without it, Spring Boot
	 * gives the pool HikariCP's Micrometer tracker as to any pool.
	 * @param track whether to track the borrows
	 * @return this factory
	 * @since 0.8.0
	 */
	public DbPoolDataSourceFactory trackBorrows(boolean track) {
		this.trackBorrows = track;
		return this;
	}

	/**
	 * Build the pool.
	 * @return the pool, configured and not started
	 * @throws dev.dbpool.diagnostics.InvalidDbPoolConfigurationException if the
	 * connection budget is over in mode fail
	 */
	public DbPoolDataSource create() {
		DbPoolDataSource pool = newDataSource();
		this.configured.copyStateTo(pool);
		this.settings.applyTo(pool);
		if (this.trackBorrows) {
			// Borrow timings of db-pool's own; HikariCP's meters are attached to it
			// later.
			BorrowTracker.install(pool);
		}
		if (this.settings.replica() != null) {
			// Spring's routing expects the read-only DataSource's connections read only
			// already: it sets nothing on them.
			pool.setReadOnly(true);
		}
		ConnectionCredentials credentials = credentials();
		// One reader of PgBouncer's console, for the start-up and then as a guard.
		PgBouncerConsole console = PgBouncerConsole.of(this.settings, pool);
		findPooler(pool, credentials, console);
		applyDriverSettings(pool);
		PhysicalConnectionSource source = PhysicalConnectionSource.install(pool, this.settings.retry(),
				this.settings.sessionSql(), credentials);
		checkPooler(pool, source);
		if (this.settings.replica() != null) {
			readReplica(pool, source, this.settings.replica());
		}
		else {
			watchFailovers(pool, source);
		}
		watchPreparedStatements(pool);
		if (console != null) {
			// Read on the monitor's thread, once the pool runs.
			this.guards.add(console);
		}
		checkBudget(pool, source);
		countLeaks(pool);
		capWaiters(pool);
		sizeAdaptively(pool);
		pool.built(this.settings, this.guards);
		logSummary(pool);
		return pool;
	}

	// Where they may change: a password file or a provider, never both.
	private @Nullable ConnectionCredentials credentials() {
		ConfiguredValue file = this.settings.passwordFile();
		if (file != null && this.credentialsProvider != null) {
			throw InvalidDbPoolConfigurationException.invalid(file,
					"unset while the application has a HikariCredentialsProvider bean ("
							+ this.credentialsProvider.getClass().getName()
							+ "), which gives the credentials of each connection; use one or the other");
		}
		if (file != null) {
			return ConnectionCredentials.file(file);
		}
		return (this.credentialsProvider != null) ? ConnectionCredentials.provider(this.credentialsProvider) : null;
	}

	// A guard on the borrow path is built into the type, so that a pool without it
	// borrows as HikariCP does.
	private DbPoolDataSource newDataSource() {
		Integer maxWaiting = this.settings.maxWaiting();
		return (maxWaiting != null) ? new WaiterCappedDataSource(maxWaiting) : new DbPoolDataSource();
	}

	// The pool's driver settings depend on the pooler's mode, so auto must find it before
	// the pool is configured: over two probe connections, closed before the pool opens
	// one.
	private void findPooler(DbPoolDataSource pool, @Nullable ConnectionCredentials credentials,
			@Nullable PgBouncerConsole console) {
		if (!this.settings.startup().postgresql() || this.settings.pooler().mode() != PoolerMode.AUTO) {
			return;
		}
		PoolerDetection found = PoolerDetector.detect(probeConnections(pool, credentials), console);
		PoolerMode mode = found.found() ? found.mode() : PoolerMode.NONE;
		this.settings = this.settings.withPooler(mode,
				found.found() ? "by start-up: " + found.evidence() : "by start-up, which could not tell");
		String target = "pool '" + this.settings.poolName() + "' for " + Secrets.maskUrl(pool.getJdbcUrl());
		if (!found.found()) {
			logger.info("db-pool: could not tell whether a connection pooler sits between " + target
					+ " and PostgreSQL: " + found.evidence() + "; connecting as to PostgreSQL itself. If PgBouncer is "
					+ "in between, set " + PoolSettings.POOLER + " (DB_POOLER) to pgbouncer-session or "
					+ "pgbouncer-transaction.");
		}
		else if (mode == PoolerMode.NONE) {
			logger.info("db-pool: " + target + " connects to PostgreSQL itself, no pooler in between ("
					+ found.evidence() + ")");
		}
		else if (!found.proven()) {
			logger.info("db-pool: " + target + " connects through a pooler whose mode start-up cannot prove ("
					+ found.evidence() + "): transaction mode's rules apply, which hold in session mode too: "
					+ this.settings.pooler().describe() + ". If PgBouncer runs pool_mode = session, set "
					+ PoolSettings.POOLER + " (DB_POOLER) to pgbouncer-session (server-side prepared statements, "
					+ "timeouts set per connection), or set " + PoolSettings.ADMIN_URL
					+ " so that start-up reads the mode from PgBouncer's console.");
		}
		else {
			logger.info("db-pool: " + target + " connects through a pooler in "
					+ ((mode == PoolerMode.PGBOUNCER_SESSION) ? "session" : "transaction") + " mode, "
					+ mode.externalName() + " (" + found.evidence() + "): " + this.settings.pooler().describe()
					+ ". Set " + PoolSettings.POOLER + " (DB_POOLER) to skip this check.");
		}
	}

	// As the pool will connect, minus what a pooler may refuse or mix up: no start-up
	// options, nothing prepared on the server; bounded by the connect timeout.
	private SideConnections probeConnections(DbPoolDataSource pool, @Nullable ConnectionCredentials credentials) {
		Properties properties = new Properties();
		properties.putAll(pool.getDataSourceProperties());
		properties.remove(PostgresStartupOptions.PROPERTY);
		String seconds = String.valueOf(this.settings.connectTimeout().toSeconds());
		properties.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), seconds);
		properties.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), seconds);
		properties.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), seconds);
		properties.setProperty(PoolSettings.PREPARE_THRESHOLD, "0");
		properties.setProperty(PGProperty.APPLICATION_NAME.getName(),
				PostgresLimits.sideApplicationName(this.settings.applicationName(), PoolerDetector.PURPOSE));
		String url = JdbcUrls.withoutParameter(pool.getJdbcUrl(), PostgresStartupOptions.PROPERTY);
		DriverDataSource driver = new DriverDataSource(url, pool.getDriverClassName(), properties, pool.getUsername(),
				pool.getPassword());
		if (credentials != null) {
			return (purpose) -> credentials.connect(driver, pool.getUsername());
		}
		return (purpose) -> driver.getConnection();
	}

	// Behind a pooler in transaction mode: nothing prepared on the server unless the
	// pooler tracks it, whatever the URL says, and the timeouts checked on the server.
	private void checkPooler(DbPoolDataSource pool, @Nullable PhysicalConnectionSource source) {
		PoolSettings.Pooler pooler = this.settings.pooler();
		if (!this.settings.startup().postgresql() || !pooler.mode().isPooler()) {
			return;
		}
		String timeouts = "set on each connection as it opens";
		if (pooler.mode() == PoolerMode.PGBOUNCER_TRANSACTION) {
			if (!pooler.preparedStatements()) {
				checkPrepareThreshold(pool);
			}
			timeouts = (source != null) ? RoleTimeoutsCheck.check(this.settings, source) : "not checked";
		}
		this.guards.add(new PoolerGuard(this.settings, timeouts));
	}

	// Before the prepared statements' watcher, which wraps this one: the pool keeps one
	// exception override, a chain ending in the application's own.
	private void watchFailovers(DbPoolDataSource pool, @Nullable PhysicalConnectionSource source) {
		if (this.settings.startup().postgresql()) {
			Failovers failovers = Failovers.watch(pool, this.settings.poolName());
			if (source != null) {
				source.watch(failovers);
			}
			this.guards.add(failovers);
		}
	}

	// A replica is read only and no primary: a write there (25006) is the application's
	// mistake, not a failover. Its guard reads the lag and sees lost connections instead.
	private void readReplica(DbPoolDataSource pool, @Nullable PhysicalConnectionSource source,
			PoolSettings.Replica replica) {
		if (!this.settings.startup().postgresql() || source == null) {
			return;
		}
		ReadReplica guard = new ReadReplica(this.settings.poolName(), replica, JdbcUrls.hosts(pool.getJdbcUrl()),
				source, () -> source.getFailingSince() != null, () -> {
					HikariPoolMXBean running = pool.getHikariPoolMXBean();
					if (running != null) {
						running.softEvictConnections();
					}
				});
		guard.watch(pool);
		this.guards.add(guard);
	}

	// Statements prepared on a server session that a pooler shares collide with another
	// client's: wherever the driver may prepare on the server, since the pooler may be
	// one db-pool was not told of. Costs nothing until a statement fails.
	private void watchPreparedStatements(DbPoolDataSource pool) {
		if (this.settings.startup().postgresql()) {
			this.guards.add(PreparedStatementCollisions.watch(pool, this.settings));
		}
	}

	private void checkPrepareThreshold(DbPoolDataSource pool) {
		String name = PoolSettings.PREPARE_THRESHOLD;
		Properties url = org.postgresql.Driver.parseURL(pool.getJdbcUrl(), null);
		String threshold = (url != null) ? url.getProperty(name) : null;
		if (threshold != null && !threshold.trim().equals("0")) {
			ConfiguredValue where = new ConfiguredValue(name, name, threshold, "parameter of the JDBC URL");
			throw InvalidDbPoolConfigurationException.invalid(where,
					"0 behind PgBouncer in transaction mode, where statements prepared on a server session shared "
							+ "by several clients collide (42P05 prepared statement already exists); or set "
							+ PoolSettings.PREPARED_STATEMENTS
							+ " to true where the pooler tracks them (PgBouncer 1.21+ with max_prepared_statements "
							+ "above 0)");
		}
	}

	private void applyDriverSettings(DbPoolDataSource pool) {
		if (this.settings.startup().postgresql()) {
			this.settings.applyPostgresSettingsTo(pool);
		}
		else {
			logger.info("db-pool: " + Secrets.maskUrl(pool.getJdbcUrl())
					+ " is not a PostgreSQL URL; PostgreSQL driver and session settings are not applied");
		}
	}

	// The one read of the server while the pool is built: in mode clamp the pool's size
	// depends on it, and in mode fail it must stop the start-up before the pool opens a
	// connection.
	private void checkBudget(DbPoolDataSource pool, @Nullable PhysicalConnectionSource source) {
		if (!this.settings.startup().postgresql() || source == null) {
			return;
		}
		if (this.settings.pooler().mode().isPooler() && this.settings.fleet().budgetMode() != BudgetMode.OFF) {
			// The pool's connections are the pooler's clients; the server's sessions are
			// the pooler's, sized by its own pool settings.
			logger.info("db-pool: connection budget not checked for pool '" + this.settings.poolName()
					+ "': its connections go to " + this.settings.pooler().mode().externalName()
					+ ", whose clients (max_client_conn) are not PostgreSQL's sessions; PgBouncer's pool sizes "
					+ "(default_pool_size, max_db_connections) are what must fit the server");
			return;
		}
		PoolSettings.Fleet fleet = this.settings.fleet();
		ConnectionBudgetCheck check = new ConnectionBudgetCheck(fleet.budgetMode(), fleet.instances(),
				fleet.sideConnections(), howToSet(this.settings.setting(PoolSettings.INSTANCES)),
				howToSet(this.settings.setting(PoolSettings.MAX_CONNECTIONS)),
				this.settings.source(this.settings.setting(PoolSettings.INSTANCES)),
				this.settings.source(this.settings.setting(PoolSettings.MAX_CONNECTIONS)));
		ConnectionBudget budget = check.check(this.settings.poolName(), this.settings.maxConnections(),
				this.settings.minConnections(), this.settings.applicationName(), source);
		if (budget == null) {
			return;
		}
		if (budget.maxConnections() < this.settings.maxConnections()) {
			this.settings = this.settings.clampedTo(budget.maxConnections(), ConnectionBudgetCheck.CLAMPED_BY);
			pool.setMaximumPoolSize(this.settings.initialLimit());
			pool.setMinimumIdle(this.settings.minConnections());
		}
		this.guards.add(budget);
	}

	// The name the user gave a setting under, where they did; else where to give it.
	private String howToSet(String setting) {
		if (this.settings.source(setting).isExplicit()) {
			return this.settings.source(setting).name();
		}
		return EnvironmentAlias.ALL.stream()
			.filter((alias) -> alias.property().equals(setting))
			.findFirst()
			.map((alias) -> setting + " or " + alias.variable())
			.orElse(setting);
	}

	private void countLeaks(DbPoolDataSource pool) {
		ConnectionLeaks leaks = ConnectionLeaks.countOn(pool);
		if (leaks != null) {
			this.guards.add(leaks);
		}
	}

	private void capWaiters(DbPoolDataSource pool) {
		if (pool instanceof WaiterCappedDataSource capped) {
			this.guards.add(capped.waiterCap());
		}
	}

	// Last, so that the ceiling is max-connections as the connection budget left it; in
	// budget mode warn, the limit never grows past what fits either.
	private void sizeAdaptively(DbPoolDataSource pool) {
		if (this.settings.sizing() != PoolSizing.ADAPTIVE) {
			return;
		}
		int ceiling = this.settings.maxConnections();
		for (PoolGuard guard : this.guards) {
			if (guard instanceof ConnectionBudget budget) {
				ceiling = Math.max(this.settings.adaptiveFloor(), Math.min(ceiling, budget.safeMaxConnections()));
			}
		}
		AdaptiveLimit limit = new AdaptiveLimit(this.settings.poolName(), this.settings.adaptiveFloor(), ceiling,
				this.settings.initialLimit(), pool::limitTo);
		pool.setMaximumPoolSize(limit.limit());
		this.guards.add(limit);
	}

	private void logSummary(DbPoolDataSource pool) {
		if (logger.isInfoEnabled()) {
			logger.info("db-pool: pool '" + this.settings.poolName() + "' for " + Secrets.maskUrl(pool.getJdbcUrl())
					+ ": " + this.settings.summary());
		}
	}

}
