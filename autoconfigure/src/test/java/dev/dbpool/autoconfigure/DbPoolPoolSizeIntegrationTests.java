package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.ServerSessions;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Integration tests for {@link DbPoolAutoConfiguration} against a real PostgreSQL: the
 * pool opens {@code min-connections} sessions on the server, never more than
 * {@code max-connections}, and a borrower waits no longer than {@code acquire-timeout}
 * for one.
 */
class DbPoolPoolSizeIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("app.db.pool.min-connections=3", "app.db.pool.max-connections=4");

	@Test
	void serverSeesMinConnectionsSessionsOnceThePoolHasStarted() {
		String name = ServerSide.uniqueName("it-pool-min");
		this.runner.withPropertyValues("spring.application.name=" + name).run((context) -> {
			assertThat(ServerSessions.named(name)).as("no session before the first borrow").isZero();
			// HikariCP starts on the first borrow; given back at once, so that all the
			// pool holds is idle and it fills up to min-connections, no further.
			context.getBean(DataSource.class).getConnection().close();
			assertThat(ServerSessions.awaitAtLeast(name, 3, Duration.ofSeconds(10))).isGreaterThanOrEqualTo(3);
			// The pool asks for all its missing connections at once: a pool growing past
			// min-connections would show it within this second.
			Thread.sleep(1_000);
			assertThat(ServerSessions.named(name)).isEqualTo(3);
		});
	}

	@Test
	void serverSeesAtMostMaxConnectionsSessionsAndABorrowerBeyondThemTimesOut() {
		String name = ServerSide.uniqueName("it-pool-max");
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.acquire-timeout=500ms")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> borrowed = new ArrayList<>();
				try {
					Set<Integer> pids = new HashSet<>();
					for (int i = 0; i < 4; i++) {
						Connection connection = dataSource.getConnection();
						borrowed.add(connection);
						pids.add(ServerSide.backendPid(connection));
					}
					assertThat(pids).hasSize(4);
					assertThat(ServerSessions.named(name)).isEqualTo(4);
					long start = System.nanoTime();
					assertThatExceptionOfType(SQLTransientConnectionException.class)
						.isThrownBy(dataSource::getConnection)
						.withMessageStartingWith(context.getBean(HikariDataSource.class).getPoolName()
								+ " - Connection is not available, request timed out after ");
					long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
					assertThat(elapsedMillis).isGreaterThanOrEqualTo(400L).isLessThan(5_000L);
					assertThat(ServerSessions.named(name)).as("no fifth session").isEqualTo(4);
				}
				finally {
					for (Connection connection : borrowed) {
						connection.close();
					}
				}
			});
	}

}
