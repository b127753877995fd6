package dev.dbpool.sample;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema and data set that schema.sql and data.sql create at start.
 */
class SampleDataTests extends AbstractSampleApplicationTests {

	@Test
	void dataSetHasAtLeastTenThousandCustomers() throws Exception {
		assertThat(queryForObject(Long.class, "SELECT count(*) FROM sample_customer")).isGreaterThanOrEqualTo(10_000);
	}

	@Test
	void pingAnswersWithoutTheDatabase() throws Exception {
		assertThat(get("/ping").body()).isEqualTo("pong");
	}

}
