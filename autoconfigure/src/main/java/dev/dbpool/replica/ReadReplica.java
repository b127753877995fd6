package dev.dbpool.replica;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.diagnostics.SqlFailures;
import dev.dbpool.guard.ExceptionOverrides;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.guard.SideReader;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.ReplicaFallback;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The read replica behind a replica's pool, as the pool's {@link PoolGuard}: whether it
 * can take read-only work now, and why not. It cannot while its server is unreachable (a
 * connection of the pool was lost, opening one fails, or the lag cannot be read) or while
 * it lags more than {@code app.db.pool.replicas.max-lag}; the work then goes where
 * {@code app.db.pool.replicas.fallback} says ({@link ReplicaRouter}), and comes back once
 * a read of the replica works again and its lag is back under half of max-lag (so that a
 * lag hovering at the limit does not flip reads at every read). One log line each way.
 * <p>
 * The lag is read on the pool monitor's thread ({@link #sample()}, every
 * {@code monitor.server-interval}) over one connection of its own per host the URL names:
 * {@code now() - pg_last_xact_replay_timestamp()} while the standby has received WAL it
 * has not replayed yet, 0 when it has replayed all it received (caught up, and idle or
 * keeping up). A host that is not in recovery (promoted, or the URL points at a primary)
 * is reported, once per streak, and still takes reads. Without the monitor there is no
 * read to bring reads back, so a lost connection only retires the pool's connections and
 * reads stay on the replica.
 * <p>
 * What it costs read-only work: one volatile read per borrow while the replica takes it;
 * nothing on the replica's own connections until a statement fails.
 *
 * @author db-pool
 * @since 0.7.0
 */
public final class ReadReplica implements PoolGuard, AutoCloseable {

	/** Health detail: the replica block. */
	public static final String DETAIL = "replica";

	/** In {@link #DETAIL}: the primary's pool, where reads fall back to. */
	public static final String PRIMARY = "primary";

	/** In {@link #DETAIL}: whether read-only work goes to the replica now. */
	public static final String TAKES_READS = "takesReads";

	/** In {@link #DETAIL}: where read-only work goes now: replica, primary or nowhere. */
	public static final String READS_GO_TO = "readsGoTo";

	/** In {@link #DETAIL}, while it takes none: why. */
	public static final String REASON = "reason";

	/** In {@link #DETAIL}, while it takes none: since when. */
	public static final String SINCE = "since";

	/** In {@link #DETAIL}: the lag at the last read (the largest of its hosts'). */
	public static final String LAG = "lag";

	/** In {@link #DETAIL}: when the lag was last read. */
	public static final String LAG_READ_AT = "lagReadAt";

	/** In {@link #DETAIL}: the max-lag, or {@code off}. */
	public static final String MAX_LAG = "maxLag";

	/** In {@link #DETAIL}: the fallback. */
	public static final String FALLBACK = "fallback";

	/** In {@link #DETAIL}: whether the health goes DOWN when it cannot take reads. */
	public static final String REQUIRED = "required";

	/** In {@link #DETAIL}: read-only borrows sent to the primary over the pool's life. */
	public static final String FALLBACKS = "fallbacks";

	/**
	 * In {@link #DETAIL}, with several hosts: each host's lag, or why it cannot be read.
	 */
	public static final String HOSTS = "hosts";

	/** In {@link #DETAIL}, while some are: the hosts that are not in recovery. */
	public static final String NOT_IN_RECOVERY = "notInRecovery";

	/**
	 * Time gauge of the replication lag, NaN before the first read and while reads fail.
	 */
	public static final String LAG_METER = "db.replica.lag";

	/** Gauge: 1 while the replica takes read-only work, 0 while it goes elsewhere. */
	public static final String AVAILABLE_METER = "db.replica.available";

	/** Counter of the read-only borrows sent to the primary. */
	public static final String FALLBACKS_METER = "db.replica.fallbacks";

	/** What the lag reader's connection is for, in its {@code application_name}. */
	public static final String PURPOSE = "replica lag";

	// 0 once all WAL received is replayed: a standby with nothing to replay is current,
	// however old its last replayed transaction.
	private static final String LAG_SQL = "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() "
			+ "OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
			+ "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END";

