package dev.dbpool.leaks;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The leaks of one pool: how many connections were held longer than the leak-detection
 * threshold over the pool's life, and those of them still out.
 *
 * @author db-pool
 * @since 0.3.0
 * @see LeakCountingScheduler
 */
public final class ConnectionLeaks {

	private final AtomicLong count = new AtomicLong();

	private final Set<LeakedConnection> outstanding = ConcurrentHashMap.newKeySet();

	ConnectionLeaks() {
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

	LeakedConnection leaked(LeakedConnection leak) {
		this.count.incrementAndGet();
		this.outstanding.add(leak);
		return leak;
	}

	void returned(LeakedConnection leak) {
		this.outstanding.remove(leak);
	}

}
