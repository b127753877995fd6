package dev.dbpool.health;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.dbpool.diagnostics.Durations;
import dev.dbpool.guard.SideReader;
import dev.dbpool.server.ServerActivity;
import dev.dbpool.server.ServerView;
import org.jspecify.annotations.Nullable;

/**
 * The {@value DbPoolHealthIndicator#SERVER} detail of the {@code dbPool} health: what the
 * {@link ServerView} last read, and its failing streak while reads fail.
 *
 * @author db-pool
 */
final class ServerViewDetails {

	/** Detail: the application's sessions by state, PostgreSQL's names. */
	static final String CONNECTIONS = "connections";

	/** Detail: age of the application's oldest open transaction. */
	static final String OLDEST_TRANSACTION = "oldestTransaction";

	/** Detail: time the application's longest-running query has run. */
	static final String LONGEST_QUERY = "longestQuery";

	/** Detail: how long the longest-idle session has been idle in a transaction. */
	static final String LONGEST_IDLE_IN_TRANSACTION = "longestIdleInTransaction";

	/** Detail: client connections on the whole server. */
	static final String TOTAL = "total";

	/** Detail: the server's {@code max_connections}. */
	static final String MAX_CONNECTIONS = "maxConnections";

	/** Detail: when the server was last read. */
	static final String SAMPLED_AT = "sampledAt";

	/** Detail, while reads fail: the SQLState and message of the last failure. */
	static final String LAST_FAILURE = "lastFailure";

	/** Detail, while reads fail: when the first failed. */
	static final String FAILING_SINCE = "failingSince";

	private ServerViewDetails() {
	}

	/**
	 * Return the details of a server view.
	 * @param view the view
	 * @return the details, or {@code null} before its first read
	 */
	static @Nullable Map<String, Object> of(ServerView view) {
		ServerActivity activity = view.latest();
		SideReader.Failure failure = view.failure();
		if (activity == null && failure == null) {
			return null;
		}
		Map<String, Object> details = new LinkedHashMap<>();
		if (activity != null) {
			Map<String, Object> connections = new LinkedHashMap<>();
			ServerActivity.STATES.forEach((state) -> connections.put(state, activity.connections(state)));
			details.put(CONNECTIONS, connections);
			details.put(OLDEST_TRANSACTION, Durations.format(activity.oldestTransaction()));
			details.put(LONGEST_QUERY, Durations.format(activity.longestQuery()));
			details.put(LONGEST_IDLE_IN_TRANSACTION, Durations.format(activity.longestIdleInTransaction()));
			details.put(TOTAL, activity.total());
			details.put(MAX_CONNECTIONS, activity.maxConnections());
			details.put(SAMPLED_AT, activity.sampledAt().toString());
		}
		if (failure != null) {
			details.put(LAST_FAILURE, failure.message());
			details.put(FAILING_SINCE, failure.since().toString());
		}
		return details;
	}

}
