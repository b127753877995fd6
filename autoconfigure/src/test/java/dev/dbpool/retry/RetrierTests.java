package dev.dbpool.retry;

import dev.dbpool.settings.RetryPolicy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Attempts follow one another with backoff and jitter until one succeeds, a failure is
 * not retryable, the attempts are used up or the deadline would pass. The deadline is
 * measured on a clock of the test's own, which each wait moves on as it starts; Spring's
 * {@code RetryTemplate} still sleeps each wait for real (it cannot be given a sleeper),
 * so the tests keep their waits short, and none asserts on the time that passed.
 */
class RetrierTests {

	private static final RetryPolicy DEFAULTS = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));

	private static final RetryPolicy SHORT = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2));

	private final AtomicLong clock = new AtomicLong(1_000_000);

	private final List<Long> waits = new ArrayList<>();

	private final List<Integer> retries = new ArrayList<>();

	@Test
	void succeedsOnceTheServerAcceptsAfterBackoff() throws SQLException {
		Attempts attempts = new Attempts("08001", "08006");
		String result = retrier(DEFAULTS, 10_000).call(attempts);
		assertThat(result).isEqualTo("connection");
		assertThat(attempts.made.get()).isEqualTo(3);
		assertThat(this.retries).containsExactly(1, 2);
		assertThat(this.waits).hasSize(2);
		assertThat(this.waits.get(0)).isBetween(millis(50), millis(100));
		assertThat(this.waits.get(1)).isBetween(millis(100), millis(200));
	}

	@Test
	void eachWaitIsBetweenHalfItsBoundAndItsBound() throws SQLException {
		// Spring's backoff itself is drawn many times in RetryPolicyTests; here, what the
		// listener is told on the way through the template.
		RetryPolicy policy = new RetryPolicy(8, Duration.ofMillis(4), Duration.ofMillis(40));
		long[] bounds = { 4, 8, 16, 32, 40, 40, 40 };
		retrier(policy, 60_000).call(new Attempts("57P03", "57P03", "57P03", "57P03", "57P03", "57P03", "57P03"));
		assertThat(this.waits).hasSize(bounds.length);
		for (int i = 0; i < bounds.length; i++) {
			assertThat(this.waits.get(i)).as("wait before retry %d", i + 1)
				.isBetween(millis(bounds[i]) / 2, millis(bounds[i]));
		}
		assertThat(this.retries).containsExactly(1, 2, 3, 4, 5, 6, 7);
	}

	@Test
	void waitIsCappedAtTheMaximumBackoff() throws SQLException {
		RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(15));
		retrier(policy, 60_000).call(new Attempts("08006", "08006", "08006", "08006"));
		assertThat(this.waits).hasSize(4);
		assertThat(this.waits.get(0)).isBetween(millis(5), millis(10));
		assertThat(this.waits.subList(1, 4))
			.allSatisfy((wait) -> assertThat(wait).isBetween(millis(15) / 2, millis(15)));
	}

	@Test
	void lastFailureIsThrownOnceTheAttemptsAreUsedUp() {
		Attempts attempts = new Attempts("08001", "08001", "57P01", "08001");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(SHORT, 10_000).call(attempts))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57P01"))
			.withMessage("attempt 3");
		assertThat(attempts.made.get()).isEqualTo(3);
		assertThat(this.waits).hasSize(2);
	}

	@Test
	void lastFailureIsThrownItself() {
		SQLException failure = new SQLException("refused", "08001");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(SHORT, 10_000).call(() -> {
			throw failure;
		})).isSameAs(failure);
		assertThat(this.waits).hasSize(2);
	}

	@Test
	void oneAttemptMeansNoRetry() {
		Attempts attempts = new Attempts("08001");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> retrier(RetryPolicy.NONE, 10_000).call(attempts));
		assertThat(attempts.made.get()).isOne();
		assertThat(this.waits).isEmpty();
		assertThat(this.retries).isEmpty();
	}

	@Test
	void failureTheServerDoesNotRecoverFromIsNotRetried() {
		Attempts attempts = new Attempts("28000", "08001");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(DEFAULTS, 10_000).call(attempts))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28000"));
		assertThat(attempts.made.get()).isOne();
		assertThat(this.waits).isEmpty();
	}

	@Test
	void protocolViolationFailsAfterOneAttemptWithTheServersMessage() {
		AtomicInteger made = new AtomicInteger();
		PSQLException refused = new PSQLException("unsupported startup parameter: options",
				PSQLState.PROTOCOL_VIOLATION);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(DEFAULTS, 10_000).call(() -> {
			made.incrementAndGet();
			throw refused;
		})).isSameAs(refused).withMessage("unsupported startup parameter: options");
		assertThat(made.get()).isOne();
		assertThat(this.waits).isEmpty();
		assertThat(this.retries).isEmpty();
	}

	@Test
	void runtimeFailureWithoutSqlStateIsNotRetried() {
		AtomicInteger made = new AtomicInteger();
		IllegalStateException failure = new IllegalStateException("no driver");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> retrier(DEFAULTS, 10_000).call(() -> {
			made.incrementAndGet();
			throw failure;
		})).isSameAs(failure);
		assertThat(made.get()).isOne();
	}

	@Test
	void errorIsNotRetriedEvenWithARetryableCause() {
		AtomicInteger made = new AtomicInteger();
		AssertionError failure = new AssertionError("broken", new SQLException("refused", "08001"));
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> retrier(DEFAULTS, 10_000).call(() -> {
			made.incrementAndGet();
			throw failure;
		})).isSameAs(failure);
		assertThat(made.get()).isOne();
	}

	@Test
	void neverWaitsPastTheDeadline() {
		// Each attempt takes 30ms; the time limit is 230ms. After the first (t=30ms) the
		// wait, 75ms to 100ms, ends by 130ms; after the second (t=135ms to 160ms) a wait
		// of at least 100ms would end at 235ms or later, past the deadline: the second
		// failure is thrown at once.
		long start = this.clock.get();
		Attempts attempts = new Attempts(30, "08001", "08001", "08001");
		RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(2));
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier(policy, 230).call(attempts))
			.withMessage("attempt 2");
		assertThat(this.waits).hasSize(1);
		assertThat(this.waits.get(0)).isBetween(millis(50), millis(100));
		assertThat(this.clock.get() - start).isEqualTo(millis(60) + this.waits.get(0)).isLessThan(millis(230));
	}

	@Test
	void timeLimitIsReadAtEachCall() throws SQLException {
		AtomicLong limit = new AtomicLong(50);
		Retrier retrier = new Retrier(DEFAULTS, limit::get, this::retrying, this.clock::get);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier.call(new Attempts("08001", "08001")));
		assertThat(this.waits).isEmpty();
		limit.set(10_000);
		assertThat(retrier.call(new Attempts("08001"))).isEqualTo("connection");
		assertThat(this.waits).hasSize(1);
		assertThat(this.waits.get(0)).isBetween(millis(50), millis(100));
	}

	@Test
	void interruptDuringTheWaitStopsRetryingAndKeepsTheFlag() {
		Attempts attempts = new Attempts("57P03", "57P03");
		// Interrupted as the wait starts, the sleep ends at once.
		Retrier retrier = new Retrier(DEFAULTS, () -> 10_000, (failure, retry, waitNanos) -> {
			retrying(failure, retry, waitNanos);
			Thread.currentThread().interrupt();
		}, this.clock::get);
		try {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retrier.call(attempts))
				.withMessage("attempt 1");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
			assertThat(attempts.made.get()).isOne();
			assertThat(this.retries).containsExactly(1);
		}
		finally {
			Thread.interrupted();
		}
	}

	private Retrier retrier(RetryPolicy policy, long timeLimitMillis) {
		return new Retrier(policy, () -> timeLimitMillis, this::retrying, this.clock::get);
	}

	private void retrying(Exception failure, int retry, long waitNanos) {
		assertThat(RetryableFailures.isRetryable(failure)).isTrue();
		this.retries.add(retry);
		this.waits.add(waitNanos);
		// The wait starts now: on the test's clock it is over once it starts.
		this.clock.addAndGet(waitNanos);
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
