package dev.dbpool.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.dbpool.datasource.BorrowTracker;
import dev.dbpool.datasource.WaitHistogram;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.util.DoubleFormat;
import io.micrometer.core.instrument.util.TimeUtils;

/**
 * The {@code hikaricp.connections.acquire.percentile} gauges of a pool db-pool built, as
 * Micrometer names and tags them ({@code pool}, {@code phi}) and over the same window
 * (Micrometer's default: the last two minutes, in three steps), read from the waits the
 * pool's {@link BorrowTracker} counts: nothing is recorded for them on the borrow path
 * beyond the tracker's own count. Each is the middle of the {@link WaitHistogram} bucket
 * the percentile falls in (within 6.25 %; Micrometer's own are within about 10 %).
 * Published only in the registries that publish Micrometer's percentiles as meters: not
 * in Prometheus', which has the histogram.
 *
 * @author db-pool
 */
final class AcquirePercentileGauges {

	private static final long STEP_NANOS = DistributionStatisticConfig.DEFAULT.getExpiry().toNanos()
			/ DistributionStatisticConfig.DEFAULT.getBufferLength();

	private static final int STEPS = DistributionStatisticConfig.DEFAULT.getBufferLength();

	private final BorrowTracker tracker;

	// Counts at the start of each step of the window, oldest first.
	private final Deque<Step> steps = new ArrayDeque<>();

	private AcquirePercentileGauges(BorrowTracker tracker) {
		this.tracker = tracker;
		this.steps.add(new Step(System.nanoTime(), new long[WaitHistogram.BUCKETS]));
	}

	/**
	 * Publish a pool's percentile gauges in a registry, next to its acquire timer.
	 * @param registry the registry
	 * @param pool the pool's name
	 * @param tracker the pool's tracker
	 */
	static void register(MeterRegistry registry, String pool, BorrowTracker tracker) {
		register(registry, pool, new AcquirePercentileGauges(tracker));
	}

	private static void register(MeterRegistry registry, String pool, AcquirePercentileGauges gauges) {
		if (registry instanceof CompositeMeterRegistry composite) {
			composite.getRegistries().forEach((child) -> register(child, pool, gauges));
			return;
		}
		if (registry.getClass().getName().contains(".prometheus")) {
			return;
		}
		Timer acquire = registry.find(AcquirePercentilesMeterFilter.ACQUIRE)
			.tag(MicrometerPoolCounters.POOL_TAG, pool)
			.timer();
		if (acquire == null) {
			return;
		}
		TimeUnit unit = acquire.baseTimeUnit();
		for (double phi : AcquirePercentilesMeterFilter.PHIS) {
			Gauge
				.builder(AcquirePercentilesMeterFilter.ACQUIRE + ".percentile", gauges,
						(read) -> TimeUtils.nanosToUnit(read.percentile(phi), unit))
				.tags(Tags.of(acquire.getId().getTagsAsIterable()).and("phi", DoubleFormat.decimalOrNan(phi)))
				.baseUnit(unit.name().toLowerCase(Locale.ROOT))
				.register(registry);
		}
	}

	/**
	 * Whether a registry publishes the buckets of a percentiles histogram: every registry
	 * does but the simple one, which has no aggregable percentiles.
	 * @param registry the registry
	 * @return whether it, or one registry of a composite, publishes them
	 */
	static boolean publishesHistograms(MeterRegistry registry) {
		if (registry instanceof CompositeMeterRegistry composite) {
			return composite.getRegistries().stream().anyMatch(AcquirePercentileGauges::publishesHistograms);
		}
		return !(registry instanceof SimpleMeterRegistry);
	}

	synchronized double percentile(double phi) {
		long now = System.nanoTime();
		long[] counts = this.tracker.waits();
		if (now - this.steps.getLast().nanoTime() >= STEP_NANOS) {
			this.steps.add(new Step(now, counts));
			while (this.steps.size() > STEPS) {
				this.steps.removeFirst();
			}
		}
		long[] since = this.steps.getFirst().counts();
		long[] window = new long[counts.length];
		for (int bucket = 0; bucket < counts.length; bucket++) {
			window[bucket] = counts[bucket] - since[bucket];
		}
		return WaitHistogram.percentile(window, phi);
	}

	private record Step(long nanoTime, long[] counts) {

	}

}
