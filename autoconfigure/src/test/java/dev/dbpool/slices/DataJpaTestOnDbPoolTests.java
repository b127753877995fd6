package dev.dbpool.slices;

import javax.sql.DataSource;

import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @DataJpaTest} with {@code @AutoConfigureTestDatabase(replace = NONE)} runs on
 * db-pool's pool, against PostgreSQL.
 */
@DataJpaTest(properties = { "spring.application.name=it-jpa-slice", "app.db.pool.max-connections=2",
		"app.db.pool.min-connections=0", "spring.jpa.hibernate.ddl-auto=create-drop" })
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class DataJpaTestOnDbPoolTests {

	@Autowired
	private DataSource dataSource;

	@Autowired
	private Notes notes;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		TestDatabase.register(registry);
	}

	@Test
	void runsOnDbPoolsPoolAgainstPostgresql() {
		assertThat(this.dataSource).isInstanceOf(DbPoolDataSource.class);
		Long id = this.notes.saveAndFlush(new Note("kept")).getId();
		assertThat(this.notes.findById(id)).hasValueSatisfying((note) -> assertThat(note.getText()).isEqualTo("kept"));
	}

}
