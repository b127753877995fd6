package dev.dbpool.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.dbpool.monitor.PoolCounters;
import dev.dbpool.monitor.PoolSnapshot;
import dev.dbpool.monitor.PoolTimings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the counts HikariCP keeps only in its own Micrometer meters, which Spring Boot
 * binds to each pool: {@code hikaricp.connections.timeout}, the count of
 * {@code hikaricp.connections.creation}, and the counts and total times of
 * {@code hikaricp.connections.usage} and {@code hikaricp.connections.acquire}, tagged
 * {@code pool}. In a registry that keeps counts per step rather than since the start,
 * differences over an interval are off. A meter, once found, is kept; until HikariCP has
 * registered it (at the pool's start) the count is {@link PoolSnapshot#UNKNOWN}.
 *
 * @author db-pool
 * @since 0.2.0
 */
public class MicrometerPoolCounters implements PoolCounters {

	/** HikariCP's counter of borrows that timed out. */
	public static final String TIMEOUTS = "hikaricp.connections.timeout";

	/** HikariCP's timer of connections opened. */
	public static final String CREATION = "hikaricp.connections.creation";

	/** HikariCP's timer of the time connections were held, recorded at each return. */
	public static final String USAGE = "hikaricp.connections.usage";

	/** HikariCP's timer of the time borrows waited for a connection. */
	public static final String ACQUIRE = "hikaricp.connections.acquire";

	/** Tag HikariCP puts the pool's name in. */
	public static final String POOL_TAG = "pool";

	private final MeterRegistry registry;

	private final Map<String, Counter> timeouts = new ConcurrentHashMap<>();

	private final Map<String, Timer> creations = new ConcurrentHashMap<>();

	private final Map<String, Timer> usages = new ConcurrentHashMap<>();

	private final Map<String, Timer> acquires = new ConcurrentHashMap<>();

	/**
	 * Create counters reading a registry.
	 * @param registry the registry HikariCP's meters are in
	 */
	public MicrometerPoolCounters(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public long acquireTimeouts(String pool) {
		Counter counter = find(this.timeouts, pool, () -> this.registry.find(TIMEOUTS).tag(POOL_TAG, pool).counter());
		return (counter != null) ? (long) counter.count() : PoolSnapshot.UNKNOWN;
	}

	@Override
	public long connectionsCreated(String pool) {
		Timer timer = find(this.creations, pool, () -> this.registry.find(CREATION).tag(POOL_TAG, pool).timer());
		return (timer != null) ? timer.count() : PoolSnapshot.UNKNOWN;
	}

	@Override
	public PoolTimings timings(String pool) {
		Timer usage = find(this.usages, pool, () -> this.registry.find(USAGE).tag(POOL_TAG, pool).timer());
		Timer acquire = find(this.acquires, pool, () -> this.registry.find(ACQUIRE).tag(POOL_TAG, pool).timer());
		if (usage == null || acquire == null) {
			return PoolTimings.UNKNOWN;
		}
		return new PoolTimings(usage.count(), (long) usage.totalTime(TimeUnit.NANOSECONDS), acquire.count(),
				(long) acquire.totalTime(TimeUnit.NANOSECONDS));
	}

	private static <M> @Nullable M find(Map<String, M> found, String pool, Lookup<M> lookup) {
		M meter = found.get(pool);
		if (meter == null) {
			meter = lookup.find();
			if (meter != null) {
				found.put(pool, meter);
			}
		}
		return meter;
	}

	@FunctionalInterface
	private interface Lookup<M> {

		@Nullable M find();

	}

}
