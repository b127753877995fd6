package dev.dbpool.autoconfigure;

import java.time.Duration;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.settings.PoolSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link PoolerAdminUrl}: the URL of PgBouncer's admin console, as a JDBC or a
 * {@code postgres://} URL, its credentials taken out, and what is refused, never showing
 * the password.
 */
class PoolerAdminUrlTests {

	private static final String PASSWORD = "Adm1n-S3cret";

	private static final Duration INTERVAL = Duration.ofSeconds(60);

	@Test
	void jdbcUrlWithoutCredentialsLogsInAsThePool() {
		PoolSettings.AdminConsole console = resolve("jdbc:postgresql://pgbouncer:6432/pgbouncer?sslmode=require");
		assertThat(console.jdbcUrl()).isEqualTo("jdbc:postgresql://pgbouncer:6432/pgbouncer?sslmode=require");
		assertThat(console.username()).isNull();
		assertThat(console.password()).isNull();
		assertThat(console.interval()).isEqualTo(INTERVAL);
	}

	@Test
	void credentialsInAJdbcUrlAreTakenOutOfIt() {
		PoolSettings.AdminConsole console = resolve(
				"jdbc:postgresql://pgbouncer:6432/pgbouncer?user=stats&sslmode=require&password=" + PASSWORD);
		assertThat(console.jdbcUrl()).isEqualTo("jdbc:postgresql://pgbouncer:6432/pgbouncer?sslmode=require");
		assertThat(console.username()).isEqualTo("stats");
		assertThat(console.password()).isEqualTo(PASSWORD);
		assertThat(console.toString()).doesNotContain(PASSWORD).contains("password=****");
	}

	@Test
	void postgresUrlIsConvertedAsDatabaseUrlIs() {
		PoolSettings.AdminConsole console = resolve("postgres://stats:" + PASSWORD + "@pgbouncer:6432/pgbouncer");
		assertThat(console.jdbcUrl()).isEqualTo("jdbc:postgresql://pgbouncer:6432/pgbouncer");
		assertThat(console.username()).isEqualTo("stats");
		assertThat(console.password()).isEqualTo(PASSWORD);
	}

	@Test
	void unsetReadsNothing() {
		assertThat(PoolerAdminUrl.resolve(null, where(""), INTERVAL)).isNull();
	}

	@Test
	void anotherDatabaseThanTheConsoleIsRefusedWithThePasswordMasked() {
		String url = "postgres://stats:" + PASSWORD + "@pgbouncer:6432/app";
		assertThatExceptionOfType(InvalidDbPoolConfigurationException.class).isThrownBy(() -> resolve(url))
			.satisfies((ex) -> {
				assertThat(ex.getDescription())
					.startsWith("Invalid value for app.db.pool.pooler.admin-url: "
							+ "app.db.pool.pooler.admin-url='postgres://stats:****@pgbouncer:6432/app' (test)")
					.contains("its database is 'app', not pgbouncer, PgBouncer's admin console")
					.doesNotContain(PASSWORD);
				assertThat(ex.getAction()).contains("jdbc:postgresql://pgbouncer:6432/pgbouncer")
					.contains("or remove it")
					.doesNotContain(PASSWORD);
			});
	}

	@Test
	void aUrlThatIsNotPostgresqlsIsRefused() {
		assertThatExceptionOfType(InvalidDbPoolConfigurationException.class)
			.isThrownBy(() -> resolve("jdbc:mysql://pgbouncer:6432/pgbouncer"))
			.withMessageContaining("cannot be used because it is not a PostgreSQL URL");
		assertThatExceptionOfType(InvalidDbPoolConfigurationException.class).isThrownBy(() -> resolve(" "))
			.withMessageContaining("cannot be used because it is empty");
	}

	@Test
	void aMalformedPostgresUrlNamesTheSettingNotDatabaseUrl() {
		assertThatExceptionOfType(InvalidDbPoolConfigurationException.class)
			.isThrownBy(() -> resolve("postgres://stats:" + PASSWORD + "@pgbouncer:port/pgbouncer"))
			.satisfies((ex) -> {
				assertThat(ex.getDescription()).startsWith("Invalid value for app.db.pool.pooler.admin-url: ")
					.contains("the port 'port' is not a number")
					.doesNotContain(PASSWORD)
					.doesNotContain("DATABASE_URL");
				assertThat(ex.getAction()).doesNotContain(PASSWORD).doesNotContain("spring.datasource");
			});
	}

	private static PoolSettings.AdminConsole resolve(String url) {
		PoolSettings.AdminConsole console = PoolerAdminUrl.resolve(url, where(url), INTERVAL);
		assertThat(console).isNotNull();
		return console;
	}

	private static ConfiguredValue where(String url) {
		return PoolerAdminUrl.masked(new ConfiguredValue(PoolSettings.ADMIN_URL, PoolSettings.ADMIN_URL, url, "test"));
	}

}
