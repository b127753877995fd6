package dev.dbpool.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudget;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.metrics.DbPoolMeterBinder;
import dev.dbpool.server.ServerView;
import dev.dbpool.settings.BudgetMode;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the connection budget against a real PostgreSQL: a role with
 * {@code CONNECTION LIMIT 3} and a pool of max 5 fails the start-up in mode fail, ends
 * with a pool of at most 3 in mode clamp, is logged in mode warn and is not looked at in
 * mode off; a fleet of many instances is counted against the server; the budget shows in
 * the {@code dbPool} health and as gauges.
 */
@ExtendWith(OutputCaptureExtension.class)
class DbPoolConnectionBudgetIntegrationTests {

	private static final int ROLE_LIMIT = 3;

	// How every mode describes a pool of max 5 over its role's limit: before and after
	// the role's name.
	private static final String OVER_THE_ROLE_LIMIT = "over its connection budget: "
			+ "1 instance × max-connections 5 = 5, but role '";

	private static final String ROLE_LIMIT_HELD = "' allows 3 (CONNECTION LIMIT 3, 0 held by others)";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		// The server-side view's side connection is counted in its own test.
		.withPropertyValues("app.db.pool.max-connections=5", "app.db.pool.min-connections=1",
				"app.db.pool.acquire-timeout=5s", "app.db.pool.monitor.server-enabled=false");

	private final List<String> roles = new ArrayList<>();

	@AfterEach
	void dropRoles() {
		this.roles.forEach(ServerSide::dropRoleQuietly);
	}

	@Test
	void failStopsTheStartupWithTheNumbersAndTheFix() throws SQLException {
		String name = ServerSide.uniqueName("it-budget-fail");
		limitedRole(name).withPropertyValues("app.db.pool.budget.mode=fail").run((context) -> {
			InvalidDbPoolConfigurationException failure = StartupFailures.invalidConfiguration(context);
			assertThat(failure.getDescription())
				.startsWith("Pool '" + name + "-pool' " + OVER_THE_ROLE_LIMIT + role(name) + ROLE_LIMIT_HELD)
				.contains("max-connections: app.db.pool.max-connections='5' (property source 'test')")
				.contains("instances: app.db.pool.instances='1' (default)");
			assertThat(failure.getAction())
				.startsWith("Set app.db.pool.max-connections to 3 or less (the largest safe max-connections)")
				.contains("app.db.pool.instances or DB_POOL_INSTANCES")
				.contains("raise role " + role(name) + " CONNECTION LIMIT 3")
				.contains("set app.db.pool.budget.mode to clamp");
		});
	}

