package dev.dbpool.os;

import java.util.Map;

import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;
import dev.dbpool.autoconfigure.DbPoolHealthContributorAutoConfiguration;
import dev.dbpool.autoconfigure.DbPoolMonitorAutoConfiguration;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file-descriptor checks in an application with a db-pool pool: the {@code dbPool}
 * health shows the process's descriptors, and a limit below the need is told at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class FileDescriptorsIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class, DbPoolHealthContributorAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues(TestDatabase.get().dataSourceProperties())
		.withPropertyValues("spring.application.name=it-fd", "app.db.pool.max-connections=3",
				"app.db.pool.min-connections=0");

	@Test
	void healthShowsTheProcesssFileDescriptorsAndNoWarningWhenTheLimitCoversTheNeed(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(FileDescriptorsCheck.class);
			Map<String, Object> details = context.getBean(DbPoolHealthIndicator.class).health().getDetails();
			assertThat(details).containsEntry("pool", "it-fd-pool");
			@SuppressWarnings("unchecked")
			Map<String, Object> descriptors = (Map<String, Object>) details.get("fileDescriptors");
			assertThat(descriptors).containsOnlyKeys("open", "max", "usage");
			long open = (long) descriptors.get("open");
			long max = (long) descriptors.get("max");
			assertThat(open).isPositive();
			assertThat(max).isGreaterThanOrEqualTo(open);
			assertThat((double) descriptors.get("usage")).isBetween(0.0, 1.0);
			assertThat(max).as("this machine's limit").isGreaterThanOrEqualTo(3 + FileDescriptorsCheck.MARGIN);
		});
		assertThat(output).doesNotContain("file descriptors (");
	}

	@Test
	void limitBelowTheNeedIsToldAtStartUp(CapturedOutput output) {
		this.runner.withUserConfiguration(SmallLimit.class).run((context) -> {
			assertThat(context).hasSingleBean(FileDescriptorsCheck.class);
			assertThat(output).contains("db-pool: this process may open at most 100 file descriptors (20 open now), "
					+ "but needs 131: 3 for the connections of ['it-fd-pool'] at max-connections");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class SmallLimit {

		@Bean
		FileDescriptorsCheck smallLimitFileDescriptorsCheck(PoolMonitor monitor) {
			return new FileDescriptorsCheck(monitor::maxConnectionsByPool, () -> new FileDescriptorUsage(20, 100));
		}

	}

}
