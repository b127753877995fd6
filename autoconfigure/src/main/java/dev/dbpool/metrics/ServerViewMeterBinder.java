package dev.dbpool.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import dev.dbpool.server.ServerActivity;
import dev.dbpool.server.ServerView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes the {@code db.server.*} gauges of the {@link ServerView}: what the server
 * showed of the pool's sessions at its last read, tagged {@code pool} with the pool's
 * name as in HikariCP's {@code hikaricp.*} meters. Each is NaN before the first read and
 * while reads fail:
 * <ul>
 * <li>{@value #CONNECTIONS}: the application's sessions by {@code state}, PostgreSQL's
 * names: {@code active}, {@code idle}, {@code idle in transaction},
 * {@code idle in transaction (aborted)};</li>
 * <li>{@value #CONNECTIONS_USED}: client connections on the whole server;</li>
 * <li>{@value #CONNECTIONS_MAX}: the server's {@code max_connections};</li>
 * <li>{@value #TRANSACTION_OLDEST}: age of the application's oldest open transaction, 0
 * if none;</li>
 * <li>{@value #QUERY_LONGEST}: time the application's longest-running query has run, 0 if
 * none.</li>
 * </ul>
 *
 * @author db-pool
 * @since 0.3.0
 */
public class ServerViewMeterBinder implements MeterBinder {

	/** Gauge of the application's sessions on the server, tagged {@value #STATE_TAG}. */
	public static final String CONNECTIONS = "db.server.connections";

	/** Gauge of the client connections on the whole server. */
	public static final String CONNECTIONS_USED = "db.server.connections.used";

	/** Gauge of the server's {@code max_connections}. */
	public static final String CONNECTIONS_MAX = "db.server.connections.max";

	/** Time gauge of the age of the application's oldest open transaction. */
	public static final String TRANSACTION_OLDEST = "db.server.transaction.oldest";

	/** Time gauge of the time the application's longest-running query has run. */
	public static final String QUERY_LONGEST = "db.server.query.longest";

	/** Tag of {@value #CONNECTIONS}: the session state, as PostgreSQL names it. */
	public static final String STATE_TAG = "state";

	private final ServerView view;

	/**
	 * Create a binder.
	 * @param view the server view whose reads to publish
	 */
	public ServerViewMeterBinder(ServerView view) {
		this.view = view;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		String pool = this.view.poolName();
		for (String state : ServerActivity.STATES) {
			Gauge.builder(CONNECTIONS, this.view, read((activity) -> activity.connections(state)))
				.description("The application's sessions on the server in a state, from pg_stat_activity")
				.tag(MicrometerPoolCounters.POOL_TAG, pool)
				.tag(STATE_TAG, state)
				.strongReference(true)
				.register(registry);
		}
		Gauge.builder(CONNECTIONS_USED, this.view, read(ServerActivity::total))
			.description("Client connections on the whole server")
			.tag(MicrometerPoolCounters.POOL_TAG, pool)
			.strongReference(true)
			.register(registry);
		Gauge.builder(CONNECTIONS_MAX, this.view, read(ServerActivity::maxConnections))
			.description("The server's max_connections")
			.tag(MicrometerPoolCounters.POOL_TAG, pool)
			.strongReference(true)
			.register(registry);
		timeGauge(registry, TRANSACTION_OLDEST, pool, ServerActivity::oldestTransaction,
				"Age of the application's oldest open transaction on the server");
		timeGauge(registry, QUERY_LONGEST, pool, ServerActivity::longestQuery,
				"Time the application's longest-running query on the server has run");
	}

	private void timeGauge(MeterRegistry registry, String name, String pool,
			Function<ServerActivity, Duration> duration, String description) {
		TimeGauge
			.builder(name, this.view, TimeUnit.MILLISECONDS, read((activity) -> duration.apply(activity).toMillis()))
			.description(description)
			.tag(MicrometerPoolCounters.POOL_TAG, pool)
			.strongReference(true)
			.register(registry);
	}

	private static ToDoubleFunction<ServerView> read(ToDoubleFunction<ServerActivity> value) {
		return (view) -> {
			ServerActivity activity = view.current();
			return (activity != null) ? value.applyAsDouble(activity) : Double.NaN;
		};
	}

}
