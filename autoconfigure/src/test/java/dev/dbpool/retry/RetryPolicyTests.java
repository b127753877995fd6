package dev.dbpool.retry;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The bound of each wait doubles from the initial backoff up to the maximum.
 */
class RetryPolicyTests {

	@Test
	void boundDoublesFromTheInitialBackoffAndIsCappedAtTheMaximum() {
		RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(2));
		assertThat(policy.backoffBoundNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
		assertThat(policy.backoffBoundNanos(2)).isEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(policy.backoffBoundNanos(3)).isEqualTo(Duration.ofMillis(400).toNanos());
		assertThat(policy.backoffBoundNanos(5)).isEqualTo(Duration.ofMillis(1600).toNanos());
		assertThat(policy.backoffBoundNanos(6)).isEqualTo(Duration.ofSeconds(2).toNanos());
		assertThat(policy.backoffBoundNanos(7)).isEqualTo(Duration.ofSeconds(2).toNanos());
	}

	@Test
	void boundNeverOverflows() {
		RetryPolicy policy = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofDays(365));
		for (int retry : new int[] { 30, 40, 63, 64, 100, Integer.MAX_VALUE }) {
			assertThat(policy.backoffBoundNanos(retry)).as("retry %d", retry)
				.isPositive()
				.isLessThanOrEqualTo(Duration.ofDays(365).toNanos());
		}
		assertThat(policy.backoffBoundNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365).toNanos());
	}

	@Test
	void equalBackoffsKeepTheBound() {
		RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofMillis(500));
		assertThat(policy.backoffBoundNanos(1)).isEqualTo(policy.backoffBoundNanos(4))
			.isEqualTo(Duration.ofMillis(500).toNanos());
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
	}

}
