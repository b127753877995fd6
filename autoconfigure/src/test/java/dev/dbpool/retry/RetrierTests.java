package dev.dbpool.retry;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Attempts follow one another with backoff and jitter until one succeeds, a failure is
 * not retryable, the attempts are used up or the deadline would pass; on a clock of the
 * test's own, so that no test sleeps.
 */
class RetrierTests {

	private static final RetryPolicy DEFAULTS = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));

	private static final LongUnaryOperator MOST = (bound) -> bound;

	private static final LongUnaryOperator LEAST = (bound) -> 0;

	private final AtomicLong clock = new AtomicLong(1_000_000);

	private final List<Long> waits = new ArrayList<>();

	private final List<Integer> retries = new ArrayList<>();

	@Test
	void succeedsOnceTheServerAcceptsAfterBackoff() throws SQLException {
		Attempts attempts = new Attempts("08001", "08006");
		String result = retrier(DEFAULTS, 10_000, MOST).call(attempts);
		assertThat(result).isEqualTo("connection");
		assertThat(attempts.made.get()).isEqualTo(3);
		assertThat(this.retries).containsExactly(1, 2);
		assertThat(this.waits).containsExactly(millis(100), millis(200));
	}

	@Test
	void eachWaitIsBetweenHalfItsBoundAndItsBound() throws SQLException {
		RetryPolicy policy = new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(2));
		long[] bounds = { 100, 200, 400, 800, 1600, 2000, 2000 };
		for (int run = 0; run < 200; run++) {
			this.waits.clear();
			Retrier retrier = retrier(policy, 60_000, (bound) -> ThreadLocalRandom.current().nextLong(bound + 1));
			retrier.call(new Attempts("57P03", "57P03", "57P03", "57P03", "57P03", "57P03", "57P03"));
			assertThat(this.waits).hasSize(bounds.length);
			for (int i = 0; i < bounds.length; i++) {
				assertThat(this.waits.get(i)).as("wait before retry %d", i + 1)
					.isBetween(millis(bounds[i]) / 2, millis(bounds[i]));
			}
		}
	}

	@Test
	void leastJitterWaitsHalfTheBound() throws SQLException {
		retrier(DEFAULTS, 10_000, LEAST).call(new Attempts("53300", "53300"));
		assertThat(this.waits).containsExactly(millis(50), millis(100));
	}

	@Test
	void waitIsCappedAtTheMaximumBackoff() throws SQLException {
		RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMillis(1500));
		retrier(policy, 60_000, MOST).call(new Attempts("08006", "08006", "08006", "08006"));
		assertThat(this.waits).containsExactly(millis(1000), millis(1500), millis(1500), millis(1500));
	}

	@Test
	void lastFailureIsThrownOnceTheAttemptsAreUsedUp() {
		Attempts attempts = new Attempts("08001", "08001", "57P01", "08001");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(DEFAULTS, 10_000, MOST).call(attempts))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57P01"))
			.withMessage("attempt 3");
		assertThat(attempts.made.get()).isEqualTo(3);
		assertThat(this.waits).hasSize(2);
	}

	@Test
	void oneAttemptMeansNoRetry() {
		Attempts attempts = new Attempts("08001");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> retrier(RetryPolicy.NONE, 10_000, MOST).call(attempts));
		assertThat(attempts.made.get()).isOne();
		assertThat(this.waits).isEmpty();
		assertThat(this.retries).isEmpty();
	}

	@Test
	void failureTheServerDoesNotRecoverFromIsNotRetried() {
		Attempts attempts = new Attempts("28000", "08001");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(DEFAULTS, 10_000, MOST).call(attempts))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28000"));
		assertThat(attempts.made.get()).isOne();
		assertThat(this.waits).isEmpty();
	}

	@Test
	void runtimeFailureWithoutSqlStateIsNotRetried() {
		AtomicInteger made = new AtomicInteger();
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> retrier(DEFAULTS, 10_000, MOST).call(() -> {
				made.incrementAndGet();
				throw new IllegalStateException("no driver");
			}));
		assertThat(made.get()).isOne();
	}

	@Test
	void neverWaitsPastTheDeadline() {
		// Each attempt takes 30ms; the time limit is 250ms. After the first (t=30ms) the
		// 100ms wait ends at 130ms; after the second (t=160ms) a 200ms wait would end at
		// 360ms, past the deadline: the second failure is thrown at once.
		long start = this.clock.get();
		Attempts attempts = new Attempts(30, "08001", "08001", "08001");
		RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(2));
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(policy, 250, MOST).call(attempts))
			.withMessage("attempt 2");
		assertThat(this.waits).containsExactly(millis(100));
		assertThat(this.clock.get() - start).isEqualTo(millis(160)).isLessThan(millis(250));
	}

	@Test
	void timeLimitIsReadAtEachCall() throws SQLException {
		AtomicLong limit = new AtomicLong(50);
		Retrier retrier = new Retrier(DEFAULTS, limit::get, this::retrying, this.clock::get, MOST, this::sleep);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier.call(new Attempts("08001", "08001")));
		assertThat(this.waits).isEmpty();
		limit.set(10_000);
		assertThat(retrier.call(new Attempts("08001"))).isEqualTo("connection");
		assertThat(this.waits).containsExactly(millis(100));
	}

	@Test
	void interruptDuringTheWaitStopsRetryingAndKeepsTheFlag() {
		Attempts attempts = new Attempts("57P03", "57P03");
		Retrier retrier = new Retrier(DEFAULTS, () -> 10_000, this::retrying, this.clock::get, MOST, (nanos) -> {
			throw new InterruptedException();
		});
		try {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier.call(attempts))
				.withMessage("attempt 1");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
			assertThat(attempts.made.get()).isOne();
		}
		finally {
			Thread.interrupted();
		}
	}

	private Retrier retrier(RetryPolicy policy, long timeLimitMillis, LongUnaryOperator jitter) {
		return new Retrier(policy, () -> timeLimitMillis, this::retrying, this.clock::get, jitter, this::sleep);
	}

	private void retrying(Exception failure, int retry, long waitNanos) {
		assertThat(RetryableFailures.isRetryable(failure)).isTrue();
		this.retries.add(retry);
	}

	private void sleep(long nanos) {
		this.waits.add(nanos);
		this.clock.addAndGet(nanos);
	}

	private static long millis(long millis) {
		return Duration.ofMillis(millis).toNanos();
	}

	/**
	 * Attempts that fail with the given SQLStates, in turn, then succeed.
	 */
	private final class Attempts implements Retrier.Attempt<String> {

		private final long takesMillis;

		private final String[] failures;

		private final AtomicInteger made = new AtomicInteger();

		private Attempts(String... failures) {
			this(0, failures);
		}

		private Attempts(long takesMillis, String... failures) {
			this.takesMillis = takesMillis;
			this.failures = failures;
		}

		@Override
		public String attempt() throws SQLException {
			int attempt = this.made.incrementAndGet();
			RetrierTests.this.clock.addAndGet(millis(this.takesMillis));
			if (attempt <= this.failures.length) {
				throw new SQLException("attempt " + attempt, this.failures[attempt - 1]);
			}
			return "connection";
		}

	}

}
