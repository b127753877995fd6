package dev.dbpool.env;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link DatabaseUrl}.
 */
class DatabaseUrlTests {

	@Test
	void fullUrlGivesJdbcUrlAndCredentials() {
		DatabaseUrl url = DatabaseUrl.parse("postgres://app:s3cret@db.internal:6543/orders?sslmode=require");
		assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/orders?sslmode=require");
		assertThat(url.username()).isEqualTo("app");
		assertThat(url.password()).isEqualTo("s3cret");
	}

	@Test
	void postgresqlSchemeIsAcceptedInAnyCase() {
		assertThat(DatabaseUrl.parse("PostgreSQL://app@db/orders").jdbcUrl()).isEqualTo("jdbc:postgresql://db/orders");
	}

	@Test
	void percentEncodedCredentialsAreDecodedAndPlusStaysPlus() {
		DatabaseUrl url = DatabaseUrl.parse("postgres://us%40er:p%3Aa+ss%2F@db/orders");
		assertThat(url.username()).isEqualTo("us@er");
		assertThat(url.password()).isEqualTo("p:a+ss/");
	}

	@Test
	void passwordMayHoldAnAtSign() {
		DatabaseUrl url = DatabaseUrl.parse("postgres://app:p@ss@db/orders");
		assertThat(url.username()).isEqualTo("app");
		assertThat(url.password()).isEqualTo("p@ss");
		assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db/orders");
	}

	@Test
	void credentialsAreOptional() {
		DatabaseUrl url = DatabaseUrl.parse("postgres://db:5432/orders");
		assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/orders");
		assertThat(url.username()).isNull();
		assertThat(url.password()).isNull();
	}

	@Test
	void userWithoutPasswordHasNoPassword() {
		DatabaseUrl url = DatabaseUrl.parse("postgres://app@db/orders");
		assertThat(url.username()).isEqualTo("app");
		assertThat(url.password()).isNull();
	}

	@Test
	void databaseIsOptional() {
		assertThat(DatabaseUrl.parse("postgres://app:pw@db:5432").jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/");
		assertThat(DatabaseUrl.parse("postgres://db/?sslmode=disable").jdbcUrl())
			.isEqualTo("jdbc:postgresql://db/?sslmode=disable");
	}

	@Test
	void severalHostsAndIpv6AreKept() {
		assertThat(DatabaseUrl.parse("postgres://app:pw@primary:5432,[::1]:5433/orders?targetServerType=primary")
			.jdbcUrl()).isEqualTo("jdbc:postgresql://primary:5432,[::1]:5433/orders?targetServerType=primary");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			mysql://app:pw@db/orders            | it does not start with postgres:// or postgresql://
			jdbc:postgresql://db/orders         | it does not start with postgres:// or postgresql://
			postgres://app:pw@/orders           | it names no host
			postgres://app:pw@db:abc/orders     | the port 'abc' is not a number
			postgres://app:pw@db:0/orders       | the port 0 is not between 1 and 65535
			postgres://app:pw@db:5432,:5433/o   | a host name is empty
			postgres://app:pw@[::1/orders       | has no closing ']'
			postgres://app:pw@db/orders/extra   | contains '/'
			postgres://app:p%zz@db/orders       | malformed %-escape
			""")
	void malformedUrlFailsSayingWhyWithoutThePassword(String url, String why) {
		assertThatExceptionOfType(InvalidDbPoolConfigurationException.class).isThrownBy(() -> DatabaseUrl.parse(url))
			.satisfies((ex) -> {
				assertThat(ex.getDescription()).startsWith("Invalid value for DATABASE_URL: DATABASE_URL='")
					.contains(why)
					.contains("Allowed: a URL of the form postgres://user:password@host:port/database")
					.doesNotContain(":pw@")
					.doesNotContain("p%zz");
				assertThat(ex.getAction()).contains("DATABASE_URL").contains("spring.datasource.url");
			});
	}

	@Test
	void toStringNeverShowsThePassword() {
		assertThat(DatabaseUrl.parse("postgres://app:s3cret@db/orders").toString()).doesNotContain("s3cret")
			.contains("app");
	}

}
