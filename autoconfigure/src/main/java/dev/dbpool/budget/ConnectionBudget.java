package dev.dbpool.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.settings.BudgetMode;

/**
 * A fleet's connection budget on one server, worked out at start-up: what the server, the
 * role and the database allow, less what others hold, against what the fleet may open
 * ({@code instances × max-connections}).
 * <p>
 * Of the limits that apply, the one that leaves least is the one that binds: the server's
 * {@code max_connections} less the slots reserved for superusers (and, from PostgreSQL
 * 16, for {@code pg_use_reserved_connections}), unless the role is a superuser; the
 * role's {@code CONNECTION LIMIT}, and the database's, unless the role is a superuser or
 * there is none. A member of {@code pg_use_reserved_connections} is counted as an
 * ordinary role, so its budget errs on the safe side.
 * <p>
 * As a {@link PoolGuard}: the {@value #DETAIL} health detail ({@code limit},
 * {@code usedByOthers}, {@code instances}, {@code demand}, {@code headroom},
 * {@code safeMaxConnections}, {@code boundBy}, {@code mode}), never DOWN, and gauges of
 * the budget as read at start-up: {@value #LIMIT_METER}, {@value #USED_BY_OTHERS_METER},
 * {@value #DEMAND_METER} and {@value #HEADROOM_METER}.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class ConnectionBudget implements PoolGuard {

	/** Health detail of the budget. */
	public static final String DETAIL = "budget";

	/**
	 * Gauge of the connections the binding limit (server, role or database) allows, as
	 * read at start-up.
	 */
	public static final String LIMIT_METER = "db.pool.budget.limit";

	/** Gauge of the connections others held under that limit at start-up. */
	public static final String USED_BY_OTHERS_METER = "db.pool.budget.used.by.others";

	/** Gauge of the fleet's demand: instances × max-connections. */
	public static final String DEMAND_METER = "db.pool.budget.demand";

	/**
	 * Gauge of the connections left once the fleet has opened all it may: negative when
	 * it is over budget.
	 */
	public static final String HEADROOM_METER = "db.pool.budget.headroom";

	private final ServerLimits server;

	private final Limit binding;

	private final int instances;

	private final int maxConnections;

	private final int sideConnections;

	private final BudgetMode mode;

	private ConnectionBudget(ServerLimits server, Limit binding, int instances, int maxConnections, int sideConnections,
			BudgetMode mode) {
		this.server = server;
		this.binding = binding;
		this.instances = instances;
		this.maxConnections = maxConnections;
		this.sideConnections = sideConnections;
		this.mode = mode;
	}

	/**
	 * Work out the budget.
	 * @param server what the server said
	 * @param instances how many copies of the application share the server, at least 1
	 * @param maxConnections each copy's max-connections
	 * @param mode what is done when the fleet is over budget
	 * @return the budget
	 */
	static ConnectionBudget of(ServerLimits server, int instances, int maxConnections, BudgetMode mode) {
		return of(server, instances, maxConnections, 0, mode);
	}

	/**
	 * Work out the budget of a fleet whose instances also hold connections beside their
	 * pools.
	 * @param server what the server said
	 * @param instances how many copies of the application share the server, at least 1
	 * @param maxConnections each copy's max-connections
	 * @param sideConnections the connections each copy holds beside its pool while it
	 * runs (the server-side view's)
	 * @param mode what is done when the fleet is over budget
	 * @return the budget
	 */
	static ConnectionBudget of(ServerLimits server, int instances, int maxConnections, int sideConnections,
			BudgetMode mode) {
		List<Limit> limits = new ArrayList<>();
		if (!server.superuser()) {
			if (server.roleConnectionLimit() != ServerLimits.NO_LIMIT) {
				limits.add(
						new Limit("role '" + server.role() + "'", "role " + server.role(), server.roleConnectionLimit(),
								"CONNECTION LIMIT " + server.roleConnectionLimit(), server.usedByRole()));
			}
			if (server.databaseConnectionLimit() != ServerLimits.NO_LIMIT) {
				limits.add(new Limit("database '" + server.database() + "'", "database " + server.database(),
						server.databaseConnectionLimit(), "CONNECTION LIMIT " + server.databaseConnectionLimit(),
						server.usedInDatabase()));
			}
		}
		limits.add(serverLimit(server));
		Limit binding = limits.get(0);
		for (Limit limit : limits) {
			if (limit.available() < binding.available()) {
				binding = limit;
			}
		}
		return new ConnectionBudget(server, binding, instances, maxConnections, sideConnections, mode);
	}

	private static Limit serverLimit(ServerLimits server) {
		String rule = "max_connections " + server.maxConnections();
		int limit = server.maxConnections();
		if (!server.superuser()) {
			// Slots an ordinary role cannot have.
			rule += " - superuser_reserved_connections " + server.superuserReservedConnections();
			limit -= server.superuserReservedConnections();
			Integer reserved = server.reservedConnections();
			if (reserved != null) {
				rule += " - reserved_connections " + reserved;
				limit -= reserved;
			}
		}
		return new Limit("the server", "server", limit, rule, server.usedOnServer());
	}

	/**
	 * Return the same budget for another max-connections, as after clamping.
	 * @param maxConnections each copy's max-connections
	 * @return the budget
	 */
	public ConnectionBudget withMaxConnections(int maxConnections) {
		return new ConnectionBudget(this.server, this.binding, this.instances, maxConnections, this.sideConnections,
				this.mode);
	}

	/**
	 * Return what the server said.
	 * @return the server's limits and use
	 */
	ServerLimits serverLimits() {
		return this.server;
	}

	/**
	 * Return the binding limit: connections the server, the role or the database allows.
	 * @return the limit
	 */
	public int limit() {
		return this.binding.limit();
	}

	/**
	 * Return the connections others held, under the binding limit, when it was read.
	 * @return the connections
	 */
	public int usedByOthers() {
		return this.binding.usedByOthers();
	}

	/**
	 * Return what the binding limit leaves the fleet: the limit less what others hold.
	 * @return the connections, at least 0
	 */
	public int available() {
		return this.binding.available();
	}

	/**
	 * Return how many copies of the application share the server.
	 * @return the instances
	 */
	public int instances() {
		return this.instances;
	}

	/**
	 * Return each copy's max-connections.
	 * @return the max-connections
	 */
	public int maxConnections() {
		return this.maxConnections;
	}

	/**
	 * Return the connections each copy holds beside its pool while it runs.
	 * @return the side connections per instance
	 */
	public int sideConnections() {
		return this.sideConnections;
	}

	/**
	 * Return the most connections the fleet may open:
	 * {@code instances × (max-connections + side connections)}.
	 * @return the demand
	 */
	public long demand() {
		return (long) this.instances * (this.maxConnections + this.sideConnections);
	}

	/**
	 * Return what is left once the fleet has opened all it may; negative when it is over
	 * budget.
	 * @return {@link #available()} less {@link #demand()}
	 */
	public long headroom() {
		return available() - demand();
	}

	/**
	 * Return whether the fleet may open more connections than the server would give it.
	 * @return whether the demand is above what is available
	 */
	public boolean isOverBudget() {
		return headroom() < 0;
	}

	/**
	 * Return the largest max-connections with which the fleet fits: the available
	 * connections shared by the instances, rounded down, less each one's side
	 * connections.
	 * @return the largest safe max-connections; below 1 when none fits
	 */
	public int safeMaxConnections() {
		return available() / this.instances - this.sideConnections;
	}

	/**
	 * Return what is done when the fleet is over budget.
	 * @return the mode
	 */
	public BudgetMode mode() {
		return this.mode;
	}

	/**
	 * Name the binding limit, e.g. {@code role app CONNECTION LIMIT 3}.
	 * @return the limit's name
	 */
	public String boundBy() {
		return this.binding.boundBy() + " " + this.binding.rule();
	}

	/**
	 * Describe the binding limit and its use, e.g.
	 * {@code role 'app' allows 30 (CONNECTION LIMIT 30, 4 held by others)}.
	 * @return the description
	 */
	public String describeLimit() {
		Limit limit = this.binding;
		return limit.named() + " allows " + limit.limit() + " (" + limit.rule() + ", " + limit.usedByOthers()
				+ " held by others)";
	}

	/**
	 * Describe the fleet's demand, e.g. {@code 2 instances × max-connections 20 = 40}, or
	 * {@code 2 instances × (max-connections 20 + 1 side connection) = 42}.
	 * @return the description
	 */
	public String describeDemand() {
		String each = (this.sideConnections == 0) ? "max-connections " + this.maxConnections
				: "(max-connections " + this.maxConnections + " + " + this.sideConnections + " side connection"
						+ ((this.sideConnections != 1) ? "s" : "") + ")";
		return this.instances + ((this.instances != 1) ? " instances" : " instance") + " × " + each + " = " + demand();
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> block = new LinkedHashMap<>();
		block.put("limit", limit());
		block.put("usedByOthers", usedByOthers());
		block.put("instances", instances());
		block.put("demand", demand());
		block.put("headroom", headroom());
		block.put("safeMaxConnections", safeMaxConnections());
		block.put("boundBy", boundBy());
		block.put("mode", mode().name().toLowerCase(Locale.ROOT));
		details.put(DETAIL, block);
	}

	// Read once at start-up: the gauges hold the budget itself.
	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(
				GuardMeter.gauge(LIMIT_METER, "Connections the binding limit (server, role or database) allows", this,
						ConnectionBudget::limit),
				GuardMeter.gauge(USED_BY_OTHERS_METER, "Connections others held under the binding limit at start-up",
						this, ConnectionBudget::usedByOthers),
				GuardMeter.gauge(DEMAND_METER, "Connections the fleet may open: instances times max-connections", this,
						ConnectionBudget::demand),
				GuardMeter.gauge(HEADROOM_METER,
						"Connections left once the fleet has opened all it may, negative when over budget", this,
						ConnectionBudget::headroom));
	}

	@Override
	public String toString() {
		return describeDemand() + "; " + describeLimit();
	}

	/**
	 * One limit that applies.
	 *
	 * @param named the limit's owner in a sentence, e.g. {@code role 'app'}
	 * @param boundBy the limit's owner in a name, e.g. {@code role app}
	 * @param limit the connections it allows
	 * @param rule how the server sets it, e.g. {@code CONNECTION LIMIT 3}
	 * @param usedByOthers the connections others hold under it
	 */
	private record Limit(String named, String boundBy, int limit, String rule, int usedByOthers) {

		int available() {
			return Math.max(0, this.limit - this.usedByOthers);
		}

	}

}
