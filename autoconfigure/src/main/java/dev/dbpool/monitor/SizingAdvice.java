package dev.dbpool.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A pool size recommended from what the monitor sampled over its history: how many
 * connections the load kept busy and waiting for, by Little's law, with headroom; and,
 * where hold times grew with the number of connections in use, fewer, since the database
 * itself was then the bottleneck.
 * <p>
 * For each monitor interval: {@code busy} = the time connections were held / the interval
 * (the average number held at once), {@code waiting} = the time borrows waited / the
 * interval (the average number of threads waiting), and their sum, the demand. The advice
 * is the largest demand of the window times {@value #HEADROOM}, rounded up. Where the
 * intervals with the most busy connections held each connection at least
 * {@value #SATURATION} times as long as the least busy ones, the database slowed down
 * under the load: the advice is then the most busy connections of an interval whose hold
 * time stayed within {@value #KNEE} times the least busy ones', times the headroom. No
 * advice before the window holds {@value #MIN_INTERVALS} intervals with at least
 * {@value #MIN_BORROWS} borrows in all. Where the pool was full in every interval (at
 * least 90% of max-connections busy on average, threads waiting) and hold times did not
 * vary, the load's demand is the clients', not what the database can serve, and one size
 * cannot tell whether more would be served faster: the advice is then the pool's size.
 * <p>
 * Two things know better and come first: the limit adaptive sizing's trials found to
 * serve the most, below its ceiling (they measured the sizes around it); and the
 * connection budget's safe max-connections, above which no advice goes (the server has no
 * room for more).
 *
 * @param recommendedMaxConnections the max-connections recommended
 * @param busy the most connections held at once on average in an interval of the window
 * @param demand the most connections held or waited for at once on average in an interval
 * of the window
 * @param borrowsPerSecond borrows per second over the window
 * @param meanHold how long a connection was held, on average over the window
 * @param meanWait how long a borrow waited, on average over the window
 * @param databaseSaturated whether hold times grew with the connections in use
 * @param window the time the advice rests on
 * @param basis why this size, in a sentence
 * @author db-pool
 * @since 0.8.0
 */
public record SizingAdvice(int recommendedMaxConnections, double busy, double demand, double borrowsPerSecond,
		Duration meanHold, Duration meanWait, boolean databaseSaturated, Duration window, String basis) {

	/** Headroom over the demand seen. */
	public static final double HEADROOM = 1.25;

	/**
	 * Hold-time growth, from the least busy intervals to the most, that shows saturation.
	 */
	public static final double SATURATION = 1.5;

	/** Hold-time growth still counted as the database keeping up. */
	public static final double KNEE = 1.3;

	/** Fewest monitor intervals the advice rests on. */
	public static final int MIN_INTERVALS = 3;

	/** Fewest borrows the advice rests on. */
	public static final int MIN_BORROWS = 100;

	// Share of max-connections busy on average that counts as the pool full.
	private static final double FULL = 0.9;

	// Fewest borrows of an interval whose hold time is compared: fewer are noise.
	private static final int MIN_COMPARED_BORROWS = 10;

	/**
	 * Work out the advice from a pool's samples.
	 * @param history the samples, oldest first
	 * @return the advice, or {@code null} while there is not enough to go on
	 */
	public static @Nullable SizingAdvice of(List<PoolSnapshot> history) {
		return of(history, 0, 0);
	}

	/**
	 * Work out the advice from a pool's samples and what else is known of its size.
	 * @param history the samples, oldest first
	 * @param provenLimit the limit adaptive sizing's trials found to serve the most,
	 * below its ceiling; {@code 0} if none
	 * @param cap the largest max-connections the server has room for (the connection
	 * budget's safe max-connections); {@code 0} if unknown
	 * @return the advice, or {@code null} while there is not enough to go on
	 */
	public static @Nullable SizingAdvice of(List<PoolSnapshot> history, int provenLimit, int cap) {
		List<Interval> intervals = intervals(history);
		long borrows = 0;
		long held = 0;
		long acquires = 0;
		long waited = 0;
		long nanos = 0;
		for (Interval interval : intervals) {
			borrows += interval.borrows();
			held += interval.heldNanos();
			acquires += interval.acquires();
			waited += interval.waitedNanos();
			nanos += interval.nanos();
		}
		if (intervals.size() < MIN_INTERVALS || borrows < MIN_BORROWS) {
			return null;
		}
		Interval leastBusy = intervals.get(0);
		Interval mostBusy = intervals.get(0);
		double demand = 0;
		for (Interval interval : intervals) {
			demand = Math.max(demand, interval.busy() + interval.waiting());
			if (interval.borrows() < MIN_COMPARED_BORROWS) {
				continue;
			}
			if (leastBusy.borrows() < MIN_COMPARED_BORROWS || interval.busy() < leastBusy.busy()) {
				leastBusy = interval;
			}
			if (mostBusy.borrows() < MIN_COMPARED_BORROWS || interval.busy() > mostBusy.busy()) {
				mostBusy = interval;
			}
		}
		double baseline = leastBusy.meanHoldNanos();
		boolean saturated = baseline > 0 && leastBusy.borrows() >= MIN_COMPARED_BORROWS
				&& mostBusy.busy() >= 1.5 * leastBusy.busy() && mostBusy.meanHoldNanos() >= SATURATION * baseline;
		int recommended;
		String basis;
		boolean full = intervals.stream().allMatch(Interval::full);
		if (provenLimit > 0) {
			recommended = provenLimit;
			basis = String.format("adaptive sizing's trials found %d connections serve the most: a lower limit "
					+ "served fewer borrows a second, a higher one no more", provenLimit);
		}
		else if (!saturated && full) {
			// Little's law would ask for every waiting client: that the database would
			// serve them faster than it serves the pool cannot be seen at one size.
			int max = intervals.get(intervals.size() - 1).max();
			recommended = max;
			basis = String.format("the pool was full with threads waiting in every monitor interval (%.1f "
					+ "connections busy or waited for at once): whether the database would serve more connections "
					+ "faster cannot be seen at one size, so the advice is the size it has; sizing: adaptive, or a "
					+ "sweep of sizes, finds out", demand);
		}
		else if (saturated) {
			double knee = 0;
			for (Interval interval : intervals) {
				if (interval.borrows() >= MIN_COMPARED_BORROWS && interval.meanHoldNanos() <= KNEE * baseline) {
					knee = Math.max(knee, interval.busy());
				}
			}
			recommended = size(knee);
			basis = String.format(
					"hold times grew %.1f times from %.1f to %.1f busy connections: the database slows "
							+ "down under more; %.1f busy kept them within %.1f times, plus %.0f%% headroom",
					mostBusy.meanHoldNanos() / baseline, leastBusy.busy(), mostBusy.busy(), knee, KNEE,
					(HEADROOM - 1) * 100);
		}
		else {
			recommended = size(demand);
			basis = String.format("at most %.1f connections busy or waited for at once (Little's law over each "
					+ "monitor interval), plus %.0f%% headroom", demand, (HEADROOM - 1) * 100);
		}
		if (cap > 0 && recommended > cap) {
			basis += String.format(" (%d); at most the connection budget's safe max-connections, %d: the server has "
					+ "no room for more", recommended, cap);
			recommended = cap;
		}
		double busy = mostBusy.busy();
		return new SizingAdvice(recommended, round(busy), round(demand), round(borrows * 1e9 / nanos),
				Duration.ofNanos(held / borrows), Duration.ofNanos((acquires > 0) ? waited / acquires : 0), saturated,
				Duration.ofNanos(nanos), basis);
	}

	private static int size(double connections) {
		return Math.max(1, (int) Math.ceil(connections * HEADROOM));
	}

	private static double round(double value) {
		return Math.round(value * 10) / 10.0;
	}

	// Differences between consecutive samples of a started pool with timings.
	private static List<Interval> intervals(List<PoolSnapshot> history) {
		List<Interval> intervals = new ArrayList<>();
		PoolSnapshot previous = null;
		for (PoolSnapshot sample : history) {
			if (!sample.isStarted() || !sample.timings().isKnown()) {
				previous = null;
				continue;
			}
			if (previous != null) {
				PoolTimings before = previous.timings();
				PoolTimings after = sample.timings();
				Interval interval = new Interval(sample.nanoTime() - previous.nanoTime(),
						after.borrows() - before.borrows(), after.heldNanos() - before.heldNanos(),
						after.acquires() - before.acquires(), after.waitedNanos() - before.waitedNanos(), sample.max());
				// A pool restarted in between, or counts kept per step: not comparable.
				if (interval.nanos() > 0 && interval.borrows() >= 0 && interval.heldNanos() >= 0
						&& interval.acquires() >= 0 && interval.waitedNanos() >= 0) {
					intervals.add(interval);
				}
			}
			previous = sample;
		}
		return intervals;
	}

	private record Interval(long nanos, long borrows, long heldNanos, long acquires, long waitedNanos, int max) {

		// Every connection held, threads waiting: the pool was the limit throughout.
		boolean full() {
			return busy() >= FULL * this.max && waiting() >= 1;
		}

		double busy() {
			return (double) this.heldNanos / this.nanos;
		}

		double waiting() {
			return (double) this.waitedNanos / this.nanos;
		}

		double meanHoldNanos() {
			return (this.borrows > 0) ? (double) this.heldNanos / this.borrows : 0;
		}

	}

}
