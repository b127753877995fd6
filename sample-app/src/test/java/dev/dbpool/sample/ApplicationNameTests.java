package dev.dbpool.sample;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool's connections identify the app to PostgreSQL, which the db-pool starter
 * arranges.
 */
class ApplicationNameTests extends AbstractSampleApplicationTests {

	// Fails until db-pool's auto-configuration lands: Spring Boot's own pool leaves
	// pgjdbc's default application_name, "PostgreSQL JDBC Driver".
	@Test
	void poolConnectionsCarryTheApplicationName() throws Exception {
		int backendPid = json(get("/work?holdMs=0")).get("backendPid").asInt();
		assertThat(
				queryForObject(String.class, "SELECT application_name FROM pg_stat_activity WHERE pid = ?", backendPid))
			.isEqualTo("db-pool-sample");
	}

}
