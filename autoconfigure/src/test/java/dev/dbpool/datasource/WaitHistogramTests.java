package dev.dbpool.datasource;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Tests for {@link WaitHistogram}: every time falls in the bucket whose bounds hold it,
 * each at most an eighth wide, and percentiles land within half a bucket.
 */
class WaitHistogramTests {

	@Test
	void everyTimeFallsWithinItsBucketsBounds() {
		for (long nanos : new long[] { 0, 1, 7, 8, 9, 15, 16, 17, 999, 1_000, 65_537, 1_000_000, 123_456_789,
				30_000_000_000L }) {
			int bucket = WaitHistogram.bucket(nanos);
			assertThat(WaitHistogram.lowerBound(bucket)).as("%d ns", nanos).isLessThanOrEqualTo(nanos);
			assertThat(WaitHistogram.lowerBound(bucket + 1)).as("%d ns", nanos).isGreaterThan(nanos);
			if (nanos >= 8) {
				assertThat((double) WaitHistogram.lowerBound(bucket + 1) / WaitHistogram.lowerBound(bucket))
					.isLessThanOrEqualTo(1.125);
			}
		}
		assertThat(WaitHistogram.bucket(-5)).isZero();
		assertThat(WaitHistogram.bucket(Long.MAX_VALUE)).isEqualTo(WaitHistogram.BUCKETS - 1);
	}

	@Test
	void percentilesAreTheMiddleOfTheirBucket() {
		long[] counts = new long[WaitHistogram.BUCKETS];
		for (long micros = 1; micros <= 100; micros++) {
			counts[WaitHistogram.bucket(micros * 1_000)]++;
		}
		assertThat(WaitHistogram.percentile(counts, 0.5)).isCloseTo(50_000, within(50_000 * 0.0625));
		assertThat(WaitHistogram.percentile(counts, 0.99)).isCloseTo(99_000, within(99_000 * 0.0625));
		assertThat(WaitHistogram.percentile(new long[WaitHistogram.BUCKETS], 0.5)).isZero();
	}

}
