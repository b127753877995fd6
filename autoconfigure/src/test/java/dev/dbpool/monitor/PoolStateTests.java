package dev.dbpool.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolState}: the episodes, the history and the connection sightings
 * that observations feed, whichever thread makes them.
 */
class PoolStateTests {

	private static final Instant START = Instant.parse("2026-01-01T10:00:00Z");

	private final HikariDataSource dataSource = new HikariDataSource();

	private final List<String> events = new ArrayList<>();

	private final PoolState state;

	PoolStateTests() {
		this.dataSource.setPoolName("unit-pool");
		this.dataSource.setMaximumPoolSize(3);
		this.dataSource.setMinimumIdle(1);
		PoolMonitorListener listener = new PoolMonitorListener() {

			@Override
			public void poolStarted(PoolState pool) {
				PoolStateTests.this.events.add("started " + pool.name());
			}

			@Override
			public void exhaustionStarted(PoolState pool) {
				PoolStateTests.this.events.add("exhausted");
			}

			@Override
			public void exhaustionEnded(PoolState pool, Duration duration) {
				PoolStateTests.this.events.add("recovered after " + duration.toSeconds() + "s");
			}

		};
		this.state = new PoolState("dataSource", this.dataSource,
				new MonitorSettings(Duration.ofSeconds(1), 0.7, 0.85, 3), () -> PoolCounters.NONE, List.of(listener),
				Clock.systemUTC());
	}

	@AfterEach
	void close() {
		this.dataSource.close();
	}

	@Test
	void exhaustionEpisodeStartsAtTheFirstObservationAndEndsAtTheFirstThatNoLongerSeesIt() {
		record(0, 2, 1, 0);
		record(1, 3, 0, 2);
		record(2, 3, 0, 5);
		PoolSnapshot third = record(4, 3, 0, 1);
		assertThat(this.state.exhaustedFor(third)).isEqualTo(Duration.ofSeconds(3));
		PoolSnapshot released = record(6, 1, 2, 0);
		assertThat(this.state.exhaustedFor(released)).isNull();
		assertThat(this.events).containsExactly("started unit-pool", "exhausted", "recovered after 5s");
	}

	@Test
	void allConnectionsBusyWithoutWaitersIsNotExhaustion() {
		PoolSnapshot busy = record(0, 3, 0, 0);
		assertThat(busy.isExhausted()).isFalse();
		assertThat(this.state.exhaustedFor(busy)).isNull();
		assertThat(this.state.saturatedFor(busy)).isNull();
	}

	@Test
	void saturationNeedsCriticalUtilizationAndWaitersAndLastsWhileBothHold() {
		record(0, 3, 0, 1);
		PoolSnapshot later = record(7, 3, 0, 4);
		assertThat(this.state.saturatedFor(later)).isEqualTo(Duration.ofSeconds(7));
		PoolSnapshot noWaiter = record(8, 3, 0, 0);
		assertThat(this.state.saturatedFor(noWaiter)).isNull();
		PoolSnapshot again = record(9, 3, 0, 1);
		assertThat(this.state.saturatedFor(again)).as("a new episode").isEqualTo(Duration.ZERO);
	}

	@Test
	void poolHoldingNoConnectionWhileNeedingSomeIsStarved() {
		record(0, 0, 1, 0);
		record(1, 0, 0, 0);
		PoolSnapshot stillNone = record(5, 0, 0, 2);
		assertThat(this.state.starvedFor(stillNone)).isEqualTo(Duration.ofSeconds(4));
		assertThat(this.state.lastSeenWithConnections()).isEqualTo(START);
		PoolSnapshot back = record(6, 0, 1, 0);
		assertThat(this.state.starvedFor(back)).isNull();
		assertThat(this.state.lastSeenWithConnections()).isEqualTo(START.plusSeconds(6));
	}

	@Test
	void historyKeepsTheLastSamplesOnlyAndNotHealthObservations() {
		for (int second = 0; second < 5; second++) {
			record(second, 1, 1, 0);
		}
		this.state.record(snapshot(10, 2, 1, 0, PoolSnapshot.UNKNOWN), false);
		assertThat(this.state.history()).extracting(PoolSnapshot::time)
			.containsExactly(START.plusSeconds(2), START.plusSeconds(3), START.plusSeconds(4));
		assertThat(this.state.latest().time()).isEqualTo(START.plusSeconds(10));
	}

	@Test
	void lastConnectionCreatedIsTheLastObservationAtWhichTheCreationCountRose() {
		this.state.record(snapshot(0, 0, 1, 0, 1), true);
		this.state.record(snapshot(1, 0, 1, 0, 1), true);
		assertThat(this.state.lastConnectionCreated()).isEqualTo(START);
		this.state.record(snapshot(2, 1, 1, 0, 2), true);
		assertThat(this.state.lastConnectionCreated()).isEqualTo(START.plusSeconds(2));
	}

	@Test
	void notStartedPoolHasNoEpisodeAndIsNotReportedStarted() {
		PoolSnapshot sample = this.state.sample();
		assertThat(sample.state()).isEqualTo(PoolSnapshot.State.NOT_STARTED);
		assertThat(sample.pool()).isEqualTo("unit-pool");
		assertThat(sample.max()).isEqualTo(3);
		assertThat(sample.min()).isEqualTo(1);
		assertThat(sample.isStarved()).isFalse();
		assertThat(this.events).isEmpty();
		assertThat(this.state.utilization()).isZero();
	}

	private PoolSnapshot record(int second, int active, int idle, int waiting) {
		PoolSnapshot snapshot = snapshot(second, active, idle, waiting, PoolSnapshot.UNKNOWN);
		this.state.record(snapshot, true);
		return snapshot;
	}

	private static PoolSnapshot snapshot(int second, int active, int idle, int waiting, long created) {
		return new PoolSnapshot("unit-pool", PoolSnapshot.State.RUNNING, START.plusSeconds(second),
				Duration.ofSeconds(second).toNanos(), active, idle, active + idle, waiting, 3, 1, PoolSnapshot.UNKNOWN,
				created, PoolTimings.UNKNOWN);
	}

}
