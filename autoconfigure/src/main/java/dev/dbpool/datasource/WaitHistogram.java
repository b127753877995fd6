package dev.dbpool.datasource;

/**
 * Buckets of acquire times as {@link BorrowTracker} counts them: eight to each power of
 * two (each at most 12.5 % wide), from 8 ns to about 9 minutes; the first eight hold 0 to
 * 7 ns, the last everything longer.
 *
 * @author db-pool
 * @since 0.8.0
 */
public final class WaitHistogram {

	/** Number of buckets. */
	public static final int BUCKETS = 8 * 37;

	private WaitHistogram() {
	}

	/**
	 * Return the bucket of a time.
	 * @param nanos the time
	 * @return its bucket
	 */
	static int bucket(long nanos) {
		if (nanos < 8) {
			return (int) Math.max(0, nanos);
		}
		int exponent = 63 - Long.numberOfLeadingZeros(nanos);
		int bucket = (exponent - 2) * 8 + (int) ((nanos >>> (exponent - 3)) & 7);
		return Math.min(bucket, BUCKETS - 1);
	}

	/**
	 * Return the smallest time of a bucket.
	 * @param bucket the bucket
	 * @return its lower bound, in nanoseconds
	 */
	public static long lowerBound(int bucket) {
		if (bucket < 8) {
			return bucket;
		}
		int exponent = bucket / 8 + 2;
		return (8L + bucket % 8) << (exponent - 3);
	}

	/**
	 * Return a percentile of the times counted in buckets, as the middle of the bucket it
	 * falls in.
	 * @param counts the count of each bucket
	 * @param percentile the percentile, from 0 to 1
	 * @return the time, in nanoseconds; 0 if nothing was counted
	 */
	public static double percentile(long[] counts, double percentile) {
		long total = 0;
		for (long count : counts) {
			total += count;
		}
		if (total <= 0) {
			return 0;
		}
		long rank = Math.max(1, (long) Math.ceil(percentile * total));
		long seen = 0;
		for (int bucket = 0; bucket < counts.length; bucket++) {
			seen += counts[bucket];
			if (seen >= rank) {
				long lower = lowerBound(bucket);
				long upper = (bucket + 1 < BUCKETS) ? lowerBound(bucket + 1) : lower;
				return (lower + upper) / 2.0;
			}
		}
		return lowerBound(BUCKETS - 1);
	}

}
