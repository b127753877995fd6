package dev.dbpool.retry;

import dev.dbpool.settings.RetryPolicy;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The bound of each wait doubles from the initial backoff up to the maximum, and each
 * wait Spring's backoff draws for the policy is between half its bound and its bound.
 */
class RetryPolicyTests {

	private static final int RUNS = 200;

	@Test
	void boundDoublesFromTheInitialBackoffAndIsCappedAtTheMaximum() {
		RetryPolicy policy = new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(2));
		assertWaitsWithin(policy, 100, 200, 400, 800, 1600, 2000, 2000);
	}

	@Test
	void waitIsCappedAtTheMaximumBackoff() {
		RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMillis(1500));
		assertWaitsWithin(policy, 1000, 1500, 1500, 1500);
	}

	@Test
	void firstWaitIsAtLeastThreeQuartersOfItsBound() {
		// Spring's jitter never draws below the initial interval: the first wait is
		// drawn from the upper half of equal jitter's range, the later ones from all of
		// it.
		RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));
		for (int run = 0; run < RUNS; run++) {
			assertThat(Retrier.backOff(policy).start().nextBackOff()).isBetween(75L, 100L);
		}
	}

	@Test
	void boundNeverOverflows() {
		RetryPolicy policy = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofDays(365));
		long max = Duration.ofDays(365).toMillis();
		BackOffExecution waits = Retrier.backOff(policy).start();
		for (int retry = 1; retry <= 1000; retry++) {
			long wait = waits.nextBackOff();
			assertThat(wait).as("retry %d", retry).isPositive().isLessThanOrEqualTo(max);
			if (retry > 40) {
				assertThat(wait).as("retry %d", retry).isGreaterThanOrEqualTo(max / 2);
			}
		}
	}

	@Test
	void equalBackoffsKeepTheBound() {
		RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofMillis(500));
		assertWaitsWithin(policy, 500, 500, 500, 500);
	}

	@Test
	void backoffIsInWholeMillisecondsAndAtLeastOne() {
		RetryPolicy policy = new RetryPolicy(4, Duration.ofNanos(1), Duration.ofNanos(1));
		assertWaitsWithin(policy, 1, 1, 1);
	}

	@Test
	void valuesOutOfRangeAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(100), Duration.ofSeconds(2)))
			.withMessageContaining("maxAttempts");
		assertThatIllegalArgumentException().isThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ofSeconds(2)))
			.withMessageContaining("initialBackoff");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMillis(500)))
			.withMessageContaining("maxBackoff");
	}

	@Test
	void noneMakesOneAttempt() {
		assertThat(RetryPolicy.NONE.maxAttempts()).isOne();
		assertThat(Retrier.backOff(RetryPolicy.NONE).start().nextBackOff()).isEqualTo(BackOffExecution.STOP);
	}

	/**
	 * Draw the policy's waits many times: each is between half its bound and its bound,
	 * and there are as many as retries.
	 */
	private static void assertWaitsWithin(RetryPolicy policy, long... boundsMillis) {
		assertThat(boundsMillis).hasSize(policy.maxAttempts() - 1);
		for (int run = 0; run < RUNS; run++) {
			BackOffExecution waits = Retrier.backOff(policy).start();
			for (int i = 0; i < boundsMillis.length; i++) {
				assertThat(waits.nextBackOff()).as("wait before retry %d", i + 1)
					.isBetween(boundsMillis[i] / 2, boundsMillis[i]);
			}
			assertThat(waits.nextBackOff()).as("after the last retry").isEqualTo(BackOffExecution.STOP);
		}
	}

}
