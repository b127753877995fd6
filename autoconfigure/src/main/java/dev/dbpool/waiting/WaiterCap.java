package dev.dbpool.waiting;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;

/**
 * The waiter cap of one pool ({@code app.db.pool.max-waiting}): admits a thread into
 * {@code getConnection()} while fewer than {@code maxWaiting} threads would then wait for
 * a connection, and rejects it at once with a {@link PoolSaturatedException} otherwise.
 * <p>
 * It counts the threads inside {@code getConnection()} itself rather than reading
 * HikariCP's count of waiting threads, which a burst outruns: threads that arrive at once
 * all read it before any of them waits. Those inside, less the connections the pool can
 * still hand out (max-connections less those in use), are the ones that wait. A thread is
 * admitted without further work while fewer than {@code maxWaiting} others are inside;
 * only beyond that is the {@link Pool} read. The pool is never locked; before the pool
 * has started (HikariCP starts it at the first borrow), nobody is rejected.
 * <p>
 * Every {@link #enter()} that returns must be followed by one {@link #leave()}, once the
 * borrow is over, whether it succeeded or not. As a {@link PoolGuard}, it sits on the
 * borrow path and reports {@value #MAX_WAITING} and {@value #REJECTED} in the pool's
 * health details and the {@value #METER} counter.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class WaiterCap implements PoolGuard {

	/** Health detail: the most threads that may wait for a connection at once. */
	public static final String MAX_WAITING = "maxWaiting";

	/** Health detail: the borrows rejected at once over the pool's life. */
	public static final String REJECTED = "rejected";

	/** Counter of borrows rejected at once. */
	public static final String METER = "db.pool.rejected";

	private final int maxWaiting;

	private final Pool pool;

	private final AtomicInteger inside = new AtomicInteger();

	private final LongAdder rejected = new LongAdder();

	/**
	 * Create a cap.
	 * @param maxWaiting the most threads that may wait for a connection at once, at least
	 * 1
	 * @param pool what the cap reads of the pool it guards
	 */
	public WaiterCap(int maxWaiting, Pool pool) {
		if (maxWaiting < 1) {
			throw new IllegalArgumentException("maxWaiting must be at least 1, was " + maxWaiting);
		}
		this.maxWaiting = maxWaiting;
		this.pool = pool;
	}

	/**
	 * Admit the calling thread into the pool's {@code getConnection()}, or reject it.
	 * @throws PoolSaturatedException if {@code maxWaiting} threads would already wait for
	 * a connection; the thread is then not inside, and must not call {@link #leave()}
	 */
	public void enter() throws PoolSaturatedException {
		int others = this.inside.incrementAndGet() - 1;
		if (others < this.maxWaiting) {
			return;
		}
		int active = this.pool.activeConnections();
		if (active < 0) {
			return;
		}
		int max = this.pool.maxConnections();
		int free = Math.max(0, max - active);
		if (others < this.maxWaiting + free) {
			return;
		}
		this.inside.decrementAndGet();
		this.rejected.increment();
		throw new PoolSaturatedException(this.pool.name(), active, max, others - free, this.maxWaiting,
				this.pool.acquireTimeout());
	}

	/**
	 * Let the calling thread out, once its borrow is over.
	 */
	public void leave() {
		this.inside.decrementAndGet();
	}

	/**
	 * Return the most threads that may wait for a connection at once.
	 * @return {@code app.db.pool.max-waiting}
	 */
	public int getMaxWaiting() {
		return this.maxWaiting;
	}

	/**
	 * Return the borrows rejected so far.
	 * @return the rejected borrows
	 */
	public long getRejected() {
		return this.rejected.sum();
	}

	/**
	 * Return the threads inside {@code getConnection()} now: waiting for a connection, or
	 * about to get one.
	 * @return the threads borrowing
	 */
	public int getBorrowing() {
		return this.inside.get();
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		details.put(MAX_WAITING, this.maxWaiting);
		details.put(REJECTED, getRejected());
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(GuardMeter.counter(METER,
				"Borrows rejected at once because max-waiting threads already waited for a connection", this,
				WaiterCap::getRejected));
	}

	@Override
	public boolean onBorrowPath() {
		return true;
	}

	/**
	 * What the cap reads of the pool it guards, only when more than {@code maxWaiting}
	 * threads are inside {@code getConnection()}.
	 */
	public interface Pool {

		/**
		 * Return the connections borrowed now.
		 * @return the active connections, or a negative number before the pool has
		 * started
		 */
		int activeConnections();

		/**
		 * Return the most connections the pool may hold now.
		 * @return max-connections
		 */
		int maxConnections();

		/**
		 * Return the pool's name, for the rejection's message.
		 * @return the name
		 */
		String name();

		/**
		 * Return how long a borrow waits for a connection at most.
		 * @return the acquire timeout
		 */
		Duration acquireTimeout();

	}

}