	@Test
	void clampEndsWithAPoolWithinTheRoleLimitThatServes(CapturedOutput output) throws SQLException {
		String name = ServerSide.uniqueName("it-budget-clamp");
		limitedRole(name).withPropertyValues("app.db.pool.budget.mode=clamp", "app.db.pool.min-connections=4")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getMaximumPoolSize()).isLessThanOrEqualTo(ROLE_LIMIT);
				assertThat(pool.getMinimumIdle()).isLessThanOrEqualTo(pool.getMaximumPoolSize());
				holding(pool, ROLE_LIMIT, (borrowed) -> assertThat(borrowed)
					.allSatisfy((connection) -> assertThat(connection.isValid(1)).isTrue()));
				assertThat(output).contains("db-pool: pool '" + name + "-pool' " + OVER_THE_ROLE_LIMIT + role(name)
						+ ROLE_LIMIT_HELD + "; max-connections and min-connections "
						+ "lowered to 3, the largest safe max-connections (app.db.pool.budget.mode clamp)");
				// The summary is of the pool that runs, and says what the clamp changed.
				assertThat(output).contains("db-pool: pool '" + name + "-pool' for ")
					.contains(": max-connections 3 (lowered from 5 by app.db.pool.budget.mode clamp), "
							+ "min-connections 3 (lowered from 4), acquire-timeout ")
					.doesNotContain("max-connections 5, min-connections 4");
				assertThat(output.getAll().indexOf("lowered to 3, the largest safe"))
					.isLessThan(output.getAll().indexOf("(lowered from 5 by"));
				PoolSettings settings = context.getBean(PoolSettings.class);
				assertThat(settings.maxConnections()).isEqualTo(3);
				assertThat(settings.minConnections()).isEqualTo(3);
				assertThat(settings.source(PoolSettings.MAX_CONNECTIONS).source())
					.isEqualTo("derived by app.db.pool.budget.mode clamp");
			});
	}

	@Test
	void clampLeavesTheServerViewItsSideConnectionWithinTheRoleLimit(CapturedOutput output) throws SQLException {
		String name = ServerSide.uniqueName("it-budget-side");
		limitedRole(name).withConfiguration(AutoConfigurations.of(DbPoolMonitorAutoConfiguration.class))
			.withPropertyValues("app.db.pool.budget.mode=clamp", "app.db.pool.monitor.server-enabled=true")
			.run((context) -> {
				HikariDataSource pool = context.getBean(HikariDataSource.class);
				assertThat(pool.getMaximumPoolSize()).isEqualTo(ROLE_LIMIT - 1);
				assertThat(output).contains("db-pool: pool '" + name + "-pool' over its connection budget: "
						+ "1 instance × (max-connections 5 + 1 side connection) = 6, but role '" + role(name)
						+ ROLE_LIMIT_HELD + "; max-connections lowered to 2");
				holding(pool, ROLE_LIMIT - 1, (borrowed) -> {
					// With the pool at its clamped max, the view still gets its own slot.
					ServerView view = context.getBean(ServerView.class);
					assertThat(view.sample()).isNotNull();
					assertThat(view.failure()).isNull();
				});
			});
	}

	@Test
	void warnLogsTheNumbersAndKeepsThePool(CapturedOutput output) throws SQLException {
		String name = ServerSide.uniqueName("it-budget-warn");
		limitedRole(name).run((context) -> {
			assertThat(context).hasNotFailed();
			DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(5);
			assertThat(pool.getConnectionBudget().isOverBudget()).isTrue();
			assertThat(output).containsOnlyOnce("db-pool: pool '" + name + "-pool' " + OVER_THE_ROLE_LIMIT + role(name)
					+ ROLE_LIMIT_HELD + "; the largest safe max-connections is 3 "
					+ "(set app.db.pool.max-connections, or app.db.pool.instances or DB_POOL_INSTANCES)");
		});
	}

	@Test
	void othersConnectionsCountButTheFleetsOwnDoNot(CapturedOutput output) throws SQLException {
		String name = ServerSide.uniqueName("it-budget-others");
		ApplicationContextRunner runner = limitedRole(name);
		// Another instance of the fleet carries the pool's application_name; someone
		// else does not.
		try (Connection fleet = connectAs(role(name), name); Connection other = connectAs(role(name), "someone-else")) {
			runner.run((context) -> {
				ConnectionBudget budget = context.getBean(DbPoolDataSource.class).getConnectionBudget();
				assertThat(budget.usedByOthers()).isOne();
				assertThat(budget.safeMaxConnections()).isEqualTo(2);
				assertThat(output).contains(
						"allows 3 (CONNECTION LIMIT 3, 1 held by others); " + "the largest safe max-connections is 2");
			});
		}
	}

	@Test
	void offLeavesThePoolAsConfigured(CapturedOutput output) throws SQLException {
		String name = ServerSide.uniqueName("it-budget-off");
		limitedRole(name).withPropertyValues("app.db.pool.budget.mode=off").run((context) -> {
			DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
			assertThat(pool.getMaximumPoolSize()).isEqualTo(5);
			assertThat(pool.getConnectionBudget()).isNull();
			assertThat(output).doesNotContain("connection budget");
		});
	}

	// Port 1 refuses at once: a mode that checks says so, and the pool starts anyway.
	@ParameterizedTest
	@EnumSource(BudgetMode.class)
	void unreachableServerIsOneWarnLineAndOffDoesNotTryToConnect(BudgetMode mode, CapturedOutput output) {
		String name = ServerSide.uniqueName("it-budget-unreachable-" + mode.name().toLowerCase());
		this.runner.withPropertyValues("spring.application.name=" + name,
				"spring.datasource.url=jdbc:postgresql://127.0.0.1:1/dbpool_test", "app.db.pool.budget.mode=" + mode)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(DbPoolDataSource.class).getConnectionBudget()).isNull();
				String line = "db-pool: connection budget of pool '" + name + "-pool' not checked: 08001 ";
				if (mode == BudgetMode.OFF) {
					assertThat(output).doesNotContain("connection budget");
				}
				else {
					assertThat(output).containsOnlyOnce(line);
				}
			});
	}

	@ParameterizedTest
	@EnumSource(value = BudgetMode.class, names = { "WARN", "CLAMP" })
	void instancesOfTheFleetAreCountedAgainstTheServer(BudgetMode mode, CapturedOutput output) {
		String name = ServerSide.uniqueName("it-budget-fleet-" + mode.name().toLowerCase());
		this.runner.withInitializer(EnvironmentVariables.of("DB_POOL_INSTANCES=40"))
			.withPropertyValues("spring.application.name=" + name, "app.db.pool.budget.mode=" + mode)
			.run((context) -> {
				DbPoolDataSource pool = context.getBean(DbPoolDataSource.class);
				ConnectionBudget budget = pool.getConnectionBudget();
				int maxConnections = Integer.parseInt(serverSetting("max_connections"));
				// A superuser may have every slot; others' connections vary with what
				// else runs on the server, so they are read back from the budget.
				assertThat(budget.limit()).isEqualTo(maxConnections);
				assertThat(budget.boundBy()).isEqualTo("server max_connections " + maxConnections);
				assertThat(budget.instances()).isEqualTo(40);
				assertThat(budget.safeMaxConnections()).isEqualTo((maxConnections - budget.usedByOthers()) / 40);
				String over = "db-pool: pool '" + name + "-pool' over its connection budget: "
						+ "40 instances × max-connections 5 = 200, but the server allows " + maxConnections
						+ " (max_connections " + maxConnections + ", " + budget.usedByOthers() + " held by others); ";
				if (mode == BudgetMode.CLAMP) {
					assertThat(pool.getMaximumPoolSize()).isEqualTo(budget.safeMaxConnections())
						.isEqualTo(budget.maxConnections());
					assertThat(budget.headroom()).isNotNegative();
					assertThat(output).contains(over + "max-connections lowered to " + budget.safeMaxConnections());
				}
				else {
					assertThat(pool.getMaximumPoolSize()).isEqualTo(5);
					assertThat(output).contains(over + "the largest safe max-connections is "
							+ budget.safeMaxConnections() + " (set app.db.pool.max-connections, or DB_POOL_INSTANCES)");
				}
			});
	}

	@Test
	void withinBudgetIsOneInfoLine(CapturedOutput output) {
		String name = ServerSide.uniqueName("it-budget-within");
		this.runner.withPropertyValues("spring.application.name=" + name, "app.db.pool.instances=2").run((context) -> {
			ConnectionBudget budget = context.getBean(DbPoolDataSource.class).getConnectionBudget();
			assertThat(budget.isOverBudget()).isFalse();
			assertThat(budget.instances()).isEqualTo(2);
			assertThat(budget.mode()).isEqualTo(BudgetMode.WARN);
			assertThat(output).containsOnlyOnce("db-pool: pool '" + name + "-pool' within its connection budget: "
					+ "2 instances × max-connections 5 = 10, and the server allows ");
		});
	}

	@Test
	void budgetShowsInTheHealthDetailsAndAsGauges() throws SQLException {
		String name = ServerSide.uniqueName("it-budget-health");
		limitedRole(name)
			.withConfiguration(AutoConfigurations.of(DbPoolMonitorAutoConfiguration.class,
					DbPoolHealthContributorAutoConfiguration.class, DbPoolMetricsAutoConfiguration.class))
			.withConfiguration(DbPoolMetricsIntegrationTests.SPRING_BOOT_METRICS)
			.withPropertyValues("app.db.pool.budget.mode=clamp", "app.db.pool.monitor.interval=1s")
			.run((context) -> {
				context.getBean(DataSource.class).getConnection().close();
				Map<String, Object> details = context.getBean(DbPoolHealthIndicator.class).health().getDetails();
				assertThat(details.get(DbPoolHealthIndicator.BUDGET)).isEqualTo(Map.of("limit", 3, "usedByOthers", 0,
						"instances", 1, "demand", 3L, "headroom", 0L, "safeMaxConnections", 3, "boundBy",
						"role " + role(name) + " CONNECTION LIMIT 3", "mode", "clamp"));
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				String pool = name + "-pool";
				await().atMost(Duration.ofSeconds(5))
					.until(() -> registry.find(DbPoolMeterBinder.BUDGET_LIMIT).tag("pool", pool).gauge() != null);
				assertThat(registry.get(DbPoolMeterBinder.BUDGET_LIMIT).tag("pool", pool).gauge().value()).isEqualTo(3);
				assertThat(registry.get(DbPoolMeterBinder.BUDGET_USED_BY_OTHERS).tag("pool", pool).gauge().value())
					.isZero();
				assertThat(registry.get(DbPoolMeterBinder.BUDGET_DEMAND).tag("pool", pool).gauge().value())
					.isEqualTo(3);
				assertThat(registry.get(DbPoolMeterBinder.BUDGET_HEADROOM).tag("pool", pool).gauge().value()).isZero();
			});
	}

	/**
	 * A runner whose pool logs in as a role of its own, limited to {@value #ROLE_LIMIT}
	 * connections; the role is dropped after the test.
	 */
	private ApplicationContextRunner limitedRole(String name) throws SQLException {
		String role = role(name);
		ServerSide.ensureLoginRole(role, "secret", ROLE_LIMIT);
		this.roles.add(role);
		return this.runner.withPropertyValues("spring.application.name=" + name, "spring.datasource.username=" + role,
				"spring.datasource.password=secret");
	}

	// Borrow that many connections, run the check while they are held, return them.
	private static void holding(HikariDataSource pool, int count, ThrowingConsumer<List<Connection>> whileHeld)
			throws Throwable {
		List<Connection> borrowed = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				borrowed.add(pool.getConnection());
			}
			whileHeld.accept(borrowed);
		}
		finally {
			for (Connection connection : borrowed) {
				connection.close();
			}
		}
	}

	private static String role(String name) {
		return name.replace('-', '_');
	}

	private static Connection connectAs(String role, String applicationName) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", role);
		properties.setProperty("password", "secret");
		properties.setProperty("ApplicationName", applicationName);
		return DriverManager.getConnection(TestDatabase.get().jdbcUrl(), properties);
	}

	private static String serverSetting(String setting) throws SQLException {
		try (Connection superuser = TestDatabase.get().connect()) {
			return ServerSide.show(superuser, setting);
		}
	}

}
