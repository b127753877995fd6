package dev.dbpool.budget;

import java.sql.SQLException;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.env.EnvironmentAlias;
import dev.dbpool.datasource.DbPoolDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import dev.dbpool.settings.BudgetMode;
import org.jspecify.annotations.Nullable;

/**
 * Checks, before a pool starts, that its fleet ({@code instances × max-connections}) fits
 * the {@link ConnectionBudget} the server gives it, and acts on the {@link BudgetMode}:
 * one INFO line when it fits; otherwise one WARN line, a start-up failure, or
 * max-connections lowered to the safe share. When the server cannot be reached, it logs
 * one WARN line and lets the pool start: the pool then reports the database as it would
 * have anyway.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class ConnectionBudgetCheck {

	private static final Log logger = LogFactory.getLog(ConnectionBudgetCheck.class);

	private static final String MODE = "app.db.pool.budget.mode";

	private final BudgetMode mode;

	private final int instances;

	private final ConfiguredValue instancesGiven;

	private final ConfiguredValue maxConnectionsGiven;

	private final int sideConnections;

	/**
	 * Create a check.
	 * @param mode what to do when the fleet is over budget
	 * @param instances how many copies of the application share the server, at least 1
	 * @param instancesGiven where {@code instances} came from, to name it in a fix
	 * @param maxConnectionsGiven where the pool's max-connections came from, to name it
	 * in a fix
	 * @param sideConnections the connections each instance holds beside its pool while it
	 * runs: 1 with the server-side view, else 0
	 */
	public ConnectionBudgetCheck(BudgetMode mode, int instances, ConfiguredValue instancesGiven,
			ConfiguredValue maxConnectionsGiven, int sideConnections) {
		this.mode = mode;
		this.instances = instances;
		this.instancesGiven = instancesGiven;
		this.maxConnectionsGiven = maxConnectionsGiven;
		this.sideConnections = sideConnections;
	}

	/**
	 * Check a pool's budget and act on the mode; the pool keeps the budget.
	 * @param pool the pool, configured and not started
	 * @return the budget, with the pool's max-connections after any clamping, or
	 * {@code null} if it was not checked (mode off, or the server could not be read)
	 * @throws InvalidDbPoolConfigurationException in mode fail when over budget, and in
	 * mode clamp when not even one connection per instance fits
	 */
	public @Nullable ConnectionBudget check(DbPoolDataSource pool) {
		if (this.mode == BudgetMode.OFF) {
			return null;
		}
		ServerLimits limits;
		try {
			limits = ServerLimitsReader.read(pool);
		}
		catch (SQLException | RuntimeException ex) {
			logger.warn("db-pool: connection budget of pool '" + pool.getPoolName() + "' not checked: "
					+ SqlFailures.describe(ex));
			return null;
		}
		ConnectionBudget budget = ConnectionBudget.of(limits, this.instances, pool.getMaximumPoolSize(),
				this.sideConnections, this.mode);
		if (!budget.isOverBudget()) {
			logger.info("db-pool: pool '" + pool.getPoolName() + "' within its connection budget: "
					+ budget.describeDemand() + ", and " + budget.describeLimit() + "; headroom " + budget.headroom()
					+ ", largest safe max-connections " + budget.safeMaxConnections());
		}
		else if (this.mode == BudgetMode.WARN) {
			logger.warn("db-pool: " + overBudget(pool, budget) + "; " + largestSafe(budget));
		}
		else if (this.mode == BudgetMode.FAIL || budget.safeMaxConnections() < 1) {
			throw failure(pool, budget);
		}
		else {
			budget = clamp(pool, budget);
		}
		pool.setConnectionBudget(budget);
		return budget;
	}

	private ConnectionBudget clamp(DbPoolDataSource pool, ConnectionBudget budget) {
		int safe = budget.safeMaxConnections();
		boolean min = pool.getMinimumIdle() > safe;
		pool.setMaximumPoolSize(safe);
		if (min) {
			pool.setMinimumIdle(safe);
		}
		logger.warn("db-pool: " + overBudget(pool, budget) + "; max-connections " + (min ? "and min-connections " : "")
				+ "lowered to " + safe + ", the largest safe max-connections (" + MODE + " clamp)");
		return budget.withMaxConnections(safe);
	}

	private InvalidDbPoolConfigurationException failure(DbPoolDataSource pool, ConnectionBudget budget) {
		int safe = budget.safeMaxConnections();
		String over = overBudget(pool, budget);
		String description = Character.toUpperCase(over.charAt(0)) + over.substring(1) + ". max-connections: "
				+ this.maxConnectionsGiven.describe() + "; instances: " + this.instancesGiven.describe() + ".";
		String action;
		if (safe >= 1) {
			action = "Set " + name(this.maxConnectionsGiven) + " to " + safe + " or less (the largest safe "
					+ "max-connections), or lower " + name(this.instancesGiven) + ", or raise " + budget.boundBy()
					+ ", or set " + MODE + " to clamp (lower max-connections at start-up) or warn.";
		}
		else {
			action = "Not even one connection per instance fits: raise " + budget.boundBy()
					+ " or free connections others hold, or lower " + name(this.instancesGiven) + ", or set " + MODE
					+ " to warn.";
		}
		return new InvalidDbPoolConfigurationException(description, action);
	}

	private String largestSafe(ConnectionBudget budget) {
		int safe = budget.safeMaxConnections();
		if (safe < 1) {
			return "not even one connection per instance fits (raise " + budget.boundBy() + ", or lower "
					+ name(this.instancesGiven) + ")";
		}
		return "the largest safe max-connections is " + safe + " (set " + name(this.maxConnectionsGiven) + ", or "
				+ name(this.instancesGiven) + ")";
	}

	private static String overBudget(DbPoolDataSource pool, ConnectionBudget budget) {
		return "pool '" + pool.getPoolName() + "' over its connection budget: " + budget.describeDemand() + ", but "
				+ budget.describeLimit();
	}

	// The name the user gave it under, where they did; else where to give it.
	private static String name(ConfiguredValue given) {
		if (given.isExplicit()) {
			return given.name();
		}
		return EnvironmentAlias.ALL.stream()
			.filter((alias) -> alias.property().equals(given.setting()))
			.findFirst()
			.map((alias) -> given.setting() + " or " + alias.variable())
			.orElse(given.setting());
	}

}
