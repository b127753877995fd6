package dev.dbpool.sample;

import java.net.http.HttpResponse;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.ActiveProfiles;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under the {@code no-pool} profile (the benchmarks' baseline) the app serves from a
 * {@link DriverManagerDataSource}, a new physical connection per use, and there is no
 * HikariCP pool at all.
 */
@ActiveProfiles("no-pool")
class NoPoolProfileTests extends AbstractSampleApplicationTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void dataSourceIsDriverManagerDataSourceAndNoHikariPoolExists() {
		assertThat(this.context.getBean(DataSource.class)).isInstanceOf(DriverManagerDataSource.class);
		assertThat(this.context.getBeansOfType(HikariDataSource.class)).isEmpty();
	}

	@Test
	void servesACustomerWithoutAPool() throws Exception {
		HttpResponse<String> response = get("/customers/1");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).get("id").asLong()).isEqualTo(1);
	}

	@Test
	void eachUseOpensItsOwnConnection() throws Exception {
		// No pool: two holds in a row run on two different server processes.
		int first = json(get("/work?holdMs=0")).get("backendPid").asInt();
		int second = json(get("/work?holdMs=0")).get("backendPid").asInt();
		assertThat(first).isNotEqualTo(second);
	}

}
