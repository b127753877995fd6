package dev.dbpool.sizing;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

import dev.dbpool.guard.GuardMeter;
import dev.dbpool.guard.PoolGuard;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The adaptive limit of one pool ({@code app.db.pool.sizing=adaptive}): how many
 * connections it may hold now, between a floor (min-connections, at least {@code 2}) and
 * a ceiling (max-connections), moved once a {@link #TICK tick} by a latency-feedback rule
 * of the kind TCP Vegas and concurrency limiters use, from the pool's borrow timings over
 * the tick.
 * <p>
 * Each tick with at least {@value #MIN_BORROWS} borrows: {@code hold} is the mean time a
 * connection was held, smoothed over ticks; {@code baseline} the lowest smoothed hold of
 * the last {@value #BASELINE_TICKS} ticks, the hold time without queuing in the database;
 * {@code busy} the connections held on average; and
 * {@code queue = busy × (1 − baseline / hold)} the connections' worth of work queued
 * inside the database rather than served, less what the tick-to-tick variation of the
 * hold time (two standard deviations) explains. Then:
 * <ul>
 * <li><b>shrink</b> when {@code queue > β} ({@code β = max(1.5, 0.2 × limit)}): hold
 * times grew with the connections in use, the database is the bottleneck: to
 * {@code busy × baseline / hold + α}, by at most half;</li>
 * <li><b>grow</b> when threads wait (on average at least {@value #WAITING}) and
 * {@code queue < α} ({@code α = max(1, 0.1 × limit)}): the pool is the bottleneck and the
 * database keeps up: by {@code √limit} (by 1 once {@code queue} passes
 * {@code α / 2});</li>
 * <li><b>probe</b> when threads wait and the baseline was measured at about the
 * connections busy now (so it cannot tell whether fewer would serve as fast): halve the
 * limit for one tick. A probe that held connections at most {@value #PROBE_GAIN} of the
 * time before keeps the lower baseline and sets the limit from it; one that did not
 * restores the limit, and the next probe waits twice as long (from {@link #PROBE_BACKOFF}
 * up to {@link #PROBE_BACKOFF_MAX}).</li>
 * </ul>
 * Between {@code α} and {@code β} the limit stays: the band that keeps it steady under a
 * steady load. Every change is a DEBUG line; an INFO line says at most once a minute
 * where the limit went and why. As a {@link PoolGuard}: the {@value #DETAIL} health
 * detail and the {@value #LIMIT_METER} and {@value #CHANGES_METER} meters.
 *
 * @author db-pool
 * @since 0.8.0
 */
public final class AdaptiveLimit implements PoolGuard {

	/** Health detail the limit is shown in, beside the sizing advice. */
	public static final String DETAIL = "sizing";

	/** Gauge of the limit. */
	public static final String LIMIT_METER = "db.pool.sizing.limit";

	/** Counter of the limit's changes. */
	public static final String CHANGES_METER = "db.pool.sizing.changes";

	/** Time between two decisions. */
	public static final Duration TICK = Duration.ofSeconds(1);

	/** Fewest borrows in a tick to decide on: fewer are noise, and the limit stays. */
	public static final int MIN_BORROWS = 20;

	/** Ticks the baseline hold time is the lowest of. */
	public static final int BASELINE_TICKS = 60;

	/** Threads waiting on average over a tick that make the pool the bottleneck. */
	public static final double WAITING = 0.5;

	/** Share of the hold time before a probe that a probe must reach to count. */
	public static final double PROBE_GAIN = 0.85;

	/** Least time between probes while they find a lower hold time. */
	public static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

	/** Time to the next probe after one that found nothing, doubled each time. */
	public static final Duration PROBE_BACKOFF = Duration.ofMinutes(2);

	/** Longest time between probes. */
	public static final Duration PROBE_BACKOFF_MAX = Duration.ofMinutes(10);

	// Weight of the newest tick in the smoothed hold time.
	private static final double SMOOTHING = 0.3;

	// Weight of the newest tick in the hold time's mean and variance.
	private static final double NOISE_WEIGHT = 0.1;

	private static final Duration INFO_INTERVAL = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(AdaptiveLimit.class);

	private final String pool;

	private final IntConsumer apply;

	private volatile int floor;

	private volatile int ceiling;

	private volatile int limit;

	private volatile long changes;

	private volatile @Nullable Change lastChange;

	private volatile double lastHoldNanos = Double.NaN;

	private volatile double lastBaselineNanos = Double.NaN;

	private volatile double lastQueue = Double.NaN;

	// Below: the tick's own state, on the monitor's thread only.

	private @Nullable Sample previous;

	private double smoothedHold = Double.NaN;

	// How much a tick's hold time varies from the smoothed one under a steady limit: the
	// square of its relative deviation, averaged over about ten such ticks.
	private double holdVariance;

	private int ticksSinceChange;

	private final double[] holds = new double[BASELINE_TICKS];

	private int ticks;

	private int probeFrom;

	private double holdBeforeProbe;

	private double busyBeforeProbe;

	private long nextProbe = Long.MIN_VALUE;

	private Duration backoff = PROBE_BACKOFF;

	// The hold time the last probe measured with fewer connections.
	private double probedHold = Double.POSITIVE_INFINITY;

	private long infoLoggedAt = Long.MIN_VALUE;

	// The time of the tick being decided, from its sample.
	private long now = System.nanoTime();

	private int limitAtInfo;

	/**
	 * Create the limit of a pool.
	 * @param pool the pool's name, for log lines
	 * @param floor the lowest limit
	 * @param ceiling the highest limit
	 * @param initial the limit the pool starts with
	 * @param apply sets the pool's limit; called on the monitor's thread
	 */
	public AdaptiveLimit(String pool, int floor, int ceiling, int initial, IntConsumer apply) {
		this.pool = pool;
		this.floor = floor;
		this.ceiling = ceiling;
		this.limit = Math.max(floor, Math.min(ceiling, initial));
		this.limitAtInfo = this.limit;
		this.apply = apply;
	}

	/**
	 * Return the limit now.
	 * @return how many connections the pool may hold
	 */
	public int limit() {
		return this.limit;
	}

	/**
	 * Return the lowest limit.
	 * @return the floor
	 */
	public int floor() {
		return this.floor;
	}

	/**
	 * Return the highest limit.
	 * @return the ceiling
	 */
	public int ceiling() {
		return this.ceiling;
	}

	/**
	 * Return how many times the limit changed.
	 * @return the count
	 */
	public long changes() {
		return this.changes;
	}

	/**
	 * Return the last change of the limit.
	 * @return the change, or {@code null} before the first
	 */
	public @Nullable Change lastChange() {
		return this.lastChange;
	}

	/**
	 * Whether the limit is below its ceiling: threads waiting for a connection then wait
	 * by design, and the pool is not saturated.
	 * @return whether the limit may still grow
	 */
	public boolean isBelowCeiling() {
		return this.limit < this.ceiling;
	}

	/**
	 * Set new bounds, as a resize through the {@code dbpool} endpoint does, and bring the
	 * limit within them.
	 * @param floor the lowest limit
	 * @param ceiling the highest limit
	 * @param reason why, for the log line
	 * @return the limit now
	 */
	public synchronized int bounds(int floor, int ceiling, String reason) {
		this.floor = floor;
		this.ceiling = ceiling;
		int limit = Math.max(floor, Math.min(ceiling, this.limit));
		change(limit, reason);
		return limit;
	}

	/**
	 * Decide on the limit from the pool's cumulative timings now: what the monitor's
	 * thread does every {@link #TICK tick}.
	 * @param sample the pool's timings now
	 */
	public synchronized void tick(Sample sample) {
		Sample previous = this.previous;
		this.previous = sample;
		this.now = sample.nanoTime();
		if (previous == null) {
			return;
		}
		long nanos = sample.nanoTime() - previous.nanoTime();
		long borrows = sample.borrows() - previous.borrows();
		long held = sample.heldNanos() - previous.heldNanos();
		long waited = sample.waitedNanos() - previous.waitedNanos();
		if (nanos <= 0 || borrows < 0 || held < 0 || waited < 0) {
			// The pool restarted: start again.
			this.smoothedHold = Double.NaN;
			return;
		}
		if (borrows < MIN_BORROWS) {
			if (this.probeFrom > 0) {
				endProbe(Double.NaN);
			}
			return;
		}
		double hold = (double) held / borrows;
		double busy = (double) held / nanos;
		double waiting = (double) waited / nanos;
		if (this.probeFrom > 0) {
			endProbe(hold);
			return;
		}
		if (!Double.isNaN(this.smoothedHold) && this.ticksSinceChange++ >= 2) {
			double deviation = (hold - this.smoothedHold) / this.smoothedHold;
			this.holdVariance += NOISE_WEIGHT * (deviation * deviation - this.holdVariance);
		}
		this.smoothedHold = Double.isNaN(this.smoothedHold) ? hold
				: SMOOTHING * hold + (1 - SMOOTHING) * this.smoothedHold;
		remember(this.smoothedHold);
		decide(sample.nanoTime(), this.smoothedHold, busy, waiting);
	}

	private void decide(long now, double hold, double busy, double waiting) {
		double baseline = Math.min(this.holds[baselineIndex()], this.probedHold);
		// Two standard deviations of the smoothed hold time: what noise alone makes of it
		// (a mix of short and long holds varies from tick to tick).
		double noise = 2 * variation() * Math.sqrt(SMOOTHING / (2 - SMOOTHING));
		double queue = busy * Math.max(0, 1 - baseline * (1 + noise) / hold);
		this.lastHoldNanos = hold;
		this.lastBaselineNanos = baseline;
		this.lastQueue = queue;
		int limit = this.limit;
		double alpha = Math.max(1, 0.1 * limit);
		double beta = Math.max(1.5, 0.2 * limit);
		if (queue > beta && limit > this.floor) {
			int target = (int) Math.ceil(busy * baseline / hold + alpha);
			int lower = Math.max(this.floor, Math.max((limit + 1) / 2, Math.min(limit - 1, target)));
			change(lower, String.format(Locale.ROOT,
					"hold times %.2f times their low-load %s with %.1f connections busy: the database is queuing "
							+ "%.1f of them",
					hold / baseline, millis(baseline), busy, queue));
		}
		else if ((waiting >= WAITING || busy >= 0.5 * limit) && busy >= this.floor + 1
				&& (this.nextProbe == Long.MIN_VALUE || now - this.nextProbe >= 0)) {
			this.probeFrom = limit;
			this.holdBeforeProbe = hold;
			this.busyBeforeProbe = busy;
			int probe = Math.max(this.floor, (int) Math.ceil(Math.min(limit, busy) / 2));
			change(probe, String.format(Locale.ROOT,
					"probing for one tick whether fewer connections are served faster than in %s", millis(hold)));
		}
		else if (waiting >= WAITING && queue < alpha && limit < this.ceiling) {
			int step = (queue < alpha / 2) ? (int) Math.ceil(Math.sqrt(limit)) : 1;
			change(Math.min(this.ceiling, limit + step),
					String.format(Locale.ROOT,
							"%.1f threads waiting while hold times stay within %.2f times their low-load %s", waiting,
							hold / baseline, millis(baseline)));
		}
	}

	// The probe's tick is over: keep what it found, or go back.
	private void endProbe(double hold) {
		int before = this.probeFrom;
		this.probeFrom = 0;
		this.smoothedHold = Double.NaN;
		long now = this.now;
		if (!Double.isNaN(hold)) {
			// What fewer connections are served in, until the next probe.
			this.probedHold = hold;
		}
		// One tick's hold time against the smoothed one: beyond two of its deviations.
		if (!Double.isNaN(hold) && hold <= (PROBE_GAIN - 2 * variation()) * this.holdBeforeProbe) {
			this.nextProbe = now + PROBE_INTERVAL.toNanos();
			this.backoff = PROBE_BACKOFF;
			int target = (int) Math
				.ceil(this.busyBeforeProbe * hold / this.holdBeforeProbe + Math.max(1, 0.1 * this.limit));
			change(Math.max(this.limit, Math.min(before, target)),
					String.format(Locale.ROOT,
							"the probe held connections %s instead of %s: the database serves " + "fewer faster",
							millis(hold), millis(this.holdBeforeProbe)));
			return;
		}
		this.nextProbe = now + this.backoff.toNanos();
		Duration doubled = this.backoff.multipliedBy(2);
		this.backoff = (doubled.compareTo(PROBE_BACKOFF_MAX) < 0) ? doubled : PROBE_BACKOFF_MAX;
		change(before, "the probe found no faster service with fewer connections");
	}

	// A tick's hold time's standard deviation from the smoothed one, relative to it.
	private double variation() {
		return Math.sqrt(this.holdVariance);
	}

	private void remember(double hold) {
		this.holds[this.ticks++ % BASELINE_TICKS] = hold;
	}

	private int baselineIndex() {
		int count = Math.min(this.ticks, BASELINE_TICKS);
		int lowest = 0;
		for (int i = 1; i < count; i++) {
			if (this.holds[i] < this.holds[lowest]) {
				lowest = i;
			}
		}
		return lowest;
	}

	private void change(int limit, String reason) {
		int from = this.limit;
		if (limit == from) {
			return;
		}
		this.limit = limit;
		this.apply.accept(limit);
		this.changes++;
		this.ticksSinceChange = 0;
		this.lastChange = new Change(from, limit, reason, Instant.now());
		if (logger.isDebugEnabled()) {
			logger.debug("db-pool: pool '" + this.pool + "' adaptive limit " + from + " -> " + limit + ": " + reason);
		}
		long now = this.now;
		if (this.infoLoggedAt == Long.MIN_VALUE || now - this.infoLoggedAt >= INFO_INTERVAL.toNanos()) {
			if (logger.isInfoEnabled()) {
				logger.info("db-pool: pool '" + this.pool + "' adaptive limit " + this.limitAtInfo + " -> " + limit
						+ ((this.infoLoggedAt != Long.MIN_VALUE) ? " over the last minute" : "") + " (between "
						+ this.floor + " and " + this.ceiling + "): " + reason
						+ ". Said at most once a minute; every change is a DEBUG line");
			}
			this.infoLoggedAt = now;
			this.limitAtInfo = limit;
		}
	}

	private static String millis(double nanos) {
		return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
	}

	@Override
	public void putDetails(Map<String, Object> details, Instant now) {
		Map<String, Object> sizing = new LinkedHashMap<>();
		sizing.put("mode", "adaptive");
		sizing.put("limit", this.limit);
		sizing.put("floor", this.floor);
		sizing.put("ceiling", this.ceiling);
		if (!Double.isNaN(this.lastHoldNanos)) {
			sizing.put("holdMs", round(this.lastHoldNanos / 1e6, 1000));
			sizing.put("baselineHoldMs", round(this.lastBaselineNanos / 1e6, 1000));
			sizing.put("queue", round(this.lastQueue, 10));
		}
		sizing.put("changes", this.changes);
		Change change = this.lastChange;
		if (change != null) {
			Map<String, Object> last = new LinkedHashMap<>();
			last.put("from", change.from());
			last.put("to", change.to());
			last.put("reason", change.reason());
			last.put("at", change.time().toString());
			sizing.put("lastChange", last);
		}
		details.put(DETAIL, sizing);
	}

	private static double round(double value, int scale) {
		return Math.round(value * scale) / (double) scale;
	}

	@Override
	public List<GuardMeter<?>> meters() {
		return List.of(
				GuardMeter.gauge(LIMIT_METER, "Connections the pool may hold now, as adaptive sizing set it", this,
						AdaptiveLimit::limit),
				GuardMeter.counter(CHANGES_METER, "Changes of the adaptive limit", this, AdaptiveLimit::changes));
	}

	@Override
	public String toString() {
		return "AdaptiveLimit '" + this.pool + "' " + this.limit + " (" + this.floor + ".." + this.ceiling + ")";
	}

	/**
	 * A pool's cumulative borrow timings at one time.
	 *
	 * @param nanoTime when, from {@link System#nanoTime()}
	 * @param borrows connections returned to the pool since it started
	 * @param heldNanos time they were held, in total
	 * @param waitedNanos time borrows waited for a connection, in total
	 */
	public record Sample(long nanoTime, long borrows, long heldNanos, long waitedNanos) {

	}

	/**
	 * A change of the limit.
	 *
	 * @param from the limit before
	 * @param to the limit after
	 * @param reason why, in a sentence
	 * @param time when
	 */
	public record Change(int from, int to, String reason, Instant time) {

	}

}
