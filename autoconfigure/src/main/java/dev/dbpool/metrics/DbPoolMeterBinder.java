package dev.dbpool.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolMonitorListener;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.monitor.SizingAdvice;
import dev.dbpool.pooler.PreparedStatementCollisions;
import dev.dbpool.pooler.PgBouncerConsole;
import dev.dbpool.waiting.WaiterCap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes the {@code db.pool.*} meters of every pool the {@link PoolMonitor} watches,
 * tagged {@code pool} with the pool's name as in HikariCP's {@code hikaricp.*} meters.
 * They are registered when the monitor first sees the pool started (HikariCP names a pool
 * that has none at its start):
 * <ul>
 * <li>{@value #UTILIZATION}: gauge, share of max-connections in use (0 to 1), read from
 * HikariCP's counters at each read;</li>
 * <li>{@value #RECOMMENDED_MAX_CONNECTIONS}: gauge, the max-connections the monitor's
 * samples call for ({@link SizingAdvice}), NaN until they hold enough load;</li>
 * <li>{@value #EXHAUSTED}: counter of exhaustion episodes (every connection borrowed,
 * threads waiting), counted when one starts;</li>
 * <li>{@value #EXHAUSTED_DURATION}: timer of the time spent exhausted, recording each
 * episode's length when it ends, so an episode in progress is not in it yet;</li>
 * <li>{@value #RETRIES}: counter of retried attempts to open a physical connection, for a
 * pool db-pool built (one that opens its connections through a
 * {@link PhysicalConnectionSource}), read from it at each read;</li>
 * <li>for a pool db-pool built, the meters each of its {@link PoolGuard guards}
 * publishes: for a connection budget checked at start-up, gauges of that budget:
 * {@value #BUDGET_LIMIT}, {@value #BUDGET_USED_BY_OTHERS}, {@value #BUDGET_DEMAND} and
 * {@value #BUDGET_HEADROOM};</li>
 * <li>{@value #LEAKS}: function counter of the connections held longer than the
 * leak-detection threshold, counted when HikariCP reports the leak, for a pool db-pool
 * built with leak detection on;</li>
 * <li>{@value #REJECTED}: counter of borrows the waiter cap rejected at once, for a pool
 * db-pool built with {@code app.db.pool.max-waiting} set;</li>
 * <li>{@value #PREPARED_STATEMENT_ERRORS}: function counter of the statements that failed
 * because prepared statements collided on server sessions a pooler shares, for a pool
 * db-pool built with a PostgreSQL URL.</li>
 * <li>PgBouncer's queue for a pool db-pool built with
 * {@code app.db.pool.pooler.admin-url} set, as its admin console last showed it (NaN
 * before the first read, while reads fail and while it shows no pool of the pool's
 * database and user): gauges {@value #POOLER_CLIENTS_ACTIVE},
 * {@value #POOLER_CLIENTS_WAITING}, {@value #POOLER_SERVERS_ACTIVE},
 * {@value #POOLER_SERVERS_IDLE} and the time gauge {@value #POOLER_WAIT_MAX}.</li>
 * </ul>
 *
 * @author db-pool
 * @since 0.2.0
 */
public class DbPoolMeterBinder implements MeterBinder {

	/**
	 * Gauge of the max-connections the monitor's samples call for.
	 * @since 0.8.0
	 */
	public static final String RECOMMENDED_MAX_CONNECTIONS = "db.pool.recommended.max-connections";

	/** Gauge of the share of max-connections in use. */
	public static final String UTILIZATION = "db.pool.utilization";

	/** Counter of exhaustion episodes. */
	public static final String EXHAUSTED = "db.pool.exhausted";

	/** Timer of the time spent exhausted, per episode. */
	public static final String EXHAUSTED_DURATION = "db.pool.exhausted.duration";

	/**
	 * Counter of retried attempts to open a physical connection.
	 * @since 0.3.0
	 */
	public static final String RETRIES = "db.pool.retries";

	/**
	 * Gauge of the connections the binding limit (server, role or database) allows, as
	 * read at start-up.
	 */
	public static final String BUDGET_LIMIT = ConnectionBudget.LIMIT_METER;

	/** Gauge of the connections others held under that limit at start-up. */
	public static final String BUDGET_USED_BY_OTHERS = ConnectionBudget.USED_BY_OTHERS_METER;

	/** Gauge of the fleet's demand: instances × max-connections. */
	public static final String BUDGET_DEMAND = ConnectionBudget.DEMAND_METER;

	/**
	 * Gauge of the connections left once the fleet has opened all it may: negative when
	 * it is over budget.
	 */
	public static final String BUDGET_HEADROOM = ConnectionBudget.HEADROOM_METER;

	/**
	 * Counter of the connections held longer than the leak-detection threshold.
	 * @since 0.3.0
	 */
	public static final String LEAKS = ConnectionLeaks.METER;

	/**
	 * Counter of borrows the waiter cap rejected at once.
	 * @since 0.3.0
	 */
	public static final String REJECTED = WaiterCap.METER;

	/**
	 * Counter of the statements that failed because prepared statements collided on
	 * server sessions a pooler shares.
	 * @since 0.5.0
	 */
	public static final String PREPARED_STATEMENT_ERRORS = PreparedStatementCollisions.METER;

	/**
	 * Gauge of PgBouncer's clients of the pool, active or idle ({@code cl_active}).
	 * @since 0.5.0
	 */
	public static final String POOLER_CLIENTS_ACTIVE = PgBouncerConsole.CLIENTS_ACTIVE_METER;

	/**
	 * Gauge of PgBouncer's clients of the pool waiting for a server connection
	 * ({@code cl_waiting}).
	 * @since 0.5.0
	 */
	public static final String POOLER_CLIENTS_WAITING = PgBouncerConsole.CLIENTS_WAITING_METER;

	/**
	 * Gauge of PgBouncer's server connections of the pool linked to a client
	 * ({@code sv_active}).
	 * @since 0.5.0
	 */
	public static final String POOLER_SERVERS_ACTIVE = PgBouncerConsole.SERVERS_ACTIVE_METER;

	/**
	 * Gauge of PgBouncer's server connections of the pool ready for a client
	 * ({@code sv_idle}).
	 * @since 0.5.0
	 */
	public static final String POOLER_SERVERS_IDLE = PgBouncerConsole.SERVERS_IDLE_METER;

	/**
	 * Time gauge of how long PgBouncer's oldest waiting client of the pool has waited
	 * ({@code maxwait}).
	 * @since 0.5.0
	 */
	public static final String POOLER_WAIT_MAX = PgBouncerConsole.WAIT_MAX_METER;

	private final PoolMonitor monitor;

	/**
	 * Create a binder.
	 * @param monitor the monitor whose pools to publish
	 */
	public DbPoolMeterBinder(PoolMonitor monitor) {
		this.monitor = monitor;
	}

	private static double recommended(PoolState pool) {
		SizingAdvice advice = pool.advice();
		return (advice != null) ? advice.recommendedMaxConnections() : Double.NaN;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.monitor.addListener(new PoolMeters(registry));
	}

	private static final class PoolMeters implements PoolMonitorListener {

		private final MeterRegistry registry;

		private final Map<PoolState, Meters> meters = new ConcurrentHashMap<>();

		private PoolMeters(MeterRegistry registry) {
			this.registry = registry;
		}

		@Override
		public void poolStarted(PoolState pool) {
			meters(pool);
		}

		@Override
		public void exhaustionStarted(PoolState pool) {
			meters(pool).exhausted.increment();
		}

		@Override
		public void exhaustionEnded(PoolState pool, Duration duration) {
			meters(pool).duration.record(duration);
		}

		private Meters meters(PoolState pool) {
			return this.meters.computeIfAbsent(pool, this::register);
		}

		private Meters register(PoolState pool) {
			String name = pool.name();
			Gauge.builder(UTILIZATION, pool, PoolState::utilization)
				.description("Share of the pool's maximum connections in use, 0 to 1")
				.tag(MicrometerPoolCounters.POOL_TAG, name)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder(RECOMMENDED_MAX_CONNECTIONS, pool, DbPoolMeterBinder::recommended)
				.description("Max-connections the monitor's samples call for (NaN until they hold enough load)")
				.tag(MicrometerPoolCounters.POOL_TAG, name)
				.strongReference(true)
				.register(this.registry);
			Counter exhausted = Counter.builder(EXHAUSTED)
				.description("Episodes of the pool being exhausted: every connection borrowed, threads waiting")
				.tag(MicrometerPoolCounters.POOL_TAG, name)
				.register(this.registry);
			Timer duration = Timer.builder(EXHAUSTED_DURATION)
				.description("Time the pool spent exhausted, recorded per episode when it ends")
				.tag(MicrometerPoolCounters.POOL_TAG, name)
				.register(this.registry);
			PhysicalConnectionSource source = PhysicalConnectionSource.of(pool.dataSource());
			if (source != null) {
				FunctionCounter.builder(RETRIES, source, PhysicalConnectionSource::getRetries)
					.description("Attempts to open a physical connection that were retried after a failure "
							+ "the server may recover from")
					.tag(MicrometerPoolCounters.POOL_TAG, name)
					.register(this.registry);
			}
			if (pool.dataSource() instanceof DbPoolDataSource dbPool) {
				registerGuards(dbPool, name);
			}
			return new Meters(exhausted, duration);
		}

		// Each guard's meters, as it describes them.
		private void registerGuards(DbPoolDataSource pool, String name) {
			for (PoolGuard guard : pool.guards()) {
				for (GuardMeter<?> meter : guard.meters()) {
					register(meter, name);
				}
			}
		}

		private <T> void register(GuardMeter<T> meter, String name) {
			if (meter.type() == GuardMeter.Type.GAUGE) {
				Gauge.builder(meter.name(), meter.state(), meter.value())
					.description(meter.description())
					.tag(MicrometerPoolCounters.POOL_TAG, name)
					.strongReference(true)
					.register(this.registry);
			}
			else if (meter.type() == GuardMeter.Type.TIME_GAUGE) {
				TimeGauge.builder(meter.name(), meter.state(), TimeUnit.SECONDS, meter.value())
					.description(meter.description())
					.tag(MicrometerPoolCounters.POOL_TAG, name)
					.strongReference(true)
					.register(this.registry);
			}
			else {
				FunctionCounter.builder(meter.name(), meter.state(), meter.value())
					.description(meter.description())
					.tag(MicrometerPoolCounters.POOL_TAG, name)
					.register(this.registry);
			}
		}

	}

	private record Meters(Counter exhausted, Timer duration) {
	}

}
