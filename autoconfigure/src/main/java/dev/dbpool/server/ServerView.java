package dev.dbpool.server;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.dbpool.diagnostics.Durations;
import dev.dbpool.guard.SideConnections;
import dev.dbpool.guard.SideReader;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads what the server sees of a pool's sessions ({@code pg_stat_activity}) over one
 * connection of its own beside the pool, never from it, so that it also works when the
 * pool is exhausted: {@link SideConnections#open(String) opened} as the pool opens its
 * own, but under an {@code application_name} of its own
 * ({@code "<application name> [db-pool monitor]"}), kept open between reads, opened again
 * when broken, and closed by {@link #close()}. Each read is one query in a transaction of
 * its own, limited by a statement timeout of {@value #STATEMENT_TIMEOUT} set for that
 * transaction only (so that, behind a pooler in transaction mode, it cannot stay on a
 * server session another client gets next), and the connection waits at most
 * {@link #NETWORK_TIMEOUT} for an answer (also for a saturated pooler's server
 * connection), so that a read never holds the monitor's thread for long.
 * <p>
 * A read logs a WARN when sessions of the application have been idle in a transaction
 * longer than the warning threshold: one line per read at most. When the server cannot be
 * read, it logs one WARN per failing streak, not per read, and an INFO when it can be
 * read again. Meant to be run by the pool monitor's thread, every
 * {@link ServerViewSettings#interval()}; it starts no thread of its own.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class ServerView implements AutoCloseable {

	/** What the side connection is for, in its {@code application_name}. */
	public static final String PURPOSE = "monitor";

	/** The statement timeout of the side connection. */
	public static final String STATEMENT_TIMEOUT = "5s";

	/**
	 * The longest the side connection waits for the server to answer: the statement
	 * timeout and a margin. Behind a pooler, a read first waits for one of the pooler's
	 * server connections, which the statement timeout does not bound: without this, a
	 * saturated pooler would hold the monitor's thread for the pool's socket timeout.
	 */
	static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(10);

	/** Most server processes named in a log line. */
	private static final int PIDS_LOGGED = 5;

	private static final Log logger = LogFactory.getLog(ServerView.class);

	// The application's sessions: its application_name, in this database, not this one.
	// The server-wide total counts every client connection, this one included.
	private static final String QUERY = """
			WITH sessions AS (
				SELECT pid, backend_type, state, xact_start, query_start, state_change,
					(application_name = ? AND datname = current_database() AND pid <> pg_backend_pid()) AS mine
				FROM pg_stat_activity
			)
			SELECT
				(SELECT count(*) FROM sessions WHERE backend_type = 'client backend') AS total,
				current_setting('max_connections')::int AS max_connections,
				count(*) FILTER (WHERE state = 'active') AS active,
				count(*) FILTER (WHERE state = 'idle') AS idle,
				count(*) FILTER (WHERE state = 'idle in transaction') AS idle_in_transaction,
				count(*) FILTER (WHERE state = 'idle in transaction (aborted)') AS idle_in_transaction_aborted,
				coalesce((extract(epoch FROM max(now() - xact_start)) * 1000)::bigint, 0) AS oldest_transaction,
				coalesce((extract(epoch FROM max(now() - query_start) FILTER (WHERE state = 'active')) * 1000)::bigint,
					0) AS longest_query,
				array_agg(pid ORDER BY state_change)
					FILTER (WHERE state LIKE 'idle in transaction%') AS idle_pids,
				array_agg((extract(epoch FROM now() - state_change) * 1000)::bigint ORDER BY state_change)
					FILTER (WHERE state LIKE 'idle in transaction%') AS idle_millis
			FROM sessions
			WHERE mine""";

	private final String poolName;

	private final String applicationName;

	private final ServerViewSettings settings;

	private final SideReader<Connection, ServerActivity> reader;

	/**
	 * Create a view of a pool's sessions. Nothing is opened until the first read.
	 * @param poolName the pool's name
	 * @param applicationName the {@code application_name} of the pool's connections, by
	 * which the server tells them from others
	 * @param side opens the view's own connection
	 * @param settings how to read and what to warn about
	 */
	public ServerView(String poolName, String applicationName, SideConnections side, ServerViewSettings settings) {
		this.poolName = poolName;
		this.applicationName = applicationName;
		this.settings = settings;
		this.reader = new SideReader<>(logger, "the server view of pool '" + poolName + "'", "the server",
				settings.interval(), () -> open(side), this::read);
	}

	/**
	 * Return the name of the pool whose sessions are read.
	 * @return the pool's name
	 */
	public String poolName() {
		return this.poolName;
	}

	/**
	 * Return the {@code application_name} of the pool's connections.
	 * @return the name the view looks for
	 */
	public String applicationName() {
		return this.applicationName;
	}

	/**
	 * Return the settings.
	 * @return the settings
	 */
	public ServerViewSettings settings() {
		return this.settings;
	}

	/**
	 * Return what the last successful read saw.
	 * @return the snapshot, or {@code null} before the first successful read
	 */
	public @Nullable ServerActivity latest() {
		return this.reader.latest();
	}

	/**
	 * Return what the last read saw, if it succeeded.
	 * @return the snapshot, or {@code null} before the first read and while reads fail
	 */
	public @Nullable ServerActivity current() {
		return this.reader.current();
	}

	/**
	 * Return the failing streak in progress.
	 * @return the streak, or {@code null} if the last read succeeded or none was made
	 */
	public SideReader.@Nullable Failure failure() {
		return this.reader.failure();
	}

	/**
	 * Read the server once: what the monitor's thread does every interval. Never throws:
	 * a failure is kept, logged once per failing streak, and the next read tries again
	 * with a new connection.
	 * @return what the server showed, or {@code null} if it could not be read
	 */
	public @Nullable ServerActivity sample() {
		ServerActivity activity = this.reader.sample();
		if (activity != null) {
			warnAboutIdleTransactions(activity);
		}
		return activity;
	}

	private static Connection open(SideConnections side) throws SQLException {
		Connection connection = side.open(PURPOSE);
		try {
			// Each read is a transaction of its own, which bounds its statement.
			connection.setAutoCommit(false);
			connection.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
		}
		catch (SQLException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	private ServerActivity read(Connection connection) throws SQLException {
		try (Statement timeout = connection.createStatement()) {
			// Local to the read's transaction: behind a pooler in transaction mode, a
			// session setting would stay on a server session that other clients share.
			timeout.execute("SET LOCAL statement_timeout = '" + STATEMENT_TIMEOUT + "'");
		}
		ServerActivity activity = query(connection);
		connection.commit();
		return activity;
	}

	private ServerActivity query(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
			statement.setString(1, this.applicationName);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				Map<String, Integer> connections = new LinkedHashMap<>();
				// Columns 3 to 6: the counts, in the order of STATES.
				for (int i = 0; i < ServerActivity.STATES.size(); i++) {
					connections.put(ServerActivity.STATES.get(i), result.getInt(3 + i));
				}
				return new ServerActivity(Instant.now(), connections, millis(result.getLong("oldest_transaction")),
						millis(result.getLong("longest_query")),
						idleSessions(result.getArray("idle_pids"), result.getArray("idle_millis")),
						result.getInt("total"), result.getInt("max_connections"));
			}
		}
	}

	private static List<ServerActivity.IdleSession> idleSessions(@Nullable Array pids, @Nullable Array millis)
			throws SQLException {
		List<ServerActivity.IdleSession> sessions = new ArrayList<>();
		if (pids != null && millis != null) {
			Object[] pid = (Object[]) pids.getArray();
			Object[] idle = (Object[]) millis.getArray();
			// Ordered by the time they became idle: the longest idle first.
			for (int i = 0; i < pid.length; i++) {
				sessions.add(new ServerActivity.IdleSession(((Number) pid[i]).intValue(),
						millis(((Number) idle[i]).longValue())));
			}
		}
		return sessions;
	}

	private static Duration millis(long millis) {
		// The server's now() is when the read's own statement started: a session may have
		// started a moment later.
		return Duration.ofMillis(Math.max(0, millis));
	}

	private void warnAboutIdleTransactions(ServerActivity activity) {
		List<ServerActivity.IdleSession> over = activity.idleInTransaction()
			.stream()
			.filter((session) -> session.idleFor().compareTo(this.settings.idleInTransactionWarning()) > 0)
			.toList();
		if (over.isEmpty() || !logger.isWarnEnabled()) {
			return;
		}
		String pids = over.stream()
			.limit(PIDS_LOGGED)
			.map((session) -> String.valueOf(session.pid()))
			.collect(Collectors.joining(", ", (over.size() > 1) ? "pids " : "pid ",
					(over.size() > PIDS_LOGGED) ? ", …" : ""));
		Duration timeout = this.settings.idleInTransactionTimeout();
		logger.warn("db-pool: " + over.size() + " session" + ((over.size() > 1) ? "s" : "") + " of '"
				+ this.applicationName + "' idle in a transaction for more than "
				+ Durations.format(this.settings.idleInTransactionWarning()) + " (longest "
				+ Durations.format(over.get(0).idleFor()) + "; " + pids
				+ "): a transaction left open — a missing commit or rollback, or a slow call between statements; "
				+ (timeout.isZero() ? "idle-in-transaction-timeout is 0, so the server never ends it"
						: "idle-in-transaction-timeout ends it after " + Durations.format(timeout)));
	}

	/**
	 * Close the side connection; later reads do nothing.
	 */
	@Override
	public void close() {
		this.reader.close();
	}

}
