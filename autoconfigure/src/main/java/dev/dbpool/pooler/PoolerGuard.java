package dev.dbpool.pooler;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.settings.PoolerMode;

/**
 * The pooler a pool connects through, as its health details show it: the mode, how it was
 * known, what db-pool does about it, and what the start-up check found of the timeouts;
 * with {@link PgBouncerConsole}, PgBouncer's queue for the pool joins this block.
 *
 * @author db-pool
 * @since 0.5.0
 */
public final class PoolerGuard implements PoolGuard {

	/** Detail: the pooler's block in the pool's health details. */
	public static final String DETAIL = "pooler";

	private final Map<String, Object> details;

	/**
	 * Describe a pool's pooler.
	 * @param settings the pool's settings, with the pooler's mode resolved
	 * @param timeouts what the timeout check found, or {@code null} if it did not run
	 */
	public PoolerGuard(PoolSettings settings, String timeouts) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("mode", settings.pooler().mode().externalName());
		details.put("from", settings.source(PoolSettings.POOLER).source());
		details.put("handling", settings.pooler().describe());
		details.put("timeouts", timeouts);
		// What the server-side view's counts mean through the pooler.
		details.put("serverView",
				(settings.pooler().mode() == PoolerMode.PGBOUNCER_TRANSACTION)
						? "server sessions whose last transaction was this application's, shared with other clients"
						: "the server sessions this pool's connections hold, one each");
		this.details = Collections.unmodifiableMap(details);
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		merge(details, this.details);
	}

	// The pooler's block is shared with the admin console's reader.
	static void merge(Map<String, Object> details, Map<String, Object> more) {
		Map<String, Object> block = new LinkedHashMap<>();
		if (details.get(DETAIL) instanceof Map<?, ?> existing) {
			existing.forEach((key, value) -> block.put(String.valueOf(key), value));
		}
		block.putAll(more);
		details.put(DETAIL, Collections.unmodifiableMap(block));
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of();
	}

}
