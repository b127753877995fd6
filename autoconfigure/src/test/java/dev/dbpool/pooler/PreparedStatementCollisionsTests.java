package dev.dbpool.pooler;

import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.dbpool.guard.GuardMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PreparedStatementCollisions}, with the errors as pgjdbc builds them
 * from what PostgreSQL sends; against a real PgBouncer in
 * {@code DbPoolPoolerIntegrationTests}.
 */
@ExtendWith(OutputCaptureExtension.class)
class PreparedStatementCollisionsTests {

	private static final SQLException ALREADY_EXISTS = server("42P05", "prepared statement \"S_1\" already exists");

	private static final SQLException DOES_NOT_EXIST = server("26000", "prepared statement \"S_3\" does not exist");

	private static final SQLException BIND = server("08P01",
			"bind message supplies 0 parameters, but prepared statement \"S_2\" requires 1");

	private final AtomicLong nanos = new AtomicLong(1_000);

	@Test
	void theDriversPreparedStatementsCollidingAreCollisions() {
		assertThat(PreparedStatementCollisions.isCollision(ALREADY_EXISTS)).isTrue();
		assertThat(PreparedStatementCollisions.isCollision(DOES_NOT_EXIST)).isTrue();
		assertThat(PreparedStatementCollisions.isCollision(BIND)).isTrue();
	}

	@Test
	void otherFailuresAndTheApplicationsOwnPrepareAreNot() {
		assertThat(PreparedStatementCollisions
			.isCollision(server("42P05", "prepared statement \"mine\" already " + "exists"))).isFalse();
		assertThat(PreparedStatementCollisions.isCollision(server("42P01", "relation \"t\" does not exist"))).isFalse();
		assertThat(PreparedStatementCollisions.isCollision(new SQLException("no state"))).isFalse();
	}

	@Test
	void oneWarningAMinuteAtMostWithTheCauseAndEveryCollisionCounted(CapturedOutput output) {
		PreparedStatementCollisions collisions = collisions();
		collisions.seen(ALREADY_EXISTS);
		collisions.seen(DOES_NOT_EXIST);
		this.nanos.addAndGet(PreparedStatementCollisions.WARN_INTERVAL.toNanos() - 1);
		collisions.seen(BIND);
		assertThat(collisions.count()).isEqualTo(3);
		assertThat(output).containsOnlyOnce("db-pool: pool 'orders-pool': 42P05 ERROR: prepared statement \"S_1\" "
				+ "already exists (1 such error so far; one line a minute at most). the fix");
		this.nanos.addAndGet(1);
		collisions.seen(BIND);
		assertThat(output).contains("db-pool: pool 'orders-pool': 08P01 ERROR: bind message supplies 0 parameters, "
				+ "but prepared statement \"S_2\" requires 1 (4 such errors so far; one line a minute at most).");
	}

	@Test
	void detailsCountAndOnceOneHappenedNameTheLastAndTheFix() {
		PreparedStatementCollisions collisions = collisions();
		assertThat(details(collisions)).containsEntry("preparedStatementErrors", Map.of("total", 0L));
		collisions.seen(ALREADY_EXISTS);
		assertThat(details(collisions)).containsEntry("preparedStatementErrors", Map.of("total", 1L, "last",
				"42P05 ERROR: prepared statement \"S_1\" already exists", "fix", "the fix"));
		assertThat(collisions.meters()).singleElement().satisfies((meter) -> {
			assertThat(meter.name()).isEqualTo("db.pool.pooler.prepared-statement-errors");
			assertThat(read(meter)).isOne();
		});
	}

	@Test
	void hikarisDefaultDecisionIsKeptWhereThePoolHadNoOverride() {
		HikariConfig pool = new HikariConfig();
		PreparedStatementCollisions collisions = PreparedStatementCollisions.watch(pool, collisions());
		assertThat(pool.getExceptionOverride().adjudicate(ALREADY_EXISTS))
			.isEqualTo(SQLExceptionOverride.Override.CONTINUE_EVICT);
		assertThat(pool.getExceptionOverride().adjudicate(server("42P01", "relation \"t\" does not exist")))
			.isEqualTo(SQLExceptionOverride.Override.CONTINUE_EVICT);
		assertThat(collisions.count()).isOne();
	}

	@Test
	void theApplicationsOwnOverrideStillDecides() {
		HikariConfig pool = new HikariConfig();
		pool.setExceptionOverrideClassName(NeverEvict.class.getName());
		PreparedStatementCollisions collisions = PreparedStatementCollisions.watch(pool, collisions());
		assertThat(pool.getExceptionOverride().adjudicate(BIND)).isEqualTo(SQLExceptionOverride.Override.DO_NOT_EVICT);
		assertThat(collisions.count()).isOne();
	}

	private PreparedStatementCollisions collisions() {
		return new PreparedStatementCollisions("orders-pool", "the fix", this.nanos::get);
	}

	private static Map<String, Object> details(PreparedStatementCollisions collisions) {
		Map<String, Object> details = new LinkedHashMap<>();
		collisions.putDetails(details, Instant.now());
		return details;
	}

	private static <T> double read(GuardMeter<T> meter) {
		return meter.value().applyAsDouble(meter.state());
	}

	// An error the server sent, as pgjdbc reads it.
	private static PSQLException server(String sqlState, String message) {
		return new PSQLException(new ServerErrorMessage("SERROR\0VERROR\0C" + sqlState + "\0M" + message + "\0"));
	}

	/** An application's override, configured by class name. */
	public static class NeverEvict implements SQLExceptionOverride {

		@java.lang.Override
		public SQLExceptionOverride.Override adjudicate(SQLException ex) {
			return SQLExceptionOverride.Override.DO_NOT_EVICT;
		}

	}

}
