package dev.dbpool.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.dbpool.diagnostics.Secrets;
import dev.dbpool.guard.ExceptionOverrides;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;
import org.postgresql.core.BaseConnection;

/**
 * The server a pool's new physical connections land on, and the failovers that moves it
 * from one primary to another. With a URL that names several hosts and
 * {@code targetServerType=primary}, pgjdbc itself checks each new connection
 * ({@code SHOW transaction_read_only}) and skips a standby, so the host a connection
 * landed on is the primary at that time and db-pool adds no round trip of its own: it
 * reads the host from the driver
 * ({@code BaseConnection.getQueryExecutor().getHostSpec()}). When it differs from the
 * last primary's, a failover is counted and one WARN line logged.
 * <p>
 * A connection opened before the failover may stay on a server that is, or became, read
 * only (a standby, {@code default_transaction_read_only}); a write there fails with
 * SQLState {@code 25006} ("cannot execute … in a read-only transaction"), which HikariCP
 * does not see as fatal. Through the pool's one exception override the connection is
 * evicted instead ({@code MUST_EVICT}), so that the next borrow opens a connection that
 * finds the primary. The server says the same in a transaction the application made read
 * only, so a write there costs one new connection too. As a {@link PoolGuard}: the
 * {@value #DETAIL} health detail and the {@value #METER} counter.
 *
 * @author db-pool
 * @since 0.6.0
 */
public final class Failovers implements PoolGuard {

	/** Health detail: the failover block. */
	public static final String DETAIL = "failover";

	/** In {@link #DETAIL}: the host:port new connections landed on last. */
	public static final String PRIMARY = "primary";

	/** In {@link #DETAIL} where the URL does not ask for a primary: the host:port. */
	public static final String HOST = "host";

	/** In {@link #DETAIL}: the failovers seen over the pool's life. */
	public static final String FAILOVERS = "failovers";

	/** In {@link #DETAIL}, once one was seen: when the last failover was seen. */
	public static final String LAST_FAILOVER_AT = "lastFailoverAt";

	/** In {@link #DETAIL}: connections evicted for a read-only server. */
	public static final String READ_ONLY_EVICTIONS = "readOnlyEvictions";

	/** Counter of the failovers seen. */
	public static final String METER = "db.pool.failovers";

	/** Counter of the connections evicted because their server was read only. */
	public static final String READ_ONLY_METER = "db.pool.read-only-evictions";

	private static final Log logger = LogFactory.getLog(Failovers.class);

	private final String pool;

	private final boolean primaryOnly;

	private final AtomicLong failovers = new AtomicLong();

	private final AtomicLong readOnlyEvictions = new AtomicLong();

	private @Nullable String host;

	private volatile @Nullable Instant lastFailoverAt;

	Failovers(String pool, boolean primaryOnly) {
		this.pool = pool;
		this.primaryOnly = primaryOnly;
	}

	/**
	 * Watch a pool for failovers: its exception override becomes one that evicts a
	 * connection on a read-only server, and decides as the pool's own override did
	 * otherwise. Call it once the pool is configured, before another watcher wraps the
	 * override.
	 * @param pool the pool
	 * @param poolName the pool's name, for the log
	 * @return the failovers of the pool
	 */
	static Failovers watch(HikariConfig pool, String poolName) {
		Properties url = parsedUrl(pool);
		String target = (url != null) ? PGProperty.TARGET_SERVER_TYPE.getOrDefault(url) : null;
		Failovers failovers = new Failovers(poolName, asksForPrimary(target));
		if (url != null && !failovers.primaryOnly && severalHosts(url)
				&& (target == null || target.equalsIgnoreCase("any"))) {
			logger.info("db-pool: pool '" + poolName + "' for " + Secrets.maskUrl(pool.getJdbcUrl())
					+ " names several hosts without targetServerType=primary: a new connection goes to the first "
					+ "host that answers, which may be a standby (a write there fails with 25006 and db-pool evicts "
					+ "the connection). Add targetServerType=primary to the URL so that new connections find the "
					+ "primary after a failover.");
		}
		// Unless the application's own override keeps the connection.
		ExceptionOverrides.chain(pool, (ex, decided) -> {
			if (decided == SQLExceptionOverride.Override.CONTINUE_EVICT && isReadOnly(ex)) {
				failovers.readOnlyEvictions.incrementAndGet();
				return SQLExceptionOverride.Override.MUST_EVICT;
			}
			return decided;
		});
		return failovers;
	}

