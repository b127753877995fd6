package dev.dbpool.waiting;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

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
 * only beyond that are HikariCP's counters read. The pool is never locked; before the
 * pool has started (HikariCP starts it at the first borrow), nobody is rejected.
 * <p>
 * Every {@link #enter(HikariDataSource)} that returns must be followed by one
 * {@link #leave()}, once the borrow is over, whether it succeeded or not.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class WaiterCap {

	private final int maxWaiting;

	private final AtomicInteger inside = new AtomicInteger();

	private final LongAdder rejected = new LongAdder();

	/**
	 * Create a cap.
	 * @param maxWaiting the most threads that may wait for a connection at once, at least
	 * 1
	 */
	public WaiterCap(int maxWaiting) {
		if (maxWaiting < 1) {
			throw new IllegalArgumentException("maxWaiting must be at least 1, was " + maxWaiting);
		}
		this.maxWaiting = maxWaiting;
	}

	/**
	 * Admit the calling thread into the pool's {@code getConnection()}, or reject it.
	 * @param pool the pool it borrows from
	 * @throws PoolSaturatedException if {@code maxWaiting} threads would already wait for
	 * a connection; the thread is then not inside, and must not call {@link #leave()}
	 */
	public void enter(HikariDataSource pool) throws PoolSaturatedException {
		int others = this.inside.incrementAndGet() - 1;
		if (others < this.maxWaiting) {
			return;
		}
		HikariPoolMXBean counters = pool.getHikariPoolMXBean();
		if (counters == null) {
			return;
		}
		int max = pool.getMaximumPoolSize();
		int active = counters.getActiveConnections();
		int free = Math.max(0, max - active);
		if (others < this.maxWaiting + free) {
			return;
		}
		this.inside.decrementAndGet();
		this.rejected.increment();
		throw new PoolSaturatedException(String.valueOf(pool.getPoolName()), active, max, others - free,
				this.maxWaiting, Duration.ofMillis(pool.getConnectionTimeout()));
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

}
