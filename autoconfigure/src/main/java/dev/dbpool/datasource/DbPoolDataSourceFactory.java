package dev.dbpool.datasource;

import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.budget.ConnectionBudgetCheck;
import dev.dbpool.diagnostics.Secrets;
import dev.dbpool.env.EnvironmentAlias;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.settings.PoolSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

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
	 * Build the pool.
	 * @return the pool, configured and not started
	 * @throws dev.dbpool.diagnostics.InvalidDbPoolConfigurationException if the
	 * connection budget is over in mode fail
	 */
	public DbPoolDataSource create() {
		DbPoolDataSource pool = newDataSource();
		this.configured.copyStateTo(pool);
		this.settings.applyTo(pool);
		applyDriverSettings(pool);
		PhysicalConnectionSource source = PhysicalConnectionSource.install(pool, this.settings.retry());
		checkBudget(pool, source);
		countLeaks(pool);
		capWaiters(pool);
		pool.built(this.settings, this.guards);
		logSummary(pool);
		return pool;
	}

	// A guard on the borrow path is built into the type, so that a pool without it
	// borrows as HikariCP does.
	private DbPoolDataSource newDataSource() {
		Integer maxWaiting = this.settings.maxWaiting();
		return (maxWaiting != null) ? new WaiterCappedDataSource(maxWaiting) : new DbPoolDataSource();
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
		PoolSettings.Fleet fleet = this.settings.fleet();
		ConnectionBudgetCheck check = new ConnectionBudgetCheck(fleet.budgetMode(), fleet.instances(),
				fleet.sideConnections(), howToSet(PoolSettings.INSTANCES), howToSet(PoolSettings.MAX_CONNECTIONS),
				this.settings.source(PoolSettings.INSTANCES), this.settings.source(PoolSettings.MAX_CONNECTIONS));
		ConnectionBudget budget = check.check(this.settings.poolName(), this.settings.maxConnections(),
				this.settings.minConnections(), this.settings.applicationName(), source);
		if (budget == null) {
			return;
		}
		if (budget.maxConnections() < this.settings.maxConnections()) {
			this.settings = this.settings.clampedTo(budget.maxConnections(), ConnectionBudgetCheck.CLAMPED_BY);
			pool.setMaximumPoolSize(this.settings.maxConnections());
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

	private void logSummary(DbPoolDataSource pool) {
		if (logger.isInfoEnabled()) {
			logger.info("db-pool: pool '" + this.settings.poolName() + "' for " + Secrets.maskUrl(pool.getJdbcUrl())
					+ ": " + this.settings.summary());
		}
	}

}
