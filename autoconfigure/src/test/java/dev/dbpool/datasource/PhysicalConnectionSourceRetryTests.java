package dev.dbpool.datasource;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.settings.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import org.springframework.jdbc.datasource.AbstractDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which openings the pool's connection source retries, seen through a HikariCP pool that
 * starts on a driver of the test's own that always fails the same way: a protocol
 * violation fails the start at once with the server's message, a connection failure is
 * tried as often as the policy allows. No server is involved.
 */
class PhysicalConnectionSourceRetryTests {

	private static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2));

	@Test
	void protocolViolationFailsAfterOneAttemptWithTheServersMessage() {
		// What pgjdbc throws when PgBouncer refuses a start-up parameter.
		PSQLException refused = new PSQLException("unsupported startup parameter: options",
				PSQLState.PROTOCOL_VIOLATION);
		FailingDriver driver = new FailingDriver(() -> refused);
		try (HikariDataSource pool = pool(driver)) {
			PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
			// HikariCP's start fails fast, and hands on the failure as it was thrown.
			assertThatExceptionOfType(SQLException.class).isThrownBy(pool::getConnection).isSameAs(refused);
			assertThat(driver.attempts.get()).isOne();
			assertThat(source.getRetries()).isZero();
			assertThat(source.getFailed()).isOne();
			assertThat(source.getLastFailure())
				.startsWith("08P01 unsupported startup parameter: options — fix: remove options from the JDBC URL");
		}
	}

	@Test
	void connectionFailureIsTriedAsOftenAsThePolicyAllows() {
		FailingDriver driver = new FailingDriver(() -> new PSQLException("Connection reset",
				PSQLState.CONNECTION_FAILURE, new IOException("Connection reset")));
		try (HikariDataSource pool = pool(driver)) {
			PhysicalConnectionSource source = PhysicalConnectionSource.of(pool);
			assertThatExceptionOfType(SQLException.class).isThrownBy(pool::getConnection)
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08006"));
			assertThat(driver.attempts.get()).isEqualTo(3);
			assertThat(source.getRetries()).isEqualTo(2);
			assertThat(source.getFailed()).isEqualTo(3);
		}
	}

	private static HikariDataSource pool(FailingDriver driver) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName("retry-test-pool");
		pool.setConnectionTimeout(30_000);
		pool.setDataSource(new PhysicalConnectionSource(driver, RETRY, pool, null));
		return pool;
	}

	/**
	 * A driver whose every attempt to connect fails with a new failure of one kind.
	 */
	private static final class FailingDriver extends AbstractDataSource {

		private final Supplier<SQLException> failure;

		private final AtomicInteger attempts = new AtomicInteger();

		private FailingDriver(Supplier<SQLException> failure) {
			this.failure = failure;
		}

		@Override
		public Connection getConnection() throws SQLException {
			this.attempts.incrementAndGet();
			throw this.failure.get();
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

	}

}
