package dev.dbpool.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.server.ServerView;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code dbPool} health
 * indicator, {@link DbPoolHealthIndicator}, next to Spring Boot's {@code db}. Switched
 * off by {@code management.health.dbpool.enabled=false}; backs off for a bean named
 * {@code dbPoolHealthIndicator} or {@code dbPoolHealthContributor}; needs the monitor.
 *
 * @author db-pool
 * @since 0.2.0
 */
@AutoConfiguration(after = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
		DbPoolMonitorAutoConfiguration.class })
@ConditionalOnClass({ HikariDataSource.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@EnableConfigurationProperties(DbPoolProperties.class)
public final class DbPoolHealthContributorAutoConfiguration {

	/**
	 * Nested, so that its health conditions are read only once the health module is known
	 * to be on the class path.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(PoolMonitor.class)
	@ConditionalOnEnabledHealthIndicator("dbpool")
	static class DbPoolHealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = { "dbPoolHealthIndicator", "dbPoolHealthContributor" })
		DbPoolHealthIndicator dbPoolHealthContributor(PoolMonitor monitor, DbPoolProperties properties,
				Environment environment, ObjectProvider<ServerView> serverView) {
			return new DbPoolHealthIndicator(monitor,
					DbPoolMonitorSettings.exhaustedGrace(properties.getHealth(), environment),
					serverView.getIfAvailable());
		}

	}

}
