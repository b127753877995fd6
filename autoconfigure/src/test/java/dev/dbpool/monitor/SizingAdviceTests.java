package dev.dbpool.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SizingAdvice} from synthetic samples: Little's law over each interval, the
 * demand of the waiting threads, and a smaller size where hold times grow with the
 * connections in use.
 */
class SizingAdviceTests {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void noAdviceWithoutEnoughIntervalsBorrowsOrTimings() {
		History busy = new History().interval(1000, 2.0, 0).interval(1000, 2.0, 0);
		assertThat(SizingAdvice.of(busy.samples)).isNull();
		History quiet = new History().interval(10, 2.0, 0).interval(10, 2.0, 0).interval(10, 2.0, 0);
		assertThat(SizingAdvice.of(quiet.samples)).isNull();
		List<PoolSnapshot> unknown = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			unknown.add(snapshot(i, 20, PoolTimings.UNKNOWN));
		}
		assertThat(SizingAdvice.of(unknown)).isNull();
	}

	@Test
	void steadyLoadNeedsTheConnectionsItKeepsBusyWithHeadroom() {
		// 1000 borrows a second, each held 2ms: 2 connections busy on average.
		History history = new History().interval(1000, 2.0, 0).interval(1000, 2.0, 0).interval(1000, 2.0, 0);
		SizingAdvice advice = SizingAdvice.of(history.samples);
		assertThat(advice).isNotNull();
		assertThat(advice.busy()).isEqualTo(2.0);
		assertThat(advice.demand()).isEqualTo(2.0);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(3);
		assertThat(advice.borrowsPerSecond()).isEqualTo(1000.0);
		assertThat(advice.meanHold()).isEqualTo(Duration.ofMillis(2));
		assertThat(advice.databaseSaturated()).isFalse();
		assertThat(advice.window()).isEqualTo(Duration.ofSeconds(3));
		assertThat(advice.basis()).startsWith("at most 2.0 connections busy or waited for at once");
	}

	@Test
	void threadsWaitingOnAFullPoolCountAsDemand() {
		// 4 connections busy, and on average 6 threads waiting: the pool is too small.
		History history = new History().interval(400, 10.0, 6.0).interval(400, 10.0, 6.0).interval(400, 10.0, 6.0);
		SizingAdvice advice = SizingAdvice.of(history.samples);
		assertThat(advice.busy()).isEqualTo(4.0);
		assertThat(advice.demand()).isEqualTo(10.0);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(13);
		assertThat(advice.databaseSaturated()).isFalse();
	}

	@Test
	void aPoolFullInEveryIntervalIsNotAdvisedToGrowBlindly() {
		// All 4 connections busy and 6 threads waiting throughout, at one hold time:
		// whether the database would serve more connections faster cannot be seen.
		History history = new History(4).interval(400, 10.0, 6.0).interval(400, 10.0, 6.0).interval(400, 10.0, 6.0);
		SizingAdvice advice = SizingAdvice.of(history.samples);
		assertThat(advice.demand()).isEqualTo(10.0);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(4);
		assertThat(advice.basis()).startsWith("the pool was full with threads waiting in every monitor interval")
			.contains("sizing: adaptive");
	}

	@Test
	void holdTimesThatGrowWithTheConnectionsInUseCapTheAdviceWhereTheyStillKeptUp() {
		// 2 busy at 2ms each, 4 at 2.4ms, 8 at 6ms: the database slows down past 4.
		History history = new History().interval(1000, 2.0, 0)
			.interval(1667, 2.4, 0)
			.interval(1333, 6.0, 0.5)
			.interval(1000, 2.0, 0);
		SizingAdvice advice = SizingAdvice.of(history.samples);
		assertThat(advice.databaseSaturated()).isTrue();
		assertThat(advice.busy()).isEqualTo(8.0);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(6);
		assertThat(advice.basis()).startsWith("hold times grew 3.0 times from 2.0 to 8.0 busy connections");
	}

	@Test
	void theLimitAdaptiveSizingProvedIsTheAdvice() {
		// Little's law would ask for 13; the trials measured that 7 serve the most.
		History history = new History().interval(400, 10.0, 6.0).interval(400, 10.0, 6.0).interval(400, 10.0, 6.0);
		SizingAdvice advice = SizingAdvice.of(history.samples, 7, 0);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(7);
		assertThat(advice.basis()).startsWith("adaptive sizing's trials found 7 connections serve the most");
		assertThat(SizingAdvice.of(history.samples, 0, 0).recommendedMaxConnections()).isEqualTo(13);
	}

	@Test
	void noAdviceAboveTheRoomTheServerHas() {
		History history = new History().interval(400, 10.0, 6.0).interval(400, 10.0, 6.0).interval(400, 10.0, 6.0);
		SizingAdvice advice = SizingAdvice.of(history.samples, 0, 9);
		assertThat(advice.recommendedMaxConnections()).isEqualTo(9);
		assertThat(advice.basis()).startsWith("at most 10.0 connections busy or waited for at once")
			.endsWith("(13); at most the connection budget's safe max-connections, 9: the server has no room for more");
		assertThat(SizingAdvice.of(history.samples, 0, 20).recommendedMaxConnections()).isEqualTo(13);
	}

	@Test
	void aPoolThatRestartedInTheWindowIsReadFromItsNewCounts() {
		History history = new History().interval(1000, 2.0, 0).interval(1000, 2.0, 0);
		history.restart();
		history.interval(1000, 4.0, 0).interval(1000, 4.0, 0);
		SizingAdvice advice = SizingAdvice.of(history.samples);
		// The interval across the restart is left out.
		assertThat(advice.busy()).isEqualTo(4.0);
		assertThat(advice.window()).isEqualTo(Duration.ofSeconds(4));
	}

	private static PoolSnapshot snapshot(int second, int max, PoolTimings timings) {
		return new PoolSnapshot("unit-pool", PoolSnapshot.State.RUNNING, Instant.EPOCH.plusSeconds(second),
				second * SECOND, 0, 0, 0, 0, max, Math.min(5, max), 0, 0, timings);
	}

	/**
	 * Samples one second apart, each interval with its borrows, hold time and waiting.
	 */
	private static final class History {

		private final List<PoolSnapshot> samples = new ArrayList<>();

		private long borrows;

		private long held;

		private long waited;

		private int second;

		private final int max;

		History() {
			this(20);
		}

		History(int max) {
			this.max = max;
			add();
		}

		History interval(long borrows, double holdMillis, double waiting) {
			this.second++;
			this.borrows += borrows;
			this.held += Math.round(borrows * holdMillis * 1_000_000);
			this.waited += Math.round(waiting * SECOND);
			add();
			return this;
		}

		void restart() {
			this.borrows = 0;
			this.held = 0;
			this.waited = 0;
			this.second++;
			add();
		}

		private void add() {
			this.samples.add(snapshot(this.second, this.max,
					new PoolTimings(this.borrows, this.held, this.borrows, this.waited)));
		}

	}

}
