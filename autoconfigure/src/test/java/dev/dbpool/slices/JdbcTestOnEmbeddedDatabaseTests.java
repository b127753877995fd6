package dev.dbpool.slices;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.settings.PoolSettings;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @JdbcTest} with the default {@code @AutoConfigureTestDatabase}: the embedded
 * test database replaces the {@code DataSource}, and db-pool stays out, although a
 * PostgreSQL URL is configured.
 */
@JdbcTest(properties = "spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/dbpool_test")
class JdbcTestOnEmbeddedDatabaseTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private JdbcClient jdbc;

	@Test
	void runsOnTheEmbeddedDatabaseWithoutDbPool() {
		assertThat(this.dataSource).isNotInstanceOf(HikariDataSource.class);
		assertThat(this.context.getBeanNamesForType(PoolSettings.class)).isEmpty();
		assertThat(this.jdbc.sql("SELECT H2VERSION()").query(String.class).single()).isNotBlank();
	}

}