	private static @Nullable Properties parsedUrl(HikariConfig pool) {
		String url = pool.getJdbcUrl();
		return (url != null) ? org.postgresql.Driver.parseURL(url, pool.getDataSourceProperties()) : null;
	}

	private static boolean severalHosts(Properties url) {
		String hosts = PGProperty.PG_HOST.getOrDefault(url);
		return hosts != null && hosts.contains(",");
	}

	// pgjdbc checks each new connection only where the URL (or a driver property) asks
	// for a primary; elsewhere the host may change without a failover (a standby first).
	static boolean asksForPrimary(HikariConfig pool) {
		Properties url = parsedUrl(pool);
		return asksForPrimary((url != null) ? PGProperty.TARGET_SERVER_TYPE.getOrDefault(url) : null);
	}

	private static boolean asksForPrimary(@Nullable String target) {
		return target != null && switch (target.toLowerCase(Locale.ROOT)) {
			case "primary", "master" -> true;
			default -> false;
		};
	}

	/**
	 * Whether a failure says the server is read only: SQLState {@code 25006}, or a
	 * message of a read-only transaction.
	 * @param ex the failure
	 * @return whether it is one
	 */
	static boolean isReadOnly(SQLException ex) {
		if ("25006".equals(ex.getSQLState())) {
			return true;
		}
		String message = ex.getMessage();
		return message != null && message.contains("in a read-only transaction");
	}

	/**
	 * Note the server a new physical connection landed on: no round trip, the driver
	 * knows it.
	 * @param connection the new connection
	 */
	void opened(Connection connection) {
		String host;
		try {
			host = connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().toString();
		}
		catch (SQLException | RuntimeException ex) {
			return;
		}
		connectedTo(host);
	}

	synchronized void connectedTo(String host) {
		String before = this.host;
		this.host = host;
		if (before == null || before.equals(host) || !this.primaryOnly) {
			return;
		}
		long count = this.failovers.incrementAndGet();
		this.lastFailoverAt = Instant.now();
		logger.warn("db-pool: pool '" + this.pool + "': failover seen, new connections find the primary at " + host
				+ " (was " + before + "); " + count + " failover" + ((count != 1) ? "s" : "") + " so far");
	}

	/**
	 * Return the host:port new connections landed on last.
	 * @return it, or {@code null} before the first connection
	 */
	public synchronized @Nullable String host() {
		return this.host;
	}

	/**
	 * Return how many failovers were seen.
	 * @return the number over the pool's life
	 */
	public long count() {
		return this.failovers.get();
	}

	/**
	 * Return how many connections were evicted because their server was read only.
	 * @return the number over the pool's life
	 */
	public long readOnlyEvictions() {
		return this.readOnlyEvictions.get();
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> block = new LinkedHashMap<>();
		String host = host();
		if (host != null) {
			block.put(this.primaryOnly ? PRIMARY : HOST, host);
		}
		block.put(FAILOVERS, count());
		Instant last = this.lastFailoverAt;
		if (last != null) {
			block.put(LAST_FAILOVER_AT, last.toString());
		}
		block.put(READ_ONLY_EVICTIONS, readOnlyEvictions());
		details.put(DETAIL, block);
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(
				GuardMeter.counter(METER, "Failovers seen: new connections found the primary on another host", this,
						Failovers::count),
				GuardMeter.counter(READ_ONLY_METER, "Connections evicted because their server was read only", this,
						Failovers::readOnlyEvictions));
	}

}
