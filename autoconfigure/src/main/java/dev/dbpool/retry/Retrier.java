package dev.dbpool.retry;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.dbpool.settings.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

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
 * <p>
 * Spring's {@link RetryTemplate} runs the attempts, retries the failures
 * {@link RetryableFailures} accepts, waits on the calling thread and stops on an
 * interrupt; Spring's {@code ExponentialBackOff} draws the waits (see
 * {@link RetryPolicy}). This class adds the deadline and the listener.
 * <p>
 * Spring's {@link ExponentialBackOff} draws the waits of a {@link RetryPolicy}, in whole
 * milliseconds, the unit Spring's {@code RetryTemplate} sleeps in: the bounds are those
 * of the durations rounded down to whole milliseconds (at least 1ms). Its jitter is not
 * "equal jitter", drawn between half the bound and the bound, but a random amount either
 * side of the interval, never below the initial interval: set to 3/4 of the bound, give
 * or take 1/4 of it, it gives equal jitter's range, except that the wait before the first
 * retry is drawn between 3/4 of its bound and its bound, and that once the bound is
 * {@code maxBackoff} the waits are drawn from at least 2/3 of it up to it. A wait is
 * never below half its bound nor above it.
 *
 * @author db-pool
 * @since 0.3.0
 */
public final class Retrier {

	private final RetryPolicy policy;

	private final LongSupplier timeLimitMillis;

	private final Listener listener;

	private final LongSupplier nanoClock;

	private final BackOff backOff;

	/**
	 * Create a retrier that waits on the calling thread.
	 * @param policy how many attempts and how far apart
	 * @param timeLimitMillis the longest time, in milliseconds, one call may spend on
	 * attempts and waits, read at the start of each call
	 * @param listener told of each retry before its wait
	 */
	public Retrier(RetryPolicy policy, LongSupplier timeLimitMillis, Listener listener) {
		this(policy, timeLimitMillis, listener, System::nanoTime);
	}

	/**
	 * Create a retrier that measures the deadline on a clock of its own (for tests).
	 * @param policy how many attempts and how far apart
	 * @param timeLimitMillis the longest time one call may spend, in milliseconds
	 * @param listener told of each retry before its wait
	 * @param nanoClock the clock, as {@link System#nanoTime()}
	 */
	Retrier(RetryPolicy policy, LongSupplier timeLimitMillis, Listener listener, LongSupplier nanoClock) {
		this.policy = policy;
		this.timeLimitMillis = timeLimitMillis;
		this.listener = listener;
		this.nanoClock = nanoClock;
		this.backOff = backOff(policy);
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
		long deadline = this.nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(this.timeLimitMillis.getAsLong());
		Call<T> call = new Call<>(attempt, deadline);
		// A template per call, as the waits depend on the call's deadline: a few objects,
		// next to opening a connection. Spring's timeout is left unset: see Call.
		RetryTemplate template = new RetryTemplate(org.springframework.core.retry.RetryPolicy.builder()
			.predicate(Retrier::isRetryable)
			.backOff(() -> call)
			.build());
		try {
			return template.execute(call);
		}
		catch (RetryException ex) {
			// Retried or not, the last failure is thrown as the attempt threw it.
			if (ex.getCause() instanceof SQLException failure) {
				throw failure;
			}
			ReflectionUtils.rethrowRuntimeException(ex.getCause());
			throw new IllegalStateException(ex); // not reached
		}
	}

	private static boolean isRetryable(Throwable failure) {
		return (failure instanceof SQLException || failure instanceof RuntimeException)
				&& RetryableFailures.isRetryable(failure);
	}

	/**
	 * One call: its attempt, as Spring's {@link Retryable}, and the waits before its
	 * retries, the policy's backoff cut at the deadline.
	 * <p>
	 * What Spring's API lacks: {@code RetryTemplate} does skip a wait that would end past
	 * {@code RetryPolicy.getTimeout()} (which a policy may read at each call), but no
	 * {@code RetryListener} callback is told of the wait or runs between that check and
	 * the sleep ({@code beforeRetry} runs after the sleep); the one hook that sees the
	 * wait, {@link #nextBackOff()}, runs before the check, so a listener told there would
	 * hear of retries the timeout then cancels. Hence the deadline is checked here,
	 * before the listener is told, and Spring's timeout is left unset. (Nor can a test
	 * replace the template's clock, {@code System.currentTimeMillis()}, or its
	 * {@code Thread.sleep}.)
	 */
	private final class Call<T> implements Retryable<T>, BackOffExecution {

		private final Attempt<T> attempt;

		private final long deadline;

		private final BackOffExecution waits = Retrier.this.backOff.start();

		private @Nullable Exception failure;

		private int retries;

		Call(Attempt<T> attempt, long deadline) {
			this.attempt = attempt;
			this.deadline = deadline;
		}

		@Override
		public T execute() throws SQLException {
			try {
				return this.attempt.attempt();
			}
			catch (SQLException | RuntimeException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		@Override
		public long nextBackOff() {
			// Asked only after a failure the predicate retries.
			Exception failure = this.failure;
			long wait = this.waits.nextBackOff();
			if (failure == null || wait == STOP) {
				return STOP;
			}
			long waitNanos = TimeUnit.MILLISECONDS.toNanos(wait);
			if (Retrier.this.nanoClock.getAsLong() + waitNanos - this.deadline >= 0) {
				// The caller would have given up before the next attempt.
				return STOP;
			}
			Retrier.this.listener.retrying(failure, ++this.retries, waitNanos);
			return wait;
		}

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

	// The waits of a policy. See the class description for how they are drawn.
	static ExponentialBackOff backOff(RetryPolicy policy) {
		long initial = millis(policy.initialBackoff());
		long jitter = initial / 4;
		// Each interval is 3/4 of its bound, its jitter 1/4 of it: both double together.
		ExponentialBackOff backOff = new ExponentialBackOff(initial - jitter, 2);
		backOff.setJitter(jitter);
		backOff.setMaxInterval(millis(policy.maxBackoff()));
		backOff.setMaxAttempts(policy.maxAttempts() - 1L);
		return backOff;
	}

	private static long millis(Duration duration) {
		return Math.max(1, duration.toMillis());
	}

}
