package dev.dbpool.sizing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AdaptiveLimit}, against models of a database: a closed loop of threads
 * that each borrow a connection, hold it for as long as the model says for the
 * connections in use, and borrow again; the limit's ticks see the timings of each
 * simulated second.
 */
class AdaptiveLimitTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final double MS = 1e6;

	@Test
	void shrinksToTheKneeWhenTheDatabaseIsTheBottleneck() {
		// Two cores' worth of service: beyond 2 connections, each waits for the others.
		Model model = new Model(50, (busy) -> MS * Math.max(1, busy / 2.0));
		AdaptiveLimit limit = new AdaptiveLimit("cpu", 2, 20, 20, model::limitTo);
		List<Integer> limits = model.run(limit, 120);
		int settled = median(limits, 60, 120);
		assertThat(settled).as("limits %s", limits).isLessThanOrEqualTo(4);
		assertThat(trialTicks(limits, 60, 120, settled - 1, settled + 1)).as("limits %s", limits)
			.isLessThanOrEqualTo(0.15);
	}

	@Test
	void growsToTheCeilingWhileConnectionsAreHeldWhileTheDatabaseIdles() {
		// 200 ms held whatever the connections in use: a slow call inside a transaction.
		Model model = new Model(300, (busy) -> 200 * MS);
		AdaptiveLimit limit = new AdaptiveLimit("slow", 2, 100, 20, model::limitTo);
		List<Integer> limits = model.run(limit, 120);
		assertThat(limits.subList(60, 115)).as("limits %s", limits).containsOnly(100);
		assertThat(limit.provenLimit()).isEqualTo(100);
		assertThat(limit.changes()).isLessThan(30);
	}

	@Test
	void holdTimesThatVaryFromTickToTickDoNotShrinkIt() {
		// 10% of requests hold 200 ms, the rest 1 ms: each tick's mean hold time varies
		// by about 10% around 21 ms, whatever the connections in use.
		Model model = new Model(300, (busy) -> 21 * MS).noise(0.1);
		AdaptiveLimit limit = new AdaptiveLimit("mixed", 2, 80, 20, model::limitTo);
		List<Integer> limits = model.run(limit, 120);
		assertThat(median(limits, 60, 120)).as("limits %s", limits).isGreaterThanOrEqualTo(72);
		assertThat(trialTicks(limits, 60, 120, 72, 80)).as("limits %s", limits).isLessThanOrEqualTo(0.15);
	}

	@Test
	void settlesNearTheServersCapacityAndBacksOffWhileAnotherClientLoadsTheServer() {
		// Eight connections' worth of service, halved while another client loads it.
		double[] capacity = { 8 };
		Model model = new Model(100, (busy) -> 4 * MS * Math.max(1, busy / capacity[0]));
		AdaptiveLimit limit = new AdaptiveLimit("work", 2, 50, 20, model::limitTo);
		List<Integer> before = model.run(limit, 90);
		int settled = median(before, 60, 90);
		assertThat(settled).as("limits %s", before).isBetween(7, 12);
		capacity[0] = 4;
		List<Integer> during = model.run(limit, 60);
		assertThat(median(during, 30, 60)).as("limits %s", during).isLessThan(settled);
		capacity[0] = 8;
		List<Integer> after = model.run(limit, 90);
		assertThat(median(after, 60, 90)).as("limits %s", after).isBetween(7, 12);
	}

	@Test
	void keepsTheSizeThatServesMostWhereHoldTimesGrowWithThroughput() {
		// The application and the database share two cores, as in the sizing benchmark's
		// key lookups: hold times double from 2 to 8 connections, yet so does throughput,
		// which falls slowly beyond 8. By hold times alone the limit settles at 5 to 6.
		IntToDoubleFunction rate = (busy) -> 23_000 * Math.min(1, Math.sqrt(busy / 8.0))
				* Math.pow(Math.min(1, 8.0 / busy), 0.15);
		Model model = new Model(200, (busy) -> SECOND * busy / rate.applyAsDouble(busy)).noise(0.03);
		AdaptiveLimit limit = new AdaptiveLimit("shared", 2, 20, 20, model::limitTo);
		List<Integer> limits = model.run(limit, 240);
		double served = limits.subList(60, 240).stream().mapToDouble(rate::applyAsDouble).average().orElseThrow();
		assertThat(served / rate.applyAsDouble(8)).as("limits %s", limits).isGreaterThanOrEqualTo(0.9);
		assertThat(median(limits, 60, 240)).as("limits %s", limits).isBetween(6, 12);
		// Trials showed that fewer served less and more no more.
		assertThat(limit.provenLimit()).as("limits %s", limits).isBetween(6, 12);
	}

	@Test
	void staysWithinItsFloorAndCeiling() {
		Model model = new Model(500, (busy) -> MS * busy);
		AdaptiveLimit limit = new AdaptiveLimit("bounded", 3, 10, 20, model::limitTo);
		assertThat(limit.limit()).isEqualTo(10);
		List<Integer> limits = model.run(limit, 60);
		assertThat(limits).allSatisfy((value) -> assertThat(value).isBetween(3, 10));
		assertThat(limit.bounds(5, 8, "test")).isBetween(5, 8);
		assertThat(model.limit).isEqualTo(limit.limit());
	}

	@Test
	void keepsItsLimitWithoutEnoughBorrows() {
		Model model = new Model(1, (busy) -> 100 * MS);
		AdaptiveLimit limit = new AdaptiveLimit("quiet", 2, 20, 20, model::limitTo);
		model.run(limit, 30);
		assertThat(limit.limit()).isEqualTo(20);
		assertThat(limit.changes()).isZero();
	}

	@Test
	void showsItsLimitInTheHealthDetailsAndMeters() {
		Model model = new Model(50, (busy) -> MS * Math.max(1, busy / 2.0));
		AdaptiveLimit limit = new AdaptiveLimit("shown", 2, 20, 20, model::limitTo);
		model.run(limit, 10);
		Map<String, Object> details = new HashMap<>();
		limit.putDetails(details, java.time.Instant.now());
		assertThat(details).containsKey(AdaptiveLimit.DETAIL);
		@SuppressWarnings("unchecked")
		Map<String, Object> sizing = (Map<String, Object>) details.get(AdaptiveLimit.DETAIL);
		assertThat(sizing).containsEntry("mode", "adaptive")
			.containsEntry("limit", limit.limit())
			.containsEntry("floor", 2)
			.containsEntry("ceiling", 20)
			.containsKeys("holdMs", "baselineHoldMs", "queue", "limitBorrowsPerSecond", "changes", "lastChange");
		assertThat(limit.meters()).extracting((meter) -> meter.name())
			.containsExactly(AdaptiveLimit.LIMIT_METER, AdaptiveLimit.CHANGES_METER);
		assertThat(limit.lastChange()).isNotNull();
	}

	// Where the limit stays between trials: its median.
	private static int median(List<Integer> limits, int from, int to) {
		List<Integer> sorted = limits.subList(from, to).stream().sorted().toList();
		return sorted.get(sorted.size() / 2);
	}

	// The share of ticks away from a band: trials.
	private static double trialTicks(List<Integer> limits, int from, int to, int low, int high) {
		return limits.subList(from, to).stream().filter((limit) -> limit < low || limit > high).count()
				/ (double) (to - from);
	}

	/**
	 * A closed loop of threads borrowing from a pool of {@link #limit} connections, whose
	 * hold time depends on the connections in use.
	 */
	private static final class Model {

		private final int threads;

		private final IntToDoubleFunction hold;

		int limit;

		private long nanoTime;

		private long borrows;

		private long heldNanos;

		private long waitedNanos;

		private final Random random = new Random(42);

		private double noise;

		Model(int threads, IntToDoubleFunction hold) {
			this.threads = threads;
			this.hold = hold;
		}

		Model noise(double deviation) {
			this.noise = deviation;
			return this;
		}

		void limitTo(int limit) {
			this.limit = limit;
		}

		// One tick per simulated second: busy connections, their hold time, the
		// borrows they served and the threads left waiting.
		List<Integer> run(AdaptiveLimit adaptive, int seconds) {
			this.limit = adaptive.limit();
			List<Integer> limits = new ArrayList<>();
			for (int second = 0; second < seconds; second++) {
				int busy = Math.min(this.limit, this.threads);
				double hold = this.hold.applyAsDouble(busy) * (1 + this.noise * this.random.nextGaussian());
				long served = Math.round(busy * SECOND / hold);
				this.borrows += served;
				this.heldNanos += (long) busy * SECOND;
				this.waitedNanos += (long) (this.threads - busy) * SECOND;
				this.nanoTime += SECOND;
				adaptive.tick(new AdaptiveLimit.Sample(this.nanoTime, this.borrows, this.heldNanos, this.waitedNanos));
				limits.add(adaptive.limit());
			}
			return limits;
		}

	}

}
