package dev.dbpool.settings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JdbcUrls}.
 */
class JdbcUrlsTests {

	@Test
	void recognizesPostgresqlUrls() {
		assertThat(JdbcUrls.isPostgresql("jdbc:postgresql://db/orders")).isTrue();
		assertThat(JdbcUrls.isPostgresql("JDBC:PostgreSQL://db/orders")).isTrue();
		assertThat(JdbcUrls.isPostgresql("jdbc:h2:mem:test")).isFalse();
		assertThat(JdbcUrls.isPostgresql("jdbc:postgres")).isFalse();
	}

	@Test
	void removesOneParameterKeepingTheOthers() {
		assertThat(JdbcUrls.withoutParameter("jdbc:postgresql://db/o?sslmode=require&options=-c%20x%3D1&ssl=true",
				"options"))
			.isEqualTo("jdbc:postgresql://db/o?sslmode=require&ssl=true");
		assertThat(JdbcUrls.withoutParameter("jdbc:postgresql://db/o?OPTIONS=x", "options"))
			.isEqualTo("jdbc:postgresql://db/o");
		assertThat(JdbcUrls.withoutParameter("jdbc:postgresql://db/o", "options")).isEqualTo("jdbc:postgresql://db/o");
		assertThat(JdbcUrls.withoutParameter("jdbc:postgresql://db/o?optionsx=1", "options"))
			.isEqualTo("jdbc:postgresql://db/o?optionsx=1");
	}

}