	private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(ReadReplica.class);

	private final String pool;

	private final PoolSettings.Replica settings;

	private final List<Host> hosts;

	private final BooleanSupplier openingFails;

	private final Runnable retireConnections;

	private final LongAdder fallbacks = new LongAdder();

	private volatile @Nullable Away away;

	private volatile @Nullable Duration lag;

	private volatile @Nullable Instant lagReadAt;

	private volatile List<String> notInRecovery = List.of();

	private volatile boolean watched;

	/**
	 * Create the guard of a replica's pool. Nothing is opened until the first read.
	 * @param pool the replica pool's name
	 * @param settings the replica's settings
	 * @param hosts the hosts its URL names, as {@code host:port}
	 * @param side opens the lag reader's connections beside the pool
	 * @param openingFails whether the pool's attempts to open a connection fail now
	 * @param retireConnections retires the pool's connections (they are closed as they
	 * come back), once one was found lost
	 */
	public ReadReplica(String pool, PoolSettings.Replica settings, List<String> hosts, SideConnections side,
			BooleanSupplier openingFails, Runnable retireConnections) {
		this.pool = pool;
		this.settings = settings;
		this.openingFails = openingFails;
		this.retireConnections = retireConnections;
		List<Host> readers = new ArrayList<>();
		for (String host : hosts) {
			SideReader.Opener<Connection> opener = (hosts.size() > 1) ? () -> open(side.open(host, PURPOSE))
					: () -> open(side.open(PURPOSE));
			readers.add(new Host(host, new SideReader<>(logger, "the lag reader of read replica pool '" + pool + "'",
					"the replica at " + host, settings.interval(), opener, ReadReplica::read)));
		}
		this.hosts = List.copyOf(readers);
	}

	private static Connection open(Connection connection) throws SQLException {
		try {
			connection.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
			return connection;
		}
		catch (SQLException ex) {
			connection.close();
			throw ex;
		}
	}

