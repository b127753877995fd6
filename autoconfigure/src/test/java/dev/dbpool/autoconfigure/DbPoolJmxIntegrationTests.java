package dev.dbpool.autoconfigure;

import java.lang.management.ManagementFactory;
import java.sql.Connection;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code spring.jmx.enabled} and HikariCP's {@code register-mbeans}, HikariCP
 * registers its own pool MBeans, as it does under Spring Boot's own pool configuration.
 */
class DbPoolJmxIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JmxAutoConfiguration.class, DbPoolAutoConfiguration.class,
				DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("spring.jmx.enabled=true", "spring.datasource.hikari.register-mbeans=true");

	@Test
	void hikariRegistersItsOwnPoolMBeans() {
		this.runner.withPropertyValues("app.db.pool.pool-name=jmx-eager-pool").run((context) -> {
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
			MBeanServer server = ManagementFactory.getPlatformMBeanServer();
			assertThat(server.isRegistered(new ObjectName("com.zaxxer.hikari:type=Pool (jmx-eager-pool)"))).isTrue();
			assertThat(server.isRegistered(new ObjectName("com.zaxxer.hikari:name=dataSource,type=HikariDataSource")))
				.isFalse();
		});
	}

	@Test
	void hikariRegistersItsOwnPoolMBeansBehindALazyProxy() {
		this.runner.withPropertyValues("app.db.pool.pool-name=jmx-lazy-pool", "spring.datasource.connection-fetch=lazy")
			.run((context) -> {
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(connection.isValid(1)).isTrue();
				}
				assertThat(ManagementFactory.getPlatformMBeanServer()
					.isRegistered(new ObjectName("com.zaxxer.hikari:type=Pool (jmx-lazy-pool)"))).isTrue();
			});
	}

}
