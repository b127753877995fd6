package dev.dbpool.datasource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * A pool's cumulative borrow counts and times, kept in striped cells (as a
 * {@link java.util.concurrent.atomic.LongAdder} keeps one count): each thread adds to the
 * stripe its id selects, each stripe on cache lines of its own, so the borrow path
 * allocates nothing, takes no lock and seldom shares a written cache line with another
 * core. Reading sums the stripes.
 * <p>
 * Hold times are exact in nanoseconds without a time kept per connection: a borrow adds
 * its time to the sum of borrow times, a return adds its time to the sum of return times,
 * and the time connections were held until {@code now} is
 * {@code returned - borrowed + outstanding × now}, the time so far of the connections
 * still out included. Each time is stored as its offset from this object's creation plus
 * 2<sup>60</sup> ({@link #OFFSET}), in wrapping arithmetic, so that a read that sees half
 * of an update (a count without its time, or a time without its count: up to 15 at once)
 * lands outside {@code [0, OFFSET)}: such a read is retried, never reported.
 *
 * @author db-pool
 */
final class BorrowCells {

	/** Added to each stored time: a half-seen update is off by about this much. */
	static final long OFFSET = 1L << 60;

	// Two 64-byte cache lines per stripe, the adjacent-line prefetcher's unit.
	private static final int STRIDE = 16;

	private static final int ACQUIRES = 0;

	private static final int WAITED = 1;

	private static final int BORROWED_AT = 2;

	private static final int RETURNS = 3;

	private static final int RETURNED_AT = 4;

	private static final int TIMEOUTS = 5;

	private static final int CREATED = 6;

	private static final int MAX_STRIPES = 64;

	private static final int SPINS = 8;

	// Spins, then pauses of 10 µs doubling to 5 ms: at most about half a second.
	private static final int READ_ATTEMPTS = SPINS + 100;

	private static final long MIN_PAUSE_NANOS = 10_000;

	private static final long MAX_PAUSE_NANOS = 5_000_000;

	private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

	private final long base = System.nanoTime();

	private final long[] cells;

	// Each stripe's histogram of acquire times, BUCKETS wide, after a stripe of padding.
	private final long[] waits;

	private final int stripes;

	private final int shift;

	BorrowCells() {
		this(Runtime.getRuntime().availableProcessors() * 4);
	}

	BorrowCells(int stripes) {
		int count = Math.min(MAX_STRIPES, Integer.highestOneBit(Math.max(2, stripes - 1)) << 1);
		this.stripes = count;
		this.shift = Long.SIZE - Integer.numberOfTrailingZeros(count);
		// A stripe's width of padding before the first and after the last.
		this.cells = new long[(count + 2) * STRIDE];
		this.waits = new long[(count + 1) * WaitHistogram.BUCKETS + STRIDE];
	}

	int stripes() {
		return this.stripes;
	}

	/**
	 * A borrow got a connection after waiting a time.
	 * @param waitedNanos the wait
	 */
	void acquired(long waitedNanos) {
		long at = System.nanoTime() - this.base + OFFSET;
		int cell = cell();
		// The count before the time, which a read takes in the other order.
		CELLS.getAndAdd(this.cells, cell + ACQUIRES, 1L);
		CELLS.getAndAdd(this.cells, cell + BORROWED_AT, at);
		CELLS.getAndAdd(this.cells, cell + WAITED, waitedNanos);
		CELLS.getAndAdd(this.waits, (cell / STRIDE) * WaitHistogram.BUCKETS + WaitHistogram.bucket(waitedNanos), 1L);
	}

	/**
	 * A borrowed connection came back.
	 */
	void returned() {
		long at = System.nanoTime() - this.base + OFFSET;
		int cell = cell();
		// The time before the count, which a read takes in the other order.
		CELLS.getAndAdd(this.cells, cell + RETURNED_AT, at);
		CELLS.getAndAdd(this.cells, cell + RETURNS, 1L);
	}

	/**
	 * A borrow timed out, after HikariCP recorded its wait as an acquire: it ends like a
	 * return, without counting as one.
	 */
	void timedOut() {
		long at = System.nanoTime() - this.base + OFFSET;
		int cell = cell();
		CELLS.getAndAdd(this.cells, cell + RETURNED_AT, at);
		CELLS.getAndAdd(this.cells, cell + TIMEOUTS, 1L);
	}

	/**
	 * A connection was opened.
	 */
	void created() {
		CELLS.getAndAdd(this.cells, cell() + CREATED, 1L);
	}

	/**
	 * Return how many acquires waited how long, summed over the stripes, by
	 * {@link WaitHistogram} bucket.
	 * @return the counts since the start
	 */
	long[] waits() {
		long[] counts = new long[WaitHistogram.BUCKETS];
		for (int stripe = 1; stripe <= this.stripes; stripe++) {
			int first = stripe * WaitHistogram.BUCKETS;
			for (int bucket = 0; bucket < WaitHistogram.BUCKETS; bucket++) {
				counts[bucket] += (long) CELLS.getVolatile(this.waits, first + bucket);
			}
		}
		return counts;
	}

	/**
	 * Sum the stripes.
	 * @return the totals, or {@code null} if every read saw an update half done (a writer
	 * kept from running for about half a second)
	 */
	@Nullable BorrowTotals totals() {
		long pauseNanos = MIN_PAUSE_NANOS;
		for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
			BorrowTotals totals = read();
			if (totals != null) {
				return totals;
			}
			if (attempt < SPINS) {
				Thread.onSpinWait();
			}
			else {
				// A writer preempted between its two additions: let it run.
				LockSupport.parkNanos(pauseNanos);
				pauseNanos = Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
			}
		}
		return null;
	}

	private @Nullable BorrowTotals read() {
		long acquires = 0;
		long waited = 0;
		long borrowedAt = 0;
		long returns = 0;
		long returnedAt = 0;
		long timeouts = 0;
		long created = 0;
		for (int stripe = 1; stripe <= this.stripes; stripe++) {
			int cell = stripe * STRIDE;
			// Each time before its count, each count before the other's time: see the
			// writers.
			borrowedAt += (long) CELLS.getVolatile(this.cells, cell + BORROWED_AT);
			returns += (long) CELLS.getVolatile(this.cells, cell + RETURNS);
			timeouts += (long) CELLS.getVolatile(this.cells, cell + TIMEOUTS);
			acquires += (long) CELLS.getVolatile(this.cells, cell + ACQUIRES);
			returnedAt += (long) CELLS.getVolatile(this.cells, cell + RETURNED_AT);
			waited += (long) CELLS.getVolatile(this.cells, cell + WAITED);
			created += (long) CELLS.getVolatile(this.cells, cell + CREATED);
		}
		long now = System.nanoTime() - this.base + OFFSET;
		long outstanding = acquires - returns - timeouts;
		long held = returnedAt - borrowedAt + outstanding * now;
		if (outstanding < 0 || held < 0 || held >= OFFSET) {
			return null;
		}
		return new BorrowTotals(acquires, waited, returns, held, timeouts, created);
	}

	// The calling thread's stripe, past the leading padding.
	private int cell() {
		long id = Thread.currentThread().getId();
		// Fibonacci hashing: the top bits of the product spread consecutive ids.
		return ((int) ((id * 0x9E3779B97F4A7C15L) >>> this.shift) + 1) * STRIDE;
	}

}
