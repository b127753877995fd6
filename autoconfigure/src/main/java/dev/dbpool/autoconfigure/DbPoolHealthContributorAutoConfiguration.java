package dev.dbpool.autoconfigure;

import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.health.DbPoolHealthIndicator;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.server.ServerView;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@code dbPool} health
 * indicator, {@link DbPoolHealthIndicator}, and of Spring Boot's {@code db} health
 * answered without waiting for a connection. {@code dbPool} is switched off by
 * {@code management.health.dbpool.enabled=false} and backs off for a bean named
 * {@code dbPoolHealthIndicator} or {@code dbPoolHealthContributor}; {@code db} is
 * switched off by {@code management.health.db.enabled=false} (Spring Boot's switch),
 * handed back to Spring Boot by {@code app.db.pool.health.replace-db=false}, and backs
 * off for a bean named {@code dbHealthIndicator} or {@code dbHealthContributor}. Both
 * need the monitor.
 *
 * @author db-pool
 * @since 0.2.0
 */
@AutoConfiguration(
		after = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class },
		beforeName = "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration")
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

	/**
	 * Spring Boot's {@code db} health, under its name and switch, for the HikariCP pools
	 * the monitor watches, answered without waiting for a connection; any other
	 * {@code DataSource} keeps Spring Boot's own check. Spring Boot's contributor then
	 * backs off, as it does for a {@code dbHealthContributor} of the application's.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(DataSourceHealthIndicator.class)
	@ConditionalOnBean(PoolMonitor.class)
	@ConditionalOnEnabledHealthIndicator("db")
	@ConditionalOnBooleanProperty(name = "app.db.pool.health.replace-db", matchIfMissing = true)
	static class DbHealthContributorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = { "dbHealthIndicator", "dbHealthContributor" })
		HealthContributor dbHealthContributor(ConfigurableListableBeanFactory beanFactory, PoolMonitor monitor,
				ObjectProvider<DataSourcePoolMetadataProvider> metadataProviders, Environment environment) {
			Map<String, DataSource> dataSources = SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory,
					DataSource.class, false, true);
			if (Binder.get(environment)
				.bind("management.health.db.ignore-routing-data-sources", Boolean.class)
				.orElse(false)) {
				dataSources.values().removeIf(DbHealthContributors::isRouting);
			}
			return new DbHealthContributors(monitor,
					new CompositeDataSourcePoolMetadataProvider(metadataProviders.orderedStream().toList()))
				.of(dataSources);
		}

	}

}
