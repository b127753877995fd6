package dev.dbpool.slices;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @JdbcTest} with {@code @AutoConfigureTestDatabase(replace = NONE)} runs on
 * db-pool's pool, against PostgreSQL.
 */
@JdbcTest(properties = { "spring.application.name=it-jdbc-slice", "app.db.pool.max-connections=2",
		"app.db.pool.min-connections=0" })
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class JdbcTestOnDbPoolTests {

	@Autowired
	private DataSource dataSource;

	@Autowired
	private PoolSettings settings;

	@Autowired
	private JdbcClient jdbc;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		TestDatabase.register(registry);
	}

	@Test
	void runsOnDbPoolsPoolAgainstPostgresql() {
		assertThat(this.dataSource).isInstanceOf(DbPoolDataSource.class);
		assertThat(this.settings.maxConnections()).isEqualTo(2);
		assertThat(this.jdbc.sql("SELECT current_setting('application_name')").query(String.class).single())
			.isEqualTo("it-jdbc-slice");
		assertThat(this.jdbc.sql("SELECT current_setting('statement_timeout')").query(String.class).single())
			.isEqualTo("30s");
	}

}
