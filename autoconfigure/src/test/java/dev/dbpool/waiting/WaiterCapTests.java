package dev.dbpool.waiting;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dbpool.guard.GuardMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link WaiterCap}'s admission rule, on one thread: each {@code enter()}
 * without a {@code leave()} stands for a thread inside {@code getConnection()}, and the
 * pool's counters are whatever the test sets.
 */
class WaiterCapTests {

	private final FakePool pool = new FakePool();

	@Test
	void admitsUpToMaxWaitingBeyondTheFreeConnectionsThenRejects() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(2, this.pool);
		this.pool.active = 3;
		cap.enter();
		cap.enter();
		assertThatExceptionOfType(PoolSaturatedException.class).isThrownBy(cap::enter)
			.withMessage("db-pool: pool 'orders-pool' is saturated: 3/3 connections in use and 2 threads already "
					+ "waiting (app.db.pool.max-waiting=2); rejected at once instead of waiting up to 10s");
		assertThat(cap.getBorrowing()).as("a rejected thread is not inside").isEqualTo(2);
		assertThat(cap.getRejected()).isOne();
	}

	@Test
	void freeConnectionsAdmitThatManyMore() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(2, this.pool);
		this.pool.active = 1;
		for (int i = 0; i < 4; i++) {
			cap.enter();
		}
		assertThatExceptionOfType(PoolSaturatedException.class).isThrownBy(cap::enter)
			.satisfies((ex) -> assertThat(ex.getWaiting()).isEqualTo(2));
	}

	@Test
	void leavingMakesRoomForTheNext() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(1, this.pool);
		this.pool.active = 3;
		cap.enter();
		assertThatExceptionOfType(PoolSaturatedException.class).isThrownBy(cap::enter);
		cap.leave();
		cap.enter();
		assertThat(cap.getBorrowing()).isOne();
		assertThat(cap.getRejected()).isOne();
	}

	@Test
	void readsNoCounterWhileFewerThanMaxWaitingAreInside() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(3, this.pool);
		this.pool.active = 3;
		cap.enter();
		cap.enter();
		cap.enter();
		assertThat(this.pool.reads).isZero();
	}

	@Test
	void rejectsNobodyBeforeThePoolHasStarted() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(1, this.pool);
		this.pool.active = -1;
		for (int i = 0; i < 10; i++) {
			cap.enter();
		}
		assertThat(cap.getRejected()).isZero();
	}

	@Test
	void maxWaitingBelowOneIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new WaiterCap(0, this.pool));
	}

	@Test
	void reportsItsLimitAndRejectionsAndSitsOnTheBorrowPath() throws PoolSaturatedException {
		WaiterCap cap = new WaiterCap(1, this.pool);
		this.pool.active = 3;
		cap.enter();
		assertThatExceptionOfType(PoolSaturatedException.class).isThrownBy(cap::enter);
		Map<String, Object> details = new LinkedHashMap<>();
		cap.putDetails(details, Instant.now());
		assertThat(details).containsExactly(Map.entry("maxWaiting", 1), Map.entry("rejected", 1L));
		assertThat(cap.meters()).singleElement().satisfies((meter) -> {
			assertThat(meter.name()).isEqualTo("db.pool.rejected");
			assertThat(meter.type()).isEqualTo(GuardMeter.Type.COUNTER);
		});
		assertThat(cap.onBorrowPath()).isTrue();
	}

	private static final class FakePool implements WaiterCap.Pool {

		private int active;

		private int reads;

		@Override
		public int activeConnections() {
			this.reads++;
			return this.active;
		}

		@Override
		public int maxConnections() {
			return 3;
		}

		@Override
		public String name() {
			return "orders-pool";
		}

		@Override
		public Duration acquireTimeout() {
			return Duration.ofSeconds(10);
		}

	}

}
