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
 * a ceiling (max-connections), moved once a {@link #TICK tick} from the pool's borrow
 * timings over the tick. A latency rule of the kind TCP Vegas and concurrency limiters
 * use proposes each move; the pool's throughput decides whether it stays.
 * <p>
 * Each tick with at least {@value #MIN_BORROWS} borrows: {@code hold} is the mean time a
 * connection was held, smoothed over ticks; {@code baseline} the lowest hold of the last
 * {@value #BASELINE_TICKS} ticks, the hold time without queuing in the database;
 * {@code busy} the connections held on average; {@code rate} the borrows a second,
 * smoothed; and {@code queue = busy × (1 − baseline / hold)} the connections' worth of
 * work queued inside the database rather than served, less what the tick-to-tick
 * variation of the hold time (two standard deviations) explains. Then it proposes:
 * <ul>
 * <li><b>shrink</b> when {@code queue > β} ({@code β = max(1.5, 0.2 × limit)}): hold
 * times grew with the connections in use: to {@code busy × baseline / hold + α}, by at
 * most half;</li>
 * <li><b>grow</b> when threads wait (on average at least {@value #WAITING}) and
 * {@code queue ≤ β} ({@code α = max(1, 0.1 × limit)}; {@code queue < α} while the server
 * is slower than it was): by {@code √limit};</li>
 * <li><b>probe</b> when threads wait and a probe is due: half the connections busy.</li>
 * </ul>
 * Each proposal is a <b>trial</b>: after one tick to settle, the new limit's rate is
 * measured over {@value #TRIAL_TICKS} ticks, and up to {@value #TRIAL_TICKS_MAX} while
 * the verdict is within the rate's noise. A lower limit stays if it serves at least
 * {@value #KEEP_SHRINK} of the rate before (and {@value #KEEP_PEAK} of the best of the
 * last minute): the database, not the pool, was the bottleneck. A higher one stays if it
 * gains {@value #KEEP_GROW} of the proportional gain. Where the application and the
 * database share CPUs, hold times also grow with throughput, and only the rate tells the
 * two apart. A trial that fails goes back, and no trial follows for {@link #RETRY}, twice
 * as long after each failure in a row (a probe also waits {@link #PROBE_BACKOFF},
 * doubled), unless the rate or hold time moves by more than {@value #CHANGED}: then the
 * load or the server changed, and if the server got slower at the same limit (another
 * client loading it) the limit backs off without a trial.
 * <p>
 * Every change is a DEBUG line; an INFO line says at most once a minute where the limit
 * went and why. As a {@link PoolGuard}: the {@value #DETAIL} health detail and the
 * {@value #LIMIT_METER} and {@value #CHANGES_METER} meters.
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

	/** Ticks a trial measures, after one tick for the pool to settle at its new limit. */
	public static final int TRIAL_TICKS = 2;

	/**
	 * Most ticks a trial measures: it goes on while its verdict is within the rate's
	 * tick-to-tick noise.
	 */
	public static final int TRIAL_TICKS_MAX = 6;

	/** Share of the rate before that a lower limit must serve to stay. */
	public static final double KEEP_SHRINK = 0.95;

	/**
	 * Share of the best rate of the last minute that a lower limit must serve to stay.
	 */
	public static final double KEEP_PEAK = 0.9;

	/**
	 * Share of the proportional gain (the rate before times the new limit over the old) a
	 * higher limit must serve to stay, and at least 2 % more than before.
	 */
	public static final double KEEP_GROW = 0.25;

	/**
	 * Relative change of the rate or the hold time that shows the load or server changed.
	 */
	public static final double CHANGED = 0.2;

	/** Time after a failed trial before the next, doubled with each failure in a row. */
	public static final Duration RETRY = Duration.ofSeconds(15);

	/** Longest time after a failed trial before the next. */
	public static final Duration RETRY_MAX = Duration.ofMinutes(4);

	/** Least time between probes while they find fewer connections serve as much. */
	public static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

	/** Time to the next probe after one that failed, doubled each time. */
	public static final Duration PROBE_BACKOFF = Duration.ofMinutes(2);

	/** Longest time between probes. */
	public static final Duration PROBE_BACKOFF_MAX = Duration.ofMinutes(10);

	// Weight of the newest tick in the smoothed hold time and rate.
	private static final double SMOOTHING = 0.3;

	// Weight of the newest tick in the hold time's mean and variance.
	private static final double NOISE_WEIGHT = 0.1;

	// How long the best rate counts against a lower limit.
	private static final Duration PEAK_WINDOW = Duration.ofMinutes(1);

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

	private volatile double lastRate = Double.NaN;

	// The limit trials found no better than, 0 until they have.
	private volatile int proven;

	// Below: the tick's own state, on the monitor's thread only.

	private @Nullable Sample previous;

	// Ticks to leave out after a change, while the pool opens or retires connections.
	private int settling;

	// The limit's own ticks since it was set: smoothed hold and rate, and how many.
	private double smoothedHold = Double.NaN;

	private double smoothedRate = Double.NaN;

	private int levelTicks;

	// Whether trials showed that a higher limit (or a lower one) serves no more.
	private boolean triedAbove;

	private boolean triedBelow;

	// Whether the server got slower at the last change of conditions, and is not
	// faster since.
	private boolean contended;

	// How much a tick's hold time varies from the smoothed one under a steady limit: the
	// square of its relative deviation, averaged over about ten such ticks.
	private double holdVariance;

	// The same for the rate.
	private double rateVariance;

	private final double[] holds = new double[BASELINE_TICKS];

	private int ticks;

	// The trial under way: the limit before it (0: none), and what it measured. The limit
	// before keeps its own state meanwhile, to go back to.
	private int trialFrom;

	private boolean trialIsProbe;

	private double trialRates;

	private double trialHolds;

	private int trialTicks;

	// The best smoothed rate of the last minute, and when.
	private double peakRate = Double.NaN;

	private long peakAt;

	// The rate and hold time of the last trial's verdict: the conditions it held for.
	private double referenceRate = Double.NaN;

	private double referenceHold = Double.NaN;

	// No trial before this time, after a failed one; and how long the next failure waits.
	private long trialAfter = Long.MIN_VALUE;

	private Duration retry = RETRY;

	private long nextProbe = Long.MIN_VALUE;

	private Duration probeBackoff = PROBE_BACKOFF;

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
	 * Return the limit trials found to serve the most: a higher one served no more (or
	 * the limit is the ceiling) and a lower one served less (or the limit is the floor).
	 * @return the limit, or {@code 0} while trials have not shown it
	 */
	public int provenLimit() {
		return this.proven;
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
	 * limit within them. A trial under way ends where it is.
	 * @param floor the lowest limit
	 * @param ceiling the highest limit
	 * @param reason why, for the log line
	 * @return the limit now
	 */
	public synchronized int bounds(int floor, int ceiling, String reason) {
		this.floor = floor;
		this.ceiling = ceiling;
		if (this.trialFrom > 0) {
			// The trial ends where it is: its limit is measured afresh.
			this.trialFrom = 0;
			startLevel();
		}
		int limit = Math.max(floor, Math.min(ceiling, this.limit));
		set(limit, reason);
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
			this.trialFrom = 0;
			startLevel();
			return;
		}
		if (borrows < MIN_BORROWS) {
			if (this.trialFrom > 0) {
				// Too little traffic to judge by: back to where the trial began.
				int from = this.trialFrom;
				this.trialFrom = 0;
				set(from, "too few borrows to judge the trial by");
			}
			return;
		}
		double hold = (double) held / borrows;
		double busy = (double) held / nanos;
		double waiting = (double) waited / nanos;
		double rate = borrows * 1e9 / nanos;
		if (this.settling > 0) {
			this.settling--;
			return;
		}
		if (this.trialFrom > 0) {
			this.trialRates += rate;
			this.trialHolds += hold;
			if (++this.trialTicks >= TRIAL_TICKS) {
				judge();
			}
			return;
		}
		if (this.levelTicks++ >= 2) {
			double deviation = (hold - this.smoothedHold) / this.smoothedHold;
			this.holdVariance += NOISE_WEIGHT * (deviation * deviation - this.holdVariance);
			double rateDeviation = (rate - this.smoothedRate) / this.smoothedRate;
			this.rateVariance += NOISE_WEIGHT * (rateDeviation * rateDeviation - this.rateVariance);
		}
		this.smoothedHold = smooth(this.smoothedHold, hold);
		this.smoothedRate = smooth(this.smoothedRate, rate);
		remember(this.smoothedHold);
		if (this.levelTicks >= 2) {
			decide(this.smoothedHold, this.smoothedRate, busy, waiting);
		}
	}

	private static double smooth(double smoothed, double value) {
		return Double.isNaN(smoothed) ? value : SMOOTHING * value + (1 - SMOOTHING) * smoothed;
	}

	private void decide(double hold, double rate, double busy, double waiting) {
		long now = this.now;
		if (Double.isNaN(this.peakRate) || rate >= this.peakRate || now - this.peakAt >= PEAK_WINDOW.toNanos()) {
			this.peakRate = rate;
			this.peakAt = now;
		}
		double holdBefore = this.referenceHold;
		double rateBefore = this.referenceRate;
		boolean slower = false;
		if (Double.isNaN(this.referenceRate)) {
			reference(rate, hold);
		}
		else if (Math.abs(rate / this.referenceRate - 1) > CHANGED
				|| Math.abs(hold / this.referenceHold - 1) > CHANGED) {
			// The load or the server changed since the last verdict: what failed
			// may work now.
			slower = rate < this.referenceRate && hold > this.referenceHold;
			this.contended = slower;
			reference(rate, hold);
			this.peakRate = rate;
			this.trialAfter = Long.MIN_VALUE;
			this.retry = RETRY;
		}
		int limit = this.limit;
		if (slower && limit > this.floor) {
			// Fewer borrows, each held longer, at the same limit: the server got slower
			// (another client loads it, a slower plan). Back off as hold times grew,
			// without a trial: fewer connections get a smaller share of a busy
			// server, and giving it back is the point.
			set(lowered((int) Math.ceil(limit * holdBefore / hold)),
					String.format(Locale.ROOT,
							"hold times %.2f times as long and %.0f%% fewer borrows a second at the same limit: the "
									+ "server got slower, backing off",
							hold / holdBefore, 100 * (1 - rate / rateBefore)));
			return;
		}
		double baseline = this.holds[baselineIndex()];
		// Two standard deviations of the smoothed hold time: what noise alone makes of it
		// (a mix of short and long holds varies from tick to tick).
		double noise = 2 * variation() * Math.sqrt(SMOOTHING / (2 - SMOOTHING));
		double queue = busy * Math.max(0, 1 - baseline * (1 + noise) / hold);
		this.lastHoldNanos = hold;
		this.lastBaselineNanos = baseline;
		this.lastQueue = queue;
		this.lastRate = rate;
		double alpha = Math.max(1, 0.1 * limit);
		double beta = Math.max(1.5, 0.2 * limit);
		if (!due(this.trialAfter)) {
			return;
		}
		if (queue > beta && limit > this.floor) {
			trial(lowered((int) Math.ceil(busy * baseline / hold + alpha)), false,
					String.format(Locale.ROOT,
							"hold times %.2f times their low-load %s with %.1f connections busy: the database is "
									+ "queuing %.1f of them",
							hold / baseline, millis(baseline), busy, queue));
			return;
		}
		// While the server is slower than it was, a higher limit would take a larger
		// share of it from its other clients: it grows as Vegas alone would, below
		// the queue α.
		boolean grow = waiting >= WAITING && queue <= (this.contended ? alpha : beta) && limit < this.ceiling;
		int probe = Math.max(this.floor, (int) Math.ceil(Math.min(limit, busy) / 2));
		boolean probing = (waiting >= WAITING || busy >= 0.5 * limit) && busy >= this.floor + 1 && probe < limit
				&& due(this.nextProbe);
		// Where a higher limit already served no more, the probe goes first.
		if (grow && !(probing && this.triedAbove)) {
			trial(Math.min(this.ceiling, limit + (int) Math.ceil(Math.sqrt(limit))), false,
					String.format(Locale.ROOT,
							"%.1f threads waiting while hold times stay within %.2f times their low-load %s", waiting,
							hold / baseline, millis(baseline)));
		}
		else if (probing) {
			trial(probe, true, String.format(Locale.ROOT,
					"probing whether half the connections busy serve as many as %.0f borrows a second", rate));
		}
	}

	// A lower limit towards a target: one less at least, half at most, not under
	// the floor.
	private int lowered(int target) {
		int limit = this.limit;
		return Math.max(this.floor, Math.max((limit + 1) / 2, Math.min(limit - 1, target)));
	}

	// Whether a time (Long.MIN_VALUE: none) is past at this tick.
	private boolean due(long time) {
		return time == Long.MIN_VALUE || this.now - time >= 0;
	}

	private void trial(int to, boolean probe, String reason) {
		this.trialFrom = this.limit;
		this.trialIsProbe = probe;
		this.trialRates = 0;
		this.trialHolds = 0;
		this.trialTicks = 0;
		change(to, "trial: " + reason);
		this.settling = 1;
	}

	// The trial's ticks are in: keep its limit, or go back.
	private void judge() {
		int from = this.trialFrom;
		int ticks = this.trialTicks;
		double rate = this.trialRates / ticks;
		double hold = this.trialHolds / ticks;
		boolean shrink = this.limit < from;
		double before = this.smoothedRate;
		double needed = shrink ? Math.max(KEEP_SHRINK * before, KEEP_PEAK * this.peakRate)
				: before * (1 + Math.max(0.02, KEEP_GROW * (this.limit - from) / from));
		// The noise of the difference between the trial's mean and the smoothed
		// rate before.
		double noise = Math.sqrt(this.rateVariance * (1.0 / ticks + SMOOTHING / (2 - SMOOTHING)));
		if (ticks < TRIAL_TICKS_MAX && Math.abs(rate / needed - 1) < noise) {
			return;
		}
		this.trialFrom = 0;
		long now = this.now;
		boolean kept = rate >= needed;
		// What the trial's limit is served in: a baseline where it was lower.
		remember(hold);
		String verdict = String.format(Locale.ROOT, "%d connections served %.0f borrows a second, %d served %.0f",
				this.limit, rate, from, before);
		if (kept) {
			// The trial's ticks are the new limit's first.
			this.smoothedHold = hold;
			this.smoothedRate = rate;
			this.levelTicks = ticks;
			reference(rate, hold);
			// The level left served (nearly) as much, or less: one side of the new
			// one is known.
			this.triedAbove = shrink;
			this.triedBelow = !shrink;
			this.retry = RETRY;
			if (shrink) {
				if (this.trialIsProbe) {
					this.probeBackoff = PROBE_BACKOFF;
				}
				this.nextProbe = now + PROBE_INTERVAL.toNanos();
			}
			logChange(this.limit, this.limit, "kept: " + verdict);
			prove();
			return;
		}
		if (this.trialIsProbe) {
			this.nextProbe = now + this.probeBackoff.toNanos();
			this.probeBackoff = doubled(this.probeBackoff, PROBE_BACKOFF_MAX);
		}
		// Whatever failed: the next trial of any kind waits, longer with each failure.
		this.trialAfter = now + this.retry.toNanos();
		this.retry = doubled(this.retry, RETRY_MAX);
		// Back to the limit before, whose own state still stands.
		change(from, "trial failed: " + verdict);
		reference(before, this.smoothedHold);
		this.triedAbove = this.triedAbove || !shrink;
		this.triedBelow = this.triedBelow || shrink;
		this.settling = 1;
		prove();
	}

	private void prove() {
		int limit = this.limit;
		boolean above = this.triedAbove || limit >= this.ceiling;
		boolean below = this.triedBelow || limit <= this.floor;
		this.proven = (above && below) ? limit : 0;
	}

	private void reference(double rate, double hold) {
		this.referenceRate = rate;
		this.referenceHold = hold;
	}

	private static Duration doubled(Duration duration, Duration max) {
		Duration twice = duration.multipliedBy(2);
		return (twice.compareTo(max) < 0) ? twice : max;
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

	// A new limit, not a trial: measured afresh from its own ticks.
	private void set(int limit, String reason) {
		if (limit != this.limit) {
			change(limit, reason);
			startLevel();
			this.settling = 1;
		}
	}

	private void startLevel() {
		this.triedAbove = false;
		this.triedBelow = false;
		this.proven = 0;
		this.smoothedHold = Double.NaN;
		this.smoothedRate = Double.NaN;
		this.levelTicks = 0;
		this.referenceRate = Double.NaN;
	}

	private void change(int limit, String reason) {
		int from = this.limit;
		if (limit == from) {
			return;
		}
		this.limit = limit;
		this.apply.accept(limit);
		this.changes++;
		this.lastChange = new Change(from, limit, reason, Instant.now());
		logChange(from, limit, reason);
	}

	private void logChange(int from, int limit, String reason) {
		if (logger.isDebugEnabled()) {
			logger.debug("db-pool: pool '" + this.pool + "' adaptive limit " + from + " -> " + limit + ": " + reason);
		}
		if (from == limit) {
			return;
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
			sizing.put("limitBorrowsPerSecond", Math.round(this.lastRate));
		}
		sizing.put("changes", this.changes);
		if (this.proven > 0) {
			sizing.put("provenLimit", this.proven);
		}
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
