package dev.dbpool.budget;

import java.sql.SQLException;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.settings.BudgetMode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Checks, before a pool starts, that its fleet ({@code instances × max-connections}) fits
 * the {@link ConnectionBudget} the server gives it, and acts on the {@link BudgetMode}:
 * one INFO line when it fits; otherwise one WARN line, a start-up failure, or the largest
 * safe max-connections for the caller to apply. When the server cannot be reached, it
 * logs one WARN line and lets the pool start: the pool then reports the database as it
 * would have anyway.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class ConnectionBudgetCheck {

	private static final Log logger = LogFactory.getLog(ConnectionBudgetCheck.class);

	private static final String MODE = "app.db.pool.budget.mode";

	/** What lowers max-connections in mode clamp, as the start-up summary names it. */
	public static final String CLAMPED_BY = MODE + " clamp";

	private final BudgetMode mode;

	private final int instances;

	private final int sideConnections;

	private final String instancesName;

	private final String maxConnectionsName;

	private final ConfiguredValue instancesGiven;

	private final ConfiguredValue maxConnectionsGiven;

	/**
	 * Create a check.
	 * @param mode what to do when the fleet is over budget
	 * @param instances how many copies of the application share the server, at least 1
	 * @param sideConnections the connections each instance holds beside its pool while it
	 * runs: 1 with the server-side view, else 0
	 * @param instancesName how to set {@code instances}, named in a fix
	 * @param maxConnectionsName how to set the pool's max-connections, named in a fix
	 * @param instancesGiven where {@code instances} came from
	 * @param maxConnectionsGiven where the pool's max-connections came from
	 */
	public ConnectionBudgetCheck(BudgetMode mode, int instances, int sideConnections, String instancesName,
			String maxConnectionsName, ConfiguredValue instancesGiven, ConfiguredValue maxConnectionsGiven) {
		this.mode = mode;
		this.instances = instances;
		this.sideConnections = sideConnections;
		this.instancesName = instancesName;
		this.maxConnectionsName = maxConnectionsName;
		this.instancesGiven = instancesGiven;
		this.maxConnectionsGiven = maxConnectionsGiven;
	}

	/**
	 * Check a pool's budget and act on the mode. The check only reads and tells: in mode
	 * clamp, the caller lowers the pool to the returned budget's
	 * {@link ConnectionBudget#maxConnections() max-connections} (and min-connections to
	 * no more than that) before the pool starts.
	 * @param pool the pool's name
	 * @param maxConnections the pool's max-connections
	 * @param minConnections the pool's min-connections
	 * @param applicationName the {@code application_name} of the pool's connections, by
	 * which the fleet's own connections are told from others'
	 * @param side opens the connection that reads the server
	 * @return the budget, with max-connections lowered in mode clamp when over budget, or
	 * {@code null} if it was not checked (mode off, or the server could not be read)
	 * @throws InvalidDbPoolConfigurationException in mode fail when over budget, and in
	 * mode clamp when not even one connection per instance fits
	 */
	public @Nullable ConnectionBudget check(String pool, int maxConnections, int minConnections, String applicationName,
			SideConnections side) {
		if (this.mode == BudgetMode.OFF) {
			return null;
		}
		ServerLimits limits;
		try {
			limits = ServerLimitsReader.read(side, applicationName);
		}
		catch (SQLException | RuntimeException ex) {
			logger.warn("db-pool: connection budget of pool '" + pool + "' not checked: " + SqlFailures.describe(ex));
			return null;
		}
		ConnectionBudget budget = ConnectionBudget.of(limits, this.instances, maxConnections, this.sideConnections,
				this.mode);
		if (!budget.isOverBudget()) {
			logger.info("db-pool: pool '" + pool + "' within its connection budget: " + budget.describeDemand()
					+ ", and " + budget.describeLimit() + "; headroom " + budget.headroom()
					+ ", largest safe max-connections " + budget.safeMaxConnections());
		}
		else if (this.mode == BudgetMode.WARN) {
			logger.warn("db-pool: " + overBudget(pool, budget) + "; " + largestSafe(budget));
		}
		else if (this.mode == BudgetMode.FAIL || budget.safeMaxConnections() < 1) {
			throw failure(pool, budget);
		}
		else {
			int safe = budget.safeMaxConnections();
			logger.warn("db-pool: " + overBudget(pool, budget) + "; max-connections "
					+ ((minConnections > safe) ? "and min-connections " : "") + "lowered to " + safe
					+ ", the largest safe max-connections (" + CLAMPED_BY + ")");
			budget = budget.withMaxConnections(safe);
		}
		return budget;
	}

	private InvalidDbPoolConfigurationException failure(String pool, ConnectionBudget budget) {
		int safe = budget.safeMaxConnections();
		String over = overBudget(pool, budget);
		String description = Character.toUpperCase(over.charAt(0)) + over.substring(1) + ". max-connections: "
				+ this.maxConnectionsGiven.describe() + "; instances: " + this.instancesGiven.describe() + ".";
		String action;
		if (safe >= 1) {
			action = "Set " + this.maxConnectionsName + " to " + safe + " or less (the largest safe "
					+ "max-connections), or lower " + this.instancesName + ", or raise " + budget.boundBy()
					+ ", or set " + MODE + " to clamp (lower max-connections at start-up) or warn.";
		}
		else {
			action = "Not even one connection per instance fits: raise " + budget.boundBy()
					+ " or free connections others hold, or lower " + this.instancesName + ", or set " + MODE
					+ " to warn.";
		}
		return new InvalidDbPoolConfigurationException(description, action);
	}

	private String largestSafe(ConnectionBudget budget) {
		int safe = budget.safeMaxConnections();
		if (safe < 1) {
			return "not even one connection per instance fits (raise " + budget.boundBy() + ", or lower "
					+ this.instancesName + ")";
		}
		return "the largest safe max-connections is " + safe + " (set " + this.maxConnectionsName + ", or "
				+ this.instancesName + ")";
	}

	private static String overBudget(String pool, ConnectionBudget budget) {
		return "pool '" + pool + "' over its connection budget: " + budget.describeDemand() + ", but "
				+ budget.describeLimit();
	}

}
