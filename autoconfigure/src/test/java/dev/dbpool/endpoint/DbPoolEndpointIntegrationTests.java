package dev.dbpool.endpoint;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.autoconfigure.DbPoolEndpointAutoConfiguration;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.endpoint.DbPoolEndpoint.PoolDescriptor;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code dbpool} endpoint on db-pool's pool against the test database: there only
 * where exposed, describing each setting and where it came from, and resizing the running
 * pool through HikariCP's setters, or refusing a size that is not allowed.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolEndpointIntegrationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolEndpointAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of("DB_MAX_CONNECTIONS=4"))
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("spring.application.name=it-endpoint", "app.db.pool.pooler.mode=none",
				"app.db.pool.budget.mode=off", "app.db.pool.min-connections=1",
				"management.endpoints.web.exposure.include=dbpool");

	@Test
	void isThereOnlyWhereExposed() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolEndpoint.class));
		this.runner.withPropertyValues("management.endpoint.dbpool.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(DbPoolEndpoint.class));
		this.runner.run((context) -> assertThat(context).hasSingleBean(DbPoolEndpoint.class));
	}

	@Test
	void describesEachSettingAndWhereItCameFrom() {
		this.runner.run((context) -> {
			PoolDescriptor pool = context.getBean(DbPoolEndpoint.class).pools().pools().get("it-endpoint-pool");
			assertThat(pool.role()).isEqualTo("primary");
			assertThat(pool.state()).isEqualTo("not started");
			assertThat(pool.maxConnections()).isEqualTo(4);
			assertThat(pool.settings().get("app.db.pool.max-connections"))
				.isEqualTo(new DbPoolEndpoint.SettingDescriptor("4", "DB_MAX_CONNECTIONS (environment variable)"));
			assertThat(pool.settings().get("app.db.pool.acquire-timeout").source()).isEqualTo("default");
			assertThat(pool.settings().toString()).doesNotContainIgnoringCase("password=");
			assertThat(context.getBean(DbPoolEndpoint.class).pool("no-such-pool")).isNull();
		});
	}

	@Test
	void growsTheRunningPoolAndLogsTheChangeOnce(CapturedOutput output) {
		this.runner.run((context) -> {
			DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
			DbPoolEndpoint endpoint = context.getBean(DbPoolEndpoint.class);
			List<Connection> held = new ArrayList<>();
			try {
				for (int i = 0; i < 4; i++) {
					held.add(pool.getConnection());
				}
				PoolDescriptor resized = endpoint.resize("it-endpoint-pool", 6, null);
				assertThat(resized.maxConnections()).isEqualTo(6);
				// The pool opens the connections it may now have.
				held.add(pool.getConnection());
				held.add(pool.getConnection());
				assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(6);
				assertThat(resized.settings().get("app.db.pool.max-connections").source())
					.startsWith("changed at run time by the dbpool endpoint at ");
				assertThat(resized.resizes()).singleElement()
					.satisfies((resize) -> assertThat(resize.oldMaxConnections()).isEqualTo(4));
			}
			finally {
				for (Connection connection : held) {
					connection.close();
				}
			}
		});
		assertThat(output).containsOnlyOnce("db-pool: pool 'it-endpoint-pool' resized by the dbpool endpoint: "
				+ "max-connections 4 -> 6, min-connections 1 -> 1");
	}

	@Test
	void shrinkingClosesTheIdleConnectionsAboveTheNewSizeAtOnce(CapturedOutput output) {
		this.runner.withPropertyValues("app.db.pool.min-connections=4").run((context) -> {
			DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
			pool.getConnection().close();
			await().until(() -> pool.getHikariPoolMXBean().getTotalConnections() == 4);
			context.getBean(DbPoolEndpoint.class).resize("it-endpoint-pool", 2, 1);
			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(2);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(2);
			assertThat(pool.getMinimumIdle()).isEqualTo(1);
		});
		assertThat(output).contains("max-connections 4 -> 2, min-connections 4 -> 1; closed 2 idle connections");
	}

	@Test
	void refusesASizeThatIsNotAllowedSayingWhy() {
		this.runner.run((context) -> {
			DbPoolEndpoint endpoint = context.getBean(DbPoolEndpoint.class);
			assertRefused(endpoint, 0, null, "max-connections 0 is not allowed: a whole number, at least 1, is");
			assertRefused(endpoint, null, -1, "min-connections -1 is not allowed: a whole number, at least 0, is");
			assertRefused(endpoint, null, 5, "max-connections 4 is below min-connections 5");
			assertRefused(endpoint, null, null, "Give maxConnections, minConnections or both");
			assertThat(context.getBean(DbPoolDataSource.class).getMaximumPoolSize()).isEqualTo(4);
		});
	}

	@Test
	void overHttpARefusalIsA400ThatSaysWhyAndAnUnknownPoolA404() {
		this.runner.run((context) -> {
			DbPoolEndpointWebExtension web = context.getBean(DbPoolEndpointWebExtension.class);
			WebEndpointResponse<Object> refused = web.resize("it-endpoint-pool", 0, null);
			assertThat(refused.getStatus()).isEqualTo(400);
			assertThat(refused.getBody()).asString()
				.contains("message=max-connections 0 is not allowed: a whole number, at least 1, is");
			assertThat(web.resize("no-such-pool", 5, null).getStatus()).isEqualTo(404);
			assertThat(web.resize("it-endpoint-pool", 5, null).getStatus()).isEqualTo(200);
		});
	}

	@Test
	void refusesASizeBeyondTheConnectionBudgetInModeFail() {
		this.runner.withPropertyValues("app.db.pool.budget.mode=fail").run((context) -> {
			DbPoolEndpoint endpoint = context.getBean(DbPoolEndpoint.class);
			assertRefused(endpoint, 100_000, null, "max-connections 100000 is beyond the connection budget: at most");
			assertThat(endpoint.resize("it-endpoint-pool", 5, null).maxConnections()).isEqualTo(5);
		});
	}

	@Test
	void describesAReadReplicasPoolToo() {
		this.runner.withPropertyValues("app.db.pool.replicas.url=" + TestDatabase.get().jdbcUrl()).run((context) -> {
			DbPoolEndpoint endpoint = context.getBean(DbPoolEndpoint.class);
			assertThat(endpoint.pools().pools()).containsOnlyKeys("it-endpoint-pool", "it-endpoint-pool-replica");
			PoolDescriptor replica = endpoint.pool("it-endpoint-pool-replica");
			assertThat(replica.role()).isEqualTo("replica");
			assertThat(replica.settings().get("app.db.pool.replicas.max-connections").source())
				.isEqualTo("DB_MAX_CONNECTIONS (environment variable)");
			assertThat(endpoint.resize("it-endpoint-pool-replica", 3, 0).maxConnections()).isEqualTo(3);
		});
	}

	private static void assertRefused(DbPoolEndpoint endpoint, Integer max, Integer min, String reason) {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> endpoint.resize("it-endpoint-pool", max, min))
			.satisfies((ex) -> assertThat(ex.getReason()).startsWith(reason));
	}

}