	private static HostRead read(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(LAG_SQL)) {
			result.next();
			return new HostRead(result.getBoolean(1), Duration.ofNanos(Math.round(result.getDouble(2) * 1e9)));
		}
	}

	/**
	 * Return the settings of the replica.
	 * @return the settings
	 */
	public PoolSettings.Replica settings() {
		return this.settings;
	}

	/**
	 * Whether read-only work goes to the replica now.
	 * @return whether it does
	 */
	public boolean takesReads() {
		return this.away == null;
	}

	/**
	 * Return why read-only work does not go to the replica now.
	 * @return why, or {@code null} while it does
	 */
	public @Nullable String unavailable() {
		Away away = this.away;
		return (away != null) ? away.reason() : null;
	}

	/**
	 * Return the replication lag at the last read: the largest of its hosts'.
	 * @return the lag, or {@code null} before the first read and while reads fail
	 */
	public @Nullable Duration lag() {
		return this.lag;
	}

	/**
	 * Return how many read-only borrows were sent to the primary.
	 * @return the number over the pool's life
	 */
	public long fallbacks() {
		return this.fallbacks.sum();
	}

	/**
	 * Let the lag reads decide where read-only work goes: called once they are scheduled
	 * on the monitor's thread. Until then, a lost connection does not send reads away,
	 * since nothing would bring them back.
	 */
	public void scheduled() {
		this.watched = true;
	}

	/**
	 * Read each host's lag once, and move read-only work away from the replica or back to
	 * it. Never throws; meant for the monitor's thread, every
	 * {@code monitor.server-interval}.
	 */
	public void sample() {
		Duration worst = null;
		String failure = null;
		List<String> primaries = new ArrayList<>();
		for (Host host : this.hosts) {
			HostRead read = host.reader().sample();
			if (read == null) {
				SideReader.Failure failed = host.reader().failure();
				failure = ((this.hosts.size() > 1) ? host.name() + ": " : "")
						+ ((failed != null) ? failed.message() : "closed");
				continue;
			}
			if (!read.inRecovery()) {
				primaries.add(host.name());
			}
			worst = (worst == null || read.lag().compareTo(worst) > 0) ? read.lag() : worst;
		}
		this.lag = worst;
		this.lagReadAt = Instant.now();
		reportNotInRecovery(primaries);
		if (worst == null) {
			moveAway(Cause.UNREACHABLE, "its lag cannot be read: " + failure);
		}
		else if (isLagging(worst)) {
			moveAway(Cause.LAGGING, "it lags " + Durations.format(worst) + ", more than max-lag "
					+ Durations.format(this.settings.maxLag()));
		}
		else {
			comeBack();
		}
	}

	private boolean isLagging(Duration lag) {
		Duration max = this.settings.maxLag();
		if (max == null) {
			return false;
		}
		Away away = this.away;
		// Back once under half of it, so that a lag at the limit does not flip reads.
		Duration limit = (away != null && away.cause() == Cause.LAGGING) ? max.dividedBy(2) : max;
		return lag.compareTo(limit) > 0;
	}

	private void reportNotInRecovery(List<String> primaries) {
		List<String> before = this.notInRecovery;
		this.notInRecovery = List.copyOf(primaries);
		if (!primaries.isEmpty() && !before.containsAll(primaries)) {
			logger.warn("db-pool: read replica pool '" + this.pool + "': " + String.join(", ", primaries)
					+ " is not in recovery: it is a primary (promoted, or app.db.pool.replicas.url points at the "
					+ "primary), so read-only work there does not take load off pool '" + this.settings.primary()
					+ "''s server. Point app.db.pool.replicas.url at standbys.");
		}
		else if (primaries.isEmpty() && !before.isEmpty()) {
			logger.info("db-pool: read replica pool '" + this.pool + "': " + String.join(", ", before)
					+ " is in recovery again");
		}
	}

	/**
	 * Note that a statement on one of the replica's connections failed: if the connection
	 * is gone, read-only work goes elsewhere until a read of the replica works again.
	 * @param ex the failure
	 */
	void failed(SQLException ex) {
		if (SqlFailures.isConnectionLost(ex.getSQLState(), SqlFailures.isFatal(ex))) {
			moveAway(Cause.LOST, "it lost a connection (" + SqlFailures.describe(ex) + ")");
		}
	}

	/**
	 * Note that the replica's pool could not hand over a connection (it timed out, or it
	 * could not start): if its attempts to open one fail, read-only work goes elsewhere
	 * until a read of the replica works again.
	 * @param ex the failure
	 * @return whether read-only work may go elsewhere
	 */
	boolean cannotOpen(Exception ex) {
		// A pool that is only busy times out too, while it opens connections fine.
		if (this.openingFails.getAsBoolean()) {
			moveAway(Cause.UNREACHABLE, "opening a connection fails (" + SqlFailures.describe(ex) + ")");
			return this.watched;
		}
		return false;
	}

	/**
	 * Hand over a connection for read-only work that the replica cannot take: one of the
	 * primary's, set read only for the work (HikariCP sets it back when it returns), or
	 * none with fallback {@code fail}.
	 * @param primary the primary's pool
	 * @return the connection
	 * @throws SQLException with fallback {@code fail}, a
	 * {@link ReplicaUnavailableException}; else if the primary cannot hand one over
	 */
	Connection fallBack(DataSource primary) throws SQLException {
		if (this.settings.fallback() == ReplicaFallback.FAIL) {
			String reason = unavailable();
			throw new ReplicaUnavailableException(this.pool, (reason != null) ? reason : "it cannot be reached");
		}
		this.fallbacks.increment();
		Connection connection = primary.getConnection();
		try {
			connection.setReadOnly(true);
			return connection;
		}
		catch (SQLException ex) {
			connection.close();
			throw ex;
		}
	}

	private void moveAway(Cause cause, String reason) {
		boolean lost = cause != Cause.LAGGING;
		if (!this.watched) {
			if (lost) {
				this.retireConnections.run();
			}
			return;
		}
		synchronized (this) {
			Away before = this.away;
			if (before != null) {
				if (before.cause() != cause && cause != Cause.LOST) {
					this.away = new Away(cause, reason, before.since());
				}
				return;
			}
			this.away = new Away(cause, reason, Instant.now());
		}
		if (lost) {
			// The replica's other connections are as dead as the lost one.
			this.retireConnections.run();
		}
		logger.warn("db-pool: read replica pool '" + this.pool + "': " + reason + "; read-only work "
				+ ((this.settings.fallback() == ReplicaFallback.PRIMARY)
						? "goes to pool '" + this.settings.primary() + "' (fallback primary)"
						: "fails with 503 (fallback fail)")
				+ " until a read of the replica every " + Durations.format(this.settings.interval()) + " finds it "
				+ ((cause == Cause.LAGGING) ? "caught up" : "back"));
	}

	private void comeBack() {
		Away before;
		synchronized (this) {
			before = this.away;
			this.away = null;
		}
		if (before != null && logger.isInfoEnabled()) {
			String away = Durations.format(Duration.between(before.since(), Instant.now()));
			logger.info("db-pool: read replica pool '" + this.pool + "' takes read-only work again, after " + away
					+ ((this.settings.fallback() == ReplicaFallback.PRIMARY)
							? " on pool '" + this.settings.primary() + "'" : " of failing it (fallback fail)")
					+ " (" + before.reason() + ")");
		}
	}

	/**
	 * Watch the replica's pool for connections lost under a statement; it decides as its
	 * own override did. Call it once the pool is configured, before it starts.
	 * @param pool the replica's pool
	 */
	public void watch(HikariConfig pool) {
		ExceptionOverrides.chain(pool, (ex, decided) -> {
			failed(ex);
			return decided;
		});
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> block = new LinkedHashMap<>();
		block.put(PRIMARY, this.settings.primary());
		Away away = this.away;
		block.put(TAKES_READS, away == null);
		block.put(READS_GO_TO, (away == null) ? "replica"
				: (this.settings.fallback() == ReplicaFallback.PRIMARY) ? "primary" : "nowhere");
		if (away != null) {
			block.put(REASON, away.reason());
			block.put(SINCE, away.since().toString());
		}
		Duration lag = this.lag;
		if (lag != null) {
			block.put(LAG, Durations.format(lag));
		}
		Instant readAt = this.lagReadAt;
		if (readAt != null) {
			block.put(LAG_READ_AT, readAt.toString());
		}
		Duration max = this.settings.maxLag();
		block.put(MAX_LAG, (max != null) ? Durations.format(max) : "off");
		block.put(FALLBACK, this.settings.fallback().name().toLowerCase(Locale.ROOT));
		block.put(REQUIRED, this.settings.required());
		block.put(FALLBACKS, fallbacks());
		List<String> primaries = this.notInRecovery;
		if (!primaries.isEmpty()) {
			block.put(NOT_IN_RECOVERY, primaries);
		}
		if (this.hosts.size() > 1) {
			Map<String, Object> hosts = new LinkedHashMap<>();
			for (Host host : this.hosts) {
				HostRead read = host.reader().current();
				SideReader.Failure failure = host.reader().failure();
				hosts.put(host.name(), (read != null) ? Durations.format(read.lag())
						: (failure != null) ? failure.message() : "not read yet");
			}
			block.put(HOSTS, hosts);
		}
		details.put(DETAIL, block);
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(GuardMeter.timeGauge(LAG_METER, "Replication lag of the read replica, at its last read", this,
				(replica) -> {
					Duration lag = replica.lag();
					return (lag != null) ? lag.toNanos() / 1e9 : Double.NaN;
				}),
				GuardMeter.gauge(AVAILABLE_METER, "1 while the read replica takes read-only work, else 0", this,
						(replica) -> replica.takesReads() ? 1 : 0),
				GuardMeter.counter(FALLBACKS_METER, "Read-only borrows sent to the primary", this,
						ReadReplica::fallbacks));
	}

	@Override
	public void close() {
		for (Host host : this.hosts) {
			host.reader().close();
		}
	}

	private enum Cause {

		LOST, UNREACHABLE, LAGGING

	}

	private record Away(Cause cause, String reason, Instant since) {

	}

	private record HostRead(boolean inRecovery, Duration lag) {

	}

	private record Host(String name, SideReader<Connection, HostRead> reader) {

	}

}
