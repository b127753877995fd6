package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for {@link DbPoolAutoConfiguration} against a real PostgreSQL: the
 * {@code app.db.pool.statement-cache-size} reaches the driver
 * ({@code preparedStatementCacheQueries}) and bounds the statements the server keeps
 * prepared for each pooled session.
 * <p>
 * With {@code prepareThreshold=1} the driver prepares every statement on the server at
 * its first use, and deallocates a statement when it drops it from its cache. The tests
 * count, in the session's own {@code pg_prepared_statements}, only their own statements:
 * they carry a marker, since the driver also server-prepares plain statements at this
 * threshold (HikariCP's {@code SHOW TRANSACTION ISOLATION LEVEL}, for one) and never
 * caches them; and the count runs as a plain, unprepared statement, so it neither shows
 * up nor takes a place in the driver's cache.
 */
class DbPoolStatementCacheIntegrationTests {

	private static final String MARKER = "dbpool_cache_probe";

	private static final int DISTINCT_STATEMENTS = 10;

	private static final int ROUNDS = 3;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("spring.datasource.hikari.data-source-properties.prepareThreshold=1");

	@Test
	void serverKeepsNoMorePreparedStatementsPerSessionThanTheStatementCacheSize() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-cache-small"),
					"app.db.pool.statement-cache-size=4")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					List<Integer> counts = runDistinctStatementsRepeatedly(connection);
					// Each statement past the 4th evicts one, which the driver
					// deallocates.
					assertThat(counts).allSatisfy((count) -> assertThat(count).isLessThanOrEqualTo(4)).contains(4);
					assertThat(counts.get(counts.size() - 1)).isEqualTo(4);
				}
			});
	}

	@Test
	void serverKeepsEveryStatementPreparedWhenTheStatementCacheIsLargeEnough() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-cache-large"),
					"app.db.pool.statement-cache-size=64")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					List<Integer> counts = runDistinctStatementsRepeatedly(connection);
					// Prepared once each, then reused: never prepared again.
					assertThat(counts.subList(0, DISTINCT_STATEMENTS)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
					assertThat(counts.subList(DISTINCT_STATEMENTS, counts.size())).containsOnly(DISTINCT_STATEMENTS);
				}
			});
	}

	@Test
	void serverKeepsNoStatementPreparedWhenTheStatementCacheIsOff() {
		this.runner
			.withPropertyValues("spring.application.name=" + ServerSide.uniqueName("it-cache-off"),
					"app.db.pool.statement-cache-size=0")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					// Each statement is still prepared at its first use, and deallocated
					// on close.
					assertThat(runDistinctStatementsRepeatedly(connection)).containsOnly(0);
				}
			});
	}

	/**
	 * Run {@value #DISTINCT_STATEMENTS} distinct prepared statements {@value #ROUNDS}
	 * times each, counting after each execution the test's statements the server holds
	 * prepared.
	 */
	private static List<Integer> runDistinctStatementsRepeatedly(Connection connection) throws SQLException {
		List<Integer> counts = new ArrayList<>();
		for (int round = 0; round < ROUNDS; round++) {
			for (int i = 0; i < DISTINCT_STATEMENTS; i++) {
				try (PreparedStatement statement = connection.prepareStatement("SELECT " + i + " + ? AS " + MARKER)) {
					statement.setInt(1, round);
					try (ResultSet result = statement.executeQuery()) {
						assertThat(result.next()).isTrue();
						assertThat(result.getInt(1)).isEqualTo(i + round);
					}
				}
				counts.add(preparedOnServer(connection));
			}
		}
		return counts;
	}

	private static int preparedOnServer(Connection connection) throws SQLException {
		// A plain statement: it never takes a place in the driver's cache, and,
		// unprepared, it is not in pg_prepared_statements either. Its text holds the
		// marker only split.
		try (Statement count = connection.createStatement()) {
			count.unwrap(PGStatement.class).setPrepareThreshold(0);
			try (ResultSet result = count.executeQuery(
					"SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, 'dbpool_cache' || '_probe') > 0")) {
				result.next();
				return result.getInt(1);
			}
		}
	}

}
