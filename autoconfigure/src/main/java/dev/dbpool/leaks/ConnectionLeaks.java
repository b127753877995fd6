package dev.dbpool.leaks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.diagnostics.Durations;
import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import org.jspecify.annotations.Nullable;

/**
 * The leaks of one pool: how many connections were held longer than the leak-detection
 * threshold over the pool's life, and those of them still out. As a {@link PoolGuard}:
 * the {@value #DETAIL} health detail ({@value #TOTAL}, {@value #OUTSTANDING} and, while
 * some are out, {@value #LEAKED}) and the {@value #METER} counter. Leaks never make the
 * pool DOWN.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class ConnectionLeaks implements PoolGuard {

	/** Health detail of the pool's leaks. */
	public static final String DETAIL = "leaks";

	/** In {@link #DETAIL}: connections held longer than the threshold over its life. */
	public static final String TOTAL = "total";

	/** In {@link #DETAIL}: leaked connections not returned yet. */
	public static final String OUTSTANDING = "outstanding";

	/**
	 * In {@link #DETAIL}, while some are out: the oldest leaked connections not returned
	 * yet, at most {@value #LISTED}, each with {@value #THREAD} and {@value #HELD_FOR}.
	 */
	public static final String LEAKED = "leaked";

	/** Most leaked connections listed in {@link #LEAKED}. */
	public static final int LISTED = 10;

	/** In each of {@link #LEAKED}: the thread that borrowed the connection. */
	public static final String THREAD = "thread";

	/** In each of {@link #LEAKED}: how long the connection has been out. */
	public static final String HELD_FOR = "heldFor";

	/** Counter of the connections held longer than the leak-detection threshold. */
	public static final String METER = "db.pool.leaks";

	private final AtomicLong count = new AtomicLong();

	private final Set<LeakedConnection> outstanding = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService scheduler;

	ConnectionLeaks(ScheduledExecutorService scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Count the leaks of a pool: its housekeeping (HikariCP's leak detection among it)
	 * then runs on a scheduler of db-pool's that counts each leak HikariCP reports. Call
	 * it once the pool is configured, before it starts.
	 * @param pool the pool
	 * @return its leaks, or {@code null} if they cannot be counted: leak detection is off
	 * (a threshold set later through JMX is then logged by HikariCP, not counted), or the
	 * pool has a scheduler of its own
	 */
	public static @Nullable ConnectionLeaks countOn(HikariConfig pool) {
		if (pool.getLeakDetectionThreshold() <= 0 || pool.getScheduledExecutor() != null) {
			return null;
		}
		LeakCountingScheduler scheduler = new LeakCountingScheduler(pool);
		pool.setScheduledExecutor(scheduler);
		return scheduler.leaks();
	}

	/**
	 * Return how many connections were held longer than the threshold, returned since or
	 * not.
	 * @return the number of leaks over the pool's life
	 */
	public long count() {
		return this.count.get();
	}

	/**
	 * Return the leaked connections still out.
	 * @return the leaks not returned yet, the oldest first
	 */
	public List<LeakedConnection> outstanding() {
		return this.outstanding.stream().sorted(Comparator.comparing(LeakedConnection::borrowedAt)).toList();
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> block = new LinkedHashMap<>();
		block.put(TOTAL, count());
		List<LeakedConnection> outstanding = outstanding();
		block.put(OUTSTANDING, outstanding.size());
		if (!outstanding.isEmpty()) {
			List<Map<String, Object>> leaked = new ArrayList<>();
			for (LeakedConnection leak : outstanding.subList(0, Math.min(outstanding.size(), LISTED))) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put(THREAD, leak.thread());
				entry.put(HELD_FOR, Durations.format(leak.heldFor(now)));
				leaked.add(entry);
			}
			block.put(LEAKED, leaked);
		}
		details.put(DETAIL, block);
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(GuardMeter.counter(METER, "Connections held longer than the leak-detection threshold", this,
				ConnectionLeaks::count));
	}

	/**
	 * Shut down the scheduler the pool's housekeeping ran on.
	 */
	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

	LeakedConnection leaked(LeakedConnection leak) {
		this.count.incrementAndGet();
		this.outstanding.add(leak);
		return leak;
	}

	void returned(LeakedConnection leak) {
		this.outstanding.remove(leak);
	}

}
