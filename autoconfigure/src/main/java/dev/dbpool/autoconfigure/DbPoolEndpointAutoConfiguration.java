package dev.dbpool.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.HikariPools;
import dev.dbpool.endpoint.DbPoolEndpoint;
import dev.dbpool.endpoint.DbPoolEndpointWebExtension;
import dev.dbpool.settings.PoolSettings;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@link DbPoolEndpoint dbpool}
 * actuator endpoint, for the pools db-pool built: there when the endpoint is available
 * ({@code management.endpoint.dbpool.access} not {@code none}, and exposed), as every
 * actuator endpoint; backs off for the application's own {@code DbPoolEndpoint}.
 *
 * @author db-pool
 * @since 0.8.0
 */
@AutoConfiguration(after = DbPoolAutoConfiguration.class)
@ConditionalOnClass({ HikariDataSource.class, Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(PoolSettings.class)
@ConditionalOnAvailableEndpoint(DbPoolEndpoint.class)
public final class DbPoolEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DbPoolEndpoint dbPoolEndpoint(ConfigurableListableBeanFactory beanFactory) {
		return new DbPoolEndpoint(() -> {
			// The replica's pool too: not a default candidate, yet an autowire candidate.
			Map<String, DbPoolDataSource> pools = new LinkedHashMap<>();
			HikariPools
				.in(SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, DataSource.class, false,
						true))
				.values()
				.forEach((pool) -> {
					if (pool instanceof DbPoolDataSource dbPool && dbPool.getSettings() != null) {
						pools.put(dbPool.getPoolName(), dbPool);
					}
				});
			return pools;
		});
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(DbPoolEndpoint.class)
	DbPoolEndpointWebExtension dbPoolEndpointWebExtension(DbPoolEndpoint endpoint) {
		return new DbPoolEndpointWebExtension(endpoint);
	}

}
