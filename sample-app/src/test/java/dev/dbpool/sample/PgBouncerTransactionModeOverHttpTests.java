package dev.dbpool.sample;

import java.sql.SQLException;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample app behind PgBouncer in transaction mode: only {@code spring.datasource.url}
 * and the user changed, to one whose own settings hold the sample's timeouts
 * ({@link SamplePgBouncer#TRANSACTION_ROLE}).
 */
class PgBouncerTransactionModeOverHttpTests extends AbstractPgBouncerOverHttpTests {

	@BeforeAll
	static void startPgBouncer() throws SQLException {
		connectThrough(SamplePgBouncer.transaction());
	}

	@DynamicPropertySource
	static void transactionRole(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.username", () -> SamplePgBouncer.TRANSACTION_ROLE);
	}

	@Override
	String poolMode() {
		return "transaction";
	}

}
