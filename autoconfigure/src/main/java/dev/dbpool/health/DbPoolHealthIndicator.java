package dev.dbpool.health;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.leaks.ConnectionLeaks;
import dev.dbpool.monitor.MonitorSettings;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.monitor.PoolSnapshot;
import dev.dbpool.monitor.PoolState;
import dev.dbpool.monitor.SizingAdvice;
import dev.dbpool.os.FileDescriptorUsage;
import dev.dbpool.pooler.PoolerGuard;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.server.ServerView;
import dev.dbpool.waiting.WaiterCap;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code dbPool} health: whether the application's HikariCP pools can serve, read
 * from the {@link PoolMonitor}'s state and HikariCP's counters. It never borrows a
 * connection, so it answers at once whatever the pools' state (Spring Boot's {@code db}
 * indicator borrows one and, on an exhausted pool, waits up to the acquire timeout).
 * <p>
 * A pool is DOWN when it has stayed saturated (utilization at or above the critical
 * utilization with threads waiting) for the grace period or longer, when it has held no
 * connection while needing some for the grace period or longer (the database cannot be
 * reached), or when it is closed; else UP, also when it has not started yet. The health
 * is DOWN if any pool is. Each call observes the pools too, so an episode starts or ends
 * at a health check as at a sample; it never logs.
 * <p>
 * Details, per pool under {@value #POOLS} when there are several: the counters, the
 * utilization and its level, the thresholds, the episodes in progress, the borrows that
 * timed out within the monitor's history, the last connection seen and, for a pool
 * db-pool built: its connection retries and what each of its {@link PoolGuard guards}
 * reports (its {@value #BUDGET}, its {@value #LEAKS} with leak detection on, and with a
 * waiter cap, its limit and the borrows it rejected; behind a pooler, its
 * {@value #POOLER} block, with PgBouncer's queue for the pool where its admin console is
 * read). Beside them, {@value #FILE_DESCRIPTORS}: the process's open and maximum file
 * descriptors, where the JVM tells them. Never the URL of the pool, nor a password.
 *
 * @author db-pool
 * @since 0.2.0
 */
public class DbPoolHealthIndicator extends AbstractHealthIndicator {

	/** Detail: the pools' details by pool name, when there are several. */
	public static final String POOLS = "pools";

	/** Detail: the pool's name. */
	public static final String POOL = "pool";

	/** Detail: not started, running, suspended or closed. */
	public static final String STATE = "state";

	/** Detail: connections borrowed. */
	public static final String ACTIVE = "active";

	/** Detail: connections ready to borrow. */
	public static final String IDLE = "idle";

	/** Detail: connections open. */
	public static final String TOTAL = "total";

	/** Detail: max-connections. */
	public static final String MAX = "max";

	/** Detail: min-connections. */
	public static final String MIN = "min";

	/** Detail: threads waiting for a connection. */
	public static final String THREADS_AWAITING = "threadsAwaiting";

	/** Detail: share of max-connections in use, 0 to 1. */
	public static final String UTILIZATION = "utilization";

	/** Detail: {@code ok}, {@code warning} or {@code critical}. */
	public static final String LEVEL = "level";

	/** Detail: the warning utilization. */
	public static final String WARN_UTILIZATION = "warnUtilization";

	/** Detail: the critical utilization. */
	public static final String CRITICAL_UTILIZATION = "criticalUtilization";

	/** Detail: the grace period before a lasting episode makes the pool DOWN. */
	public static final String EXHAUSTED_GRACE = "exhaustedGrace";

	/** Detail: how long the pool has been saturated, while it is. */
	public static final String SATURATED_FOR = "saturatedFor";

	/** Detail: how long the pool has been exhausted, while it is. */
	public static final String EXHAUSTED_FOR = "exhaustedFor";

	/** Detail: how long the pool has held no connection while needing some. */
	public static final String NO_CONNECTION_FOR = "noConnectionFor";

	/** Detail: borrows that timed out within {@link #ACQUIRE_TIMEOUTS_WINDOW}. */
	public static final String ACQUIRE_TIMEOUTS = "acquireTimeouts";

	/** Detail: the time {@link #ACQUIRE_TIMEOUTS} counts over: the monitor's history. */
	public static final String ACQUIRE_TIMEOUTS_WINDOW = "acquireTimeoutsWindow";

	/**
	 * Detail, for a pool db-pool built: when it last opened a connection.
	 */
	public static final String LAST_CONNECTION_OPENED_AT = "lastConnectionOpenedAt";

	/**
	 * Detail, for a pool db-pool built: connections it opened over its life.
	 */
	public static final String CONNECTIONS_OPENED = "connectionsOpened";

	/**
	 * Detail, for a pool db-pool built: attempts to open a connection it retried over its
	 * life.
	 * @since 0.3.0
	 */
	public static final String CONNECTION_RETRIES = "connectionRetries";

	/**
	 * Detail, for a pool db-pool built, while its attempts to open a connection fail: how
	 * many failed since it last opened one.
	 */
	public static final String CONNECTION_ATTEMPTS_FAILING = "connectionAttemptsFailing";

	/**
	 * Detail, for a pool db-pool built, while its attempts to open a connection fail: the
	 * SQLState and message of the last failure.
	 */
	public static final String LAST_CONNECTION_FAILURE = "lastConnectionFailure";

	/**
	 * Detail, with a meter registry: the last observation at which HikariCP's count of
	 * connections created had risen.
	 */
	public static final String LAST_CONNECTION_CREATED_SEEN_AT = "lastConnectionCreatedSeenAt";

	/**
	 * Detail, without a meter registry: the last observation at which the pool held a
	 * connection.
	 */
	public static final String LAST_SEEN_WITH_CONNECTIONS_AT = "lastSeenWithConnectionsAt";

	/**
	 * Detail, for a pool db-pool built whose connection budget was checked at start-up:
	 * the budget, with {@code limit} (connections the binding limit allows),
	 * {@code usedByOthers} (held by others under it then), {@code instances},
	 * {@code demand} (instances × max-connections), {@code headroom} (negative when over
	 * budget), {@code safeMaxConnections}, {@code boundBy} (e.g.
	 * {@code role app CONNECTION LIMIT 30}) and {@code mode}. It never makes the pool
	 * DOWN.
	 */
	public static final String BUDGET = ConnectionBudget.DETAIL;

	/**
	 * Detail, for a pool db-pool built with leak detection on: the connections held
	 * longer than the leak-detection threshold ({@link #LEAKS_TOTAL},
	 * {@link #LEAKS_OUTSTANDING}, {@link #LEAKED}). Leaks never make the pool DOWN.
	 * @since 0.3.0
	 */
	public static final String LEAKS = ConnectionLeaks.DETAIL;

	/**
	 * Detail, in {@link #LEAKS}: connections held longer than the threshold over the
	 * pool's life.
	 * @since 0.3.0
	 */
	public static final String LEAKS_TOTAL = ConnectionLeaks.TOTAL;

	/**
	 * Detail, in {@link #LEAKS}: leaked connections not returned yet.
	 * @since 0.3.0
	 */
	public static final String LEAKS_OUTSTANDING = ConnectionLeaks.OUTSTANDING;

	/**
	 * Detail, in {@link #LEAKS}, while some are out: the oldest leaked connections not
	 * returned yet, at most {@value #LEAKED_LISTED}, each with {@link #LEAKED_THREAD} and
	 * {@link #LEAKED_HELD_FOR}.
	 * @since 0.3.0
	 */
	public static final String LEAKED = ConnectionLeaks.LEAKED;

	/**
	 * Most leaked connections listed in {@link #LEAKED}.
	 * @since 0.3.0
	 */
	public static final int LEAKED_LISTED = ConnectionLeaks.LISTED;

	/**
	 * Detail, in each of {@link #LEAKED}: the name of the thread that borrowed the
	 * connection.
	 * @since 0.3.0
	 */
	public static final String LEAKED_THREAD = ConnectionLeaks.THREAD;

	/**
	 * Detail, in each of {@link #LEAKED}: how long the connection has been out.
	 * @since 0.3.0
	 */
	public static final String LEAKED_HELD_FOR = ConnectionLeaks.HELD_FOR;

	/**
	 * Detail, where the JVM tells them (not on Windows): the process's file descriptors,
	 * {@link #FILE_DESCRIPTORS_OPEN}, {@link #FILE_DESCRIPTORS_MAX} and
	 * {@link #FILE_DESCRIPTORS_USAGE}, beside the pools' details.
	 * @since 0.3.0
	 */
	public static final String FILE_DESCRIPTORS = "fileDescriptors";

	/**
	 * Detail, in {@link #FILE_DESCRIPTORS}: descriptors open.
	 * @since 0.3.0
	 */
	public static final String FILE_DESCRIPTORS_OPEN = "open";

	/**
	 * Detail, in {@link #FILE_DESCRIPTORS}: most descriptors the process may open.
	 * @since 0.3.0
	 */
	public static final String FILE_DESCRIPTORS_MAX = "max";

	/**
	 * Detail, in {@link #FILE_DESCRIPTORS}: share of the maximum open, 0 to 1.
	 * @since 0.3.0
	 */
	public static final String FILE_DESCRIPTORS_USAGE = "usage";

	/**
	 * Detail, for a pool db-pool built with a waiter cap: the most threads that may wait
	 * for a connection at once.
	 * @since 0.3.0
	 */
	public static final String MAX_WAITING = WaiterCap.MAX_WAITING;

	/**
	 * Detail, for a pool db-pool built with a waiter cap: the borrows it rejected at once
	 * over the pool's life.
	 * @since 0.3.0
	 */
	public static final String REJECTED = WaiterCap.REJECTED;

	/**
	 * Detail, for a pool db-pool built behind a pooler or with
	 * {@code app.db.pool.pooler.admin-url} set: the pooler's {@code mode}, where it came
	 * {@code from}, db-pool's {@code handling} and the {@code timeouts} check; and from
	 * PgBouncer's admin console, its {@code adminUrl} (without credentials) and the row
	 * of the pool's database and user: {@code clientsActive}, {@code clientsWaiting},
	 * {@code serversActive}, {@code serversIdle}, {@code serversUsed}, {@code maxWait},
	 * {@code poolMode} and {@code sampledAt}, or {@code poolNotFound} saying why none
	 * matched; while reads fail, {@code consoleFailure} and {@code consoleFailingSince}.
	 * It never makes the pool DOWN.
	 * @since 0.5.0
	 */
	public static final String POOLER = PoolerGuard.DETAIL;

	/**
	 * Detail: the pool size the monitor's samples call for ({@link SizingAdvice}):
	 * {@value #SIZING_RECOMMENDED}, {@code busy} and {@code demand} (the most connections
	 * held, and held or waited for, at once on average in a monitor interval),
	 * {@code borrowsPerSecond}, {@code meanHoldMs}, {@code meanWaitMs},
	 * {@code databaseSaturated}, {@code window} and {@value #SIZING_ADVICE} (why, or why
	 * there is none yet). It never makes the pool DOWN.
	 * @since 0.8.0
	 */
	public static final String SIZING = "sizing";

	/**
	 * Detail, in {@link #SIZING}: the max-connections recommended.
	 * @since 0.8.0
	 */
	public static final String SIZING_RECOMMENDED = "recommendedMaxConnections";

	/**
	 * Detail, in {@link #SIZING}: why that size, or why there is no advice yet.
	 * @since 0.8.0
	 */
	public static final String SIZING_ADVICE = "advice";

	/** Detail: why the pool is DOWN. */
	public static final String REASON = "reason";

	/**
	 * Detail, for a read replica's pool that would be DOWN, while
	 * {@code app.db.pool.replicas.required} is false: that it is not, and where read-only
	 * work goes.
	 * @since 0.7.0
	 */
	public static final String REPLICA_NOT_REQUIRED = "replicaNotRequired";

	/**
	 * Detail, for a read replica's pool: its {@code primary} pool, whether it
	 * {@code takesReads} and where they go ({@code readsGoTo}: replica, primary or
	 * nowhere), the {@code reason} and {@code since} while it takes none, its {@code lag}
	 * and {@code lagReadAt}, {@code maxLag}, {@code fallback}, {@code required}, the
	 * {@code fallbacks} (read-only borrows sent to the primary), the hosts
	 * {@code notInRecovery} and, with several hosts, each one's lag. A replica that
	 * cannot take reads makes the health DOWN only when {@code required}.
	 * @since 0.7.0
	 */
	public static final String REPLICA = ReadReplica.DETAIL;

	/**
	 * Detail, with the server view: what the server showed of the application's sessions
	 * at its last read, and why reads fail while they do; never makes the health DOWN.
	 */
	public static final String SERVER = "server";

	private final PoolMonitor monitor;

	private final Duration exhaustedGrace;

	private final @Nullable ServerView serverView;

	/**
	 * Create an indicator.
	 * @param monitor the monitor whose pools to report
	 * @param exhaustedGrace how long a pool may stay saturated, or without a connection
	 * while needing one, before it is DOWN
	 */
	public DbPoolHealthIndicator(PoolMonitor monitor, Duration exhaustedGrace) {
		this(monitor, exhaustedGrace, null);
	}

	/**
	 * Create an indicator that also reports the server's view.
	 * @param monitor the monitor whose pools to report
	 * @param exhaustedGrace how long a pool may stay saturated, or without a connection
	 * while needing one, before it is DOWN
	 * @param serverView the server view to report under {@value #SERVER}, or {@code null}
	 * @since 0.3.0
	 */
	public DbPoolHealthIndicator(PoolMonitor monitor, Duration exhaustedGrace, @Nullable ServerView serverView) {
		super("db-pool health check failed");
		this.monitor = monitor;
		this.exhaustedGrace = exhaustedGrace;
		this.serverView = serverView;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		List<PoolState> pools = this.monitor.pools();
		boolean down = false;
		if (pools.size() == 1) {
			Map<String, Object> details = new LinkedHashMap<>();
			down = report(pools.get(0), details);
			builder.withDetails(details);
		}
		else {
			Map<String, Object> byPool = new LinkedHashMap<>();
			for (PoolState pool : pools) {
				Map<String, Object> details = new LinkedHashMap<>();
				down |= report(pool, details);
				// Pools are named apart as a rule; should two share a name, the bean
				// names tell them apart.
				byPool.put(byPool.containsKey(pool.name()) ? pool.beanName() : pool.name(), details);
			}
			builder.withDetail(POOLS, byPool);
		}
		putFileDescriptors(builder);
		@Nullable Map<String, Object> server = (this.serverView != null) ? ServerViewDetails.of(this.serverView) : null;
		if (server != null) {
			builder.withDetail(SERVER, server);
		}
		builder.status(down ? Status.DOWN : Status.UP);
	}

	private boolean report(PoolState pool, Map<String, Object> details) {
		PoolSnapshot now = pool.observe();
		MonitorSettings settings = pool.settings();
		details.put(POOL, now.pool());
		details.put(STATE, now.state().toString());
		details.put(ACTIVE, now.active());
		details.put(IDLE, now.idle());
		details.put(TOTAL, now.total());
		details.put(MAX, now.max());
		details.put(MIN, now.min());
		details.put(THREADS_AWAITING, now.threadsAwaiting());
		details.put(UTILIZATION, Math.round(now.utilization() * 1000) / 1000.0);
		details.put(LEVEL, settings.levelOf(now.utilization()).toString());
		details.put(WARN_UTILIZATION, settings.warnUtilization());
		details.put(CRITICAL_UTILIZATION, settings.criticalUtilization());
		details.put(EXHAUSTED_GRACE, Durations.format(this.exhaustedGrace));
		Duration saturated = putDuration(details, SATURATED_FOR, pool.saturatedFor(now));
		putDuration(details, EXHAUSTED_FOR, pool.exhaustedFor(now));
		Duration starved = putDuration(details, NO_CONNECTION_FOR, pool.starvedFor(now));
		putAcquireTimeouts(details, pool, now);
		PhysicalConnectionSource source = PhysicalConnectionSource.of(pool.dataSource());
		Instant failingSince = (source != null) ? source.getFailingSince() : null;
		Duration failing = (failingSince != null) ? Duration.between(failingSince, now.time()) : null;
		if (source != null) {
			// Counted where the pool opens its connections: exact, and known at once.
			details.put(CONNECTIONS_OPENED, source.getOpened());
			putTime(details, LAST_CONNECTION_OPENED_AT, source.getLastOpened());
			details.put(CONNECTION_RETRIES, source.getRetries());
			if (failing != null) {
				details.put(CONNECTION_ATTEMPTS_FAILING, source.getFailedInARow());
				details.put(LAST_CONNECTION_FAILURE, String.valueOf(source.getLastFailure()));
			}
		}
		else if (now.connectionsCreated() != PoolSnapshot.UNKNOWN) {
			putTime(details, LAST_CONNECTION_CREATED_SEEN_AT, pool.lastConnectionCreated());
		}
		else {
			putTime(details, LAST_SEEN_WITH_CONNECTIONS_AT, pool.lastSeenWithConnections());
		}
		if (pool.dataSource() instanceof DbPoolDataSource dbPool) {
			// What the guards know of the pool db-pool built; none makes it DOWN.
			for (PoolGuard guard : dbPool.guards()) {
				guard.putDetails(details, now.time());
			}
		}
		String reason = null;
		if (now.state() == PoolSnapshot.State.CLOSED) {
			reason = "the pool is closed";
		}
		else if (lasted(saturated)) {
			reason = "saturated for " + Durations.format(saturated) + ": at or above "
					+ Math.round(settings.criticalUtilization() * 100) + "% of max-connections with threads waiting";
		}
		else if (lasted(failing)) {
			reason = "attempts to open a connection have failed for " + Durations.format(failing)
					+ ": the database cannot be reached";
		}
		else if (lasted(starved)) {
			reason = "no connection for " + Durations.format(starved)
					+ " while it needs some: the database cannot be reached";
		}
		putSizing(details, pool.advice());
		ReadReplica replica = (pool.dataSource() instanceof DbPoolDataSource dbPool) ? dbPool.guard(ReadReplica.class)
				: null;
		if (replica != null) {
			String away = replica.unavailable();
			if (!replica.settings().required() && reason != null) {
				details.put(REASON, reason);
				details.put(REPLICA_NOT_REQUIRED, OptionalReplicaHealthIndicator.notRequired(replica));
				return false;
			}
			if (replica.settings().required() && reason == null && away != null) {
				reason = "the read replica cannot take read-only work: " + away;
			}
		}
		if (reason != null) {
			details.put(REASON, reason);
		}
		return reason != null;
	}

	// Beside what adaptive sizing put there, if the pool is sized adaptively.
	@SuppressWarnings("unchecked")
	private static void putSizing(Map<String, Object> details, @Nullable SizingAdvice advice) {
		Map<String, Object> sizing = new LinkedHashMap<>();
		if (details.get(SIZING) instanceof Map<?, ?> adaptive) {
			sizing.putAll((Map<String, Object>) adaptive);
		}
		if (advice == null) {
			sizing.put(SIZING_ADVICE, "none yet: it needs " + SizingAdvice.MIN_INTERVALS + " monitor intervals with "
					+ SizingAdvice.MIN_BORROWS + " borrows in all, and HikariCP's timers in a meter registry");
		}
		else {
			sizing.put(SIZING_RECOMMENDED, advice.recommendedMaxConnections());
			sizing.put("busy", advice.busy());
			sizing.put("demand", advice.demand());
			sizing.put("borrowsPerSecond", advice.borrowsPerSecond());
			sizing.put("meanHoldMs", Math.round(advice.meanHold().toNanos() / 1e3) / 1e3);
			sizing.put("meanWaitMs", Math.round(advice.meanWait().toNanos() / 1e3) / 1e3);
			sizing.put("databaseSaturated", advice.databaseSaturated());
			sizing.put("window", Durations.format(advice.window()));
			sizing.put(SIZING_ADVICE, advice.basis());
		}
		details.put(SIZING, sizing);
	}

	private boolean lasted(@Nullable Duration episode) {
		return episode != null && episode.compareTo(this.exhaustedGrace) >= 0;
	}

	private static @Nullable Duration putDuration(Map<String, Object> details, String key,
			@Nullable Duration duration) {
		if (duration != null) {
			details.put(key, Durations.format(duration));
		}
		return duration;
	}

	private static void putTime(Map<String, Object> details, String key, @Nullable Instant time) {
		if (time != null) {
			details.put(key, time.toString());
		}
	}

	private static void putFileDescriptors(Health.Builder builder) {
		FileDescriptorUsage usage = FileDescriptorUsage.recent();
		if (usage != null) {
			Map<String, Object> block = new LinkedHashMap<>();
			block.put(FILE_DESCRIPTORS_OPEN, usage.open());
			block.put(FILE_DESCRIPTORS_MAX, usage.max());
			block.put(FILE_DESCRIPTORS_USAGE, Math.round(usage.usage() * 1000) / 1000.0);
			builder.withDetail(FILE_DESCRIPTORS, block);
		}
	}

	private static void putAcquireTimeouts(Map<String, Object> details, PoolState pool, PoolSnapshot now) {
		if (now.acquireTimeouts() == PoolSnapshot.UNKNOWN) {
			return;
		}
		for (PoolSnapshot oldest : pool.history()) {
			if (oldest.acquireTimeouts() != PoolSnapshot.UNKNOWN) {
				details.put(ACQUIRE_TIMEOUTS, Math.max(0, now.acquireTimeouts() - oldest.acquireTimeouts()));
				details.put(ACQUIRE_TIMEOUTS_WINDOW, Durations.format(Duration.between(oldest.time(), now.time())));
				return;
			}
		}
	}

}
