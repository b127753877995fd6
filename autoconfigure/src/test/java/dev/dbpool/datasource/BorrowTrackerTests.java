package dev.dbpool.datasource;

import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BorrowTracker}: it keeps its own totals and hands HikariCP's calls on,
 * unchanged, to the tracker attached before or after the pool started.
 */
class BorrowTrackerTests {

	private final PoolStats stats = new PoolStats(0) {

		@Override
		protected void update() {
		}

	};

	@Test
	void trackerAttachedBeforeThePoolStartsIsCreatedWhenItStarts() {
		BorrowTracker tracker = new BorrowTracker();
		RecordingFactory factory = new RecordingFactory();
		assertThat(tracker.attach(factory)).isTrue();
		assertThat(factory.created).isEmpty();
		assertThat(tracker.isStarted()).isFalse();
		IMetricsTracker created = tracker.create("pool-1", this.stats);
		assertThat(created).isSameAs(tracker);
		assertThat(tracker.isStarted()).isTrue();
		assertThat(factory.created).containsExactly("pool-1");
		assertThat(factory.stats).isSameAs(this.stats);
	}

	@Test
	void trackerAttachedAfterThePoolStartedIsCreatedAtOnce() {
		BorrowTracker tracker = new BorrowTracker();
		tracker.create("pool-2", this.stats);
		tracker.recordConnectionAcquiredNanos(5);
		RecordingFactory factory = new RecordingFactory();
		assertThat(tracker.attach(factory)).isTrue();
		assertThat(factory.created).containsExactly("pool-2");
		tracker.recordConnectionAcquiredNanos(7);
		assertThat(factory.calls).containsExactly("acquired 7");
		assertThat(tracker.totals().acquires()).isEqualTo(2);
	}

	@Test
	void onlyTheFirstAttachedTrackerIsUsed() {
		BorrowTracker tracker = new BorrowTracker();
		RecordingFactory first = new RecordingFactory();
		RecordingFactory second = new RecordingFactory();
		assertThat(tracker.attach(first)).isTrue();
		assertThat(tracker.attach(second)).isFalse();
		tracker.create("pool-3", this.stats);
		assertThat(first.created).containsExactly("pool-3");
		assertThat(second.created).isEmpty();
	}

	@Test
	void everyCallIsHandedOnUnchangedAndCounted() {
		BorrowTracker tracker = new BorrowTracker();
		RecordingFactory factory = new RecordingFactory();
		tracker.attach(factory);
		tracker.create("pool-4", this.stats);
		tracker.recordConnectionCreatedMillis(12);
		tracker.recordConnectionAcquiredNanos(1500);
		tracker.recordConnectionUsageMillis(3);
		tracker.recordConnectionAcquiredNanos(30_000);
		tracker.recordConnectionTimeout();
		tracker.close();
		assertThat(factory.calls).containsExactly("created 12", "acquired 1500", "usage 3", "acquired 30000", "timeout",
				"close");
		BorrowTotals totals = tracker.totals();
		assertThat(totals.connectionsCreated()).isOne();
		assertThat(totals.acquires()).isEqualTo(2);
		assertThat(totals.waitedNanos()).isEqualTo(31_500);
		assertThat(totals.returns()).isOne();
		assertThat(totals.timeouts()).isOne();
	}

	@Test
	void installedOnlyOnAPoolWithoutATrackerOfItsOwn() {
		try (HikariDataSource pool = new HikariDataSource()) {
			BorrowTracker.install(pool);
			assertThat(BorrowTracker.of(pool)).isNotNull();
		}
		try (HikariDataSource pool = new HikariDataSource()) {
			RecordingFactory own = new RecordingFactory();
			pool.setMetricsTrackerFactory(own);
			BorrowTracker.install(pool);
			assertThat(pool.getMetricsTrackerFactory()).isSameAs(own);
			assertThat(BorrowTracker.of(pool)).isNull();
		}
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setMetricRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
			BorrowTracker.install(pool);
			assertThat(pool.getMetricsTrackerFactory()).isNull();
		}
	}

	static final class RecordingFactory implements MetricsTrackerFactory {

		final List<String> created = new ArrayList<>();

		final List<String> calls = new ArrayList<>();

		PoolStats stats;

		@Override
		public IMetricsTracker create(String poolName, PoolStats poolStats) {
			this.created.add(poolName);
			this.stats = poolStats;
			return new IMetricsTracker() {

				@Override
				public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
					RecordingFactory.this.calls.add("created " + connectionCreatedMillis);
				}

				@Override
				public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
					RecordingFactory.this.calls.add("acquired " + elapsedAcquiredNanos);
				}

				@Override
				public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
					RecordingFactory.this.calls.add("usage " + elapsedBorrowedMillis);
				}

				@Override
				public void recordConnectionTimeout() {
					RecordingFactory.this.calls.add("timeout");
				}

				@Override
				public void close() {
					RecordingFactory.this.calls.add("close");
				}

			};
		}

	}

}
