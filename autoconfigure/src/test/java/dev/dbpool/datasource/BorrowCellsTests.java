package dev.dbpool.datasource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BorrowCells}: exact totals from many threads, hold times bounded by
 * the clock reads around them, and reads that never report a half-seen update.
 */
class BorrowCellsTests {

	private static final int THREADS = 8;

	private static final int BORROWS = 100_000;

	private static final long MAX_PREEMPTION = TimeUnit.SECONDS.toNanos(10);

	@Test
	void stripesAreAPowerOfTwo() {
		assertThat(new BorrowCells(1).stripes()).isEqualTo(4);
		assertThat(new BorrowCells(5).stripes()).isEqualTo(8);
		assertThat(new BorrowCells(8).stripes()).isEqualTo(8);
		assertThat(new BorrowCells(1000).stripes()).isEqualTo(64);
	}

	@Test
	void totalsAreExactAfterManyThreadsBorrowAtOnce() throws Exception {
		BorrowCells cells = new BorrowCells();
		long start = System.nanoTime();
		runConcurrently(() -> {
			for (int i = 0; i < BORROWS; i++) {
				cells.acquired(3);
				cells.returned();
			}
		});
		long elapsed = System.nanoTime() - start;
		BorrowTotals totals = cells.totals();
		assertThat(totals).isNotNull();
		assertThat(totals.acquires()).isEqualTo((long) THREADS * BORROWS);
		assertThat(totals.returns()).isEqualTo((long) THREADS * BORROWS);
		assertThat(totals.waitedNanos()).isEqualTo(3L * THREADS * BORROWS);
		assertThat(totals.timeouts()).isZero();
		// Each thread held at most one connection at a time.
		assertThat(totals.heldNanos()).isBetween(0L, THREADS * elapsed);
	}

	@Test
	void heldTimeIsBetweenTheClockReadsAroundTheHold() throws Exception {
		BorrowCells cells = new BorrowCells();
		long before = System.nanoTime();
		cells.acquired(0);
		long borrowed = System.nanoTime();
		Thread.sleep(20);
		long returning = System.nanoTime();
		cells.returned();
		long after = System.nanoTime();
		BorrowTotals totals = cells.totals();
		assertThat(totals).isNotNull();
		assertThat(totals.returns()).isOne();
		assertThat(totals.heldNanos()).isBetween(returning - borrowed, after - before)
			.isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
	}

	@Test
	void connectionsStillOutAreCountedUntilTheRead() throws Exception {
		BorrowCells cells = new BorrowCells();
		cells.acquired(0);
		long borrowed = System.nanoTime();
		Thread.sleep(10);
		long reading = System.nanoTime();
		BorrowTotals first = cells.totals();
		assertThat(first).isNotNull();
		assertThat(first.returns()).isZero();
		assertThat(first.heldNanos()).isGreaterThanOrEqualTo(reading - borrowed);
		Thread.sleep(10);
		BorrowTotals second = cells.totals();
		assertThat(second).isNotNull();
		assertThat(second.heldNanos() - first.heldNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
	}

	@Test
	void timeoutEndsTheBorrowWithoutCountingAReturn() {
		BorrowCells cells = new BorrowCells();
		long before = System.nanoTime();
		cells.acquired(250);
		cells.timedOut();
		long after = System.nanoTime();
		cells.created();
		BorrowTotals totals = cells.totals();
		assertThat(totals).isNotNull();
		assertThat(totals.acquires()).isOne();
		assertThat(totals.waitedNanos()).isEqualTo(250);
		assertThat(totals.timeouts()).isOne();
		assertThat(totals.returns()).isZero();
		assertThat(totals.connectionsCreated()).isOne();
		assertThat(totals.heldNanos()).isBetween(0L, after - before);
	}

	@Test
	void readsDuringBorrowsAreWhole() throws Exception {
		BorrowCells cells = new BorrowCells();
		AtomicBoolean done = new AtomicBoolean();
		AtomicReference<String> failure = new AtomicReference<>();
		Thread reader = new Thread(() -> {
			BorrowTotals last = new BorrowTotals(0, 0, 0, 0, 0, 0);
			int reads = 0;
			while (!done.get() || reads == 0) {
				BorrowTotals totals = cells.totals();
				reads++;
				if (totals == null) {
					failure.compareAndSet(null, "a read gave up");
					return;
				}
				// Held time is the integral of the connections out: it decreases only
				// when
				// a return is recorded with a time read before the last read (the
				// returning
				// thread was preempted in between), by that delay. A half-seen update
				// would be off by years.
				if (totals.heldNanos() < last.heldNanos() - MAX_PREEMPTION || totals.acquires() < last.acquires()
						|| totals.returns() < last.returns() || totals.returns() > totals.acquires()) {
					failure.compareAndSet(null, last + " then " + totals);
					return;
				}
				last = totals;
			}
		});
		reader.start();
		try {
			runConcurrently(() -> {
				for (int i = 0; i < BORROWS; i++) {
					cells.acquired(1);
					cells.returned();
				}
			});
		}
		finally {
			done.set(true);
			reader.join(TimeUnit.SECONDS.toMillis(30));
		}
		assertThat(failure.get()).isNull();
		assertThat(cells.totals().returns()).isEqualTo((long) THREADS * BORROWS);
	}

	private static void runConcurrently(Runnable work) throws InterruptedException {
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			Thread thread = new Thread(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				work.run();
			});
			thread.start();
			threads.add(thread);
		}
		start.countDown();
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(60));
			assertThat(thread.isAlive()).isFalse();
		}
	}

}
