package dev.dbpool.retry;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * Runs one attempt after another, following a {@link RetryPolicy}, until one succeeds, a
 * failure is not {@link RetryableFailures#isRetryable(Throwable) retryable}, the attempts
 * are used up, or the next wait would end past the deadline: the start plus a time limit
 * read at each call (for a pool, its acquire timeout, so a caller waiting for the
 * connection is never kept longer by the retries than it would wait anyway). An interrupt
 * during a wait ends the retries: the interrupt flag is restored and the last failure
 * thrown.
 * <p>
 * Meant for opening a physical connection, never for a statement: what fails stays failed
 * for its caller, the last failure unchanged.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class Retrier {

	private final RetryPolicy policy;

	private final LongSupplier timeLimitMillis;

	private final Listener listener;

	private final LongSupplier nanoClock;

	private final LongUnaryOperator jitter;

	private final Sleeper sleeper;

	/**
	 * Create a retrier that waits on the calling thread with random jitter.
	 * @param policy how many attempts and how far apart
	 * @param timeLimitMillis the longest time, in milliseconds, one call may spend on
	 * attempts and waits, read at the start of each call
	 * @param listener told of each retry before its wait
	 */
	public Retrier(RetryPolicy policy, LongSupplier timeLimitMillis, Listener listener) {
		this(policy, timeLimitMillis, listener, System::nanoTime,
				(bound) -> ThreadLocalRandom.current().nextLong(bound + 1), TimeUnit.NANOSECONDS::sleep);
	}

	/**
	 * Create a retrier with its own clock, jitter and way to wait (for tests).
	 * @param policy how many attempts and how far apart
	 * @param timeLimitMillis the longest time one call may spend, in milliseconds
	 * @param listener told of each retry before its wait
	 * @param nanoClock the clock, as {@link System#nanoTime()}
	 * @param jitter given a bound in nanoseconds, a value from 0 to the bound, both
	 * included
	 * @param sleeper how to wait a number of nanoseconds
	 */
	Retrier(RetryPolicy policy, LongSupplier timeLimitMillis, Listener listener, LongSupplier nanoClock,
			LongUnaryOperator jitter, Sleeper sleeper) {
		this.policy = policy;
		this.timeLimitMillis = timeLimitMillis;
		this.listener = listener;
		this.nanoClock = nanoClock;
		this.jitter = jitter;
		this.sleeper = sleeper;
	}

	/**
	 * Return the policy this retrier follows.
	 * @return the policy
	 */
	public RetryPolicy policy() {
		return this.policy;
	}

	/**
	 * Run attempts until one succeeds or retrying stops.
	 * @param <T> what an attempt returns
	 * @param attempt the attempt
	 * @return what the successful attempt returned
	 * @throws SQLException the last attempt's failure, if none succeeded
	 */
	public <T> T call(Attempt<T> attempt) throws SQLException {
		long start = this.nanoClock.getAsLong();
		long deadline = start + TimeUnit.MILLISECONDS.toNanos(this.timeLimitMillis.getAsLong());
		for (int attempts = 1;; attempts++) {
			try {
				return attempt.attempt();
			}
			catch (SQLException | RuntimeException ex) {
				if (attempts >= this.policy.maxAttempts() || !RetryableFailures.isRetryable(ex)) {
					throw ex;
				}
				long wait = waitNanos(attempts);
				if (this.nanoClock.getAsLong() + wait - deadline >= 0) {
					// The caller would have given up before the next attempt.
					throw ex;
				}
				this.listener.retrying(ex, attempts, wait);
				try {
					this.sleeper.sleep(wait);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

	/**
	 * Return the wait before a retry: half its bound plus a random share of the other
	 * half.
	 * @param retry which retry, from 1
	 * @return the wait in nanoseconds
	 */
	long waitNanos(int retry) {
		long bound = this.policy.backoffBoundNanos(retry);
		long half = bound / 2;
		return half + this.jitter.applyAsLong(bound - half);
	}

	/**
	 * One attempt.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface Attempt<T> {

		/**
		 * Make the attempt.
		 * @return its result
		 * @throws SQLException if it failed
		 */
		T attempt() throws SQLException;

	}

	/**
	 * Told of each retry, before the wait that precedes it.
	 */
	@FunctionalInterface
	public interface Listener {

		/**
		 * An attempt failed and another follows after a wait.
		 * @param failure why the attempt failed
		 * @param retry which retry follows, from 1
		 * @param waitNanos the wait before it, in nanoseconds
		 */
		void retrying(Exception failure, int retry, long waitNanos);

	}

	/**
	 * Waits a number of nanoseconds.
	 */
	@FunctionalInterface
	interface Sleeper {

		void sleep(long nanos) throws InterruptedException;

	}

}
