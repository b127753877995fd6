package dev.dbpool.autoconfigure;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.metrics.AcquirePercentilesMeterFilter;
import dev.dbpool.metrics.DbPoolMeterBinder;
import dev.dbpool.metrics.HikariMetricsBinder;
import dev.dbpool.metrics.MicrometerPoolCounters;
import dev.dbpool.metrics.ServerViewMeterBinder;
import dev.dbpool.monitor.PoolCounters;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.server.ServerView;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of db-pool's meters: the
 * {@code db.pool.*} meters of every monitored pool and the {@code db.server.*} gauges of
 * the server view ({@code app.db.pool.metrics.enabled}) and the percentiles of HikariCP's
 * {@code hikaricp.connections.acquire} ({@code app.db.pool.metrics.acquire-percentiles}),
 * unless the application configures that meter's distribution under
 * {@code management.metrics.distribution.*}. Spring Boot's {@code hikaricp.*} and
 * {@code jdbc.connections.*} meters stay as Spring Boot binds them; for the pools db-pool
 * built, whose tracker records their borrow timings, the {@code hikaricp.*} meters come
 * from HikariCP's own Micrometer tracker, attached to db-pool's.
 *
 * @author db-pool
 * @since 0.2.0
 */
@AutoConfiguration(
		after = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DbPoolMonitorAutoConfiguration.class },
		afterName = {
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				DbPoolMetricsAutoConfiguration.DATA_SOURCE_POOL_METRICS })
@ConditionalOnClass({ HikariDataSource.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@EnableConfigurationProperties(DbPoolProperties.class)
public final class DbPoolMetricsAutoConfiguration {

	static final String DATA_SOURCE_POOL_METRICS = "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration";

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "app.db.pool.metrics.acquire-percentiles", matchIfMissing = true)
	@Conditional(AcquireDistributionNotConfiguredCondition.class)
	AcquirePercentilesMeterFilter dbPoolAcquirePercentilesMeterFilter() {
		return new AcquirePercentilesMeterFilter();
	}

	/**
	 * HikariCP's {@code hikaricp.*} meters for the pools db-pool built, whose own tracker
	 * Spring Boot's binder leaves alone; only where Spring Boot binds them to the other
	 * pools, so that excluding its auto-configuration still switches them off.
	 */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(type = DATA_SOURCE_POOL_METRICS)
	HikariMetricsBinder dbPoolHikariMetricsBinder(ObjectProvider<DataSource> dataSources,
			ObjectProvider<AcquirePercentilesMeterFilter> percentiles) {
		return new HikariMetricsBinder(dataSources, percentiles.getIfAvailable());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(PoolMonitor.class)
	static class PoolMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean(PoolCounters.class)
		MicrometerPoolCounters dbPoolMicrometerPoolCounters(MeterRegistry registry) {
			return new MicrometerPoolCounters(registry);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBooleanProperty(name = "app.db.pool.metrics.enabled", matchIfMissing = true)
		DbPoolMeterBinder dbPoolMeterBinder(PoolMonitor monitor) {
			return new DbPoolMeterBinder(monitor);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(ServerView.class)
	static class ServerViewMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBooleanProperty(name = "app.db.pool.metrics.enabled", matchIfMissing = true)
		ServerViewMeterBinder dbPoolServerViewMeterBinder(ServerView view) {
			return new ServerViewMeterBinder(view);
		}

	}

	/**
	 * Matches unless the application configures the distribution of
	 * {@code hikaricp.connections.acquire} under {@code management.metrics.distribution},
	 * by its name, a prefix of it ({@code hikaricp.connections}, {@code hikaricp}) or
	 * {@code all}, as Spring Boot looks them up: the application's settings win whole.
	 */
	static class AcquireDistributionNotConfiguredCondition extends SpringBootCondition {

		private static final List<String> SETTINGS = List.of("percentiles-histogram", "percentiles", "slo",
				"minimum-expected-value", "maximum-expected-value", "expiry", "buffer-length");

		private static final List<String> NAMES = List.of(AcquirePercentilesMeterFilter.ACQUIRE, "hikaricp.connections",
				"hikaricp", "all");

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			ConditionMessage.Builder message = ConditionMessage
				.forCondition("hikaricp.connections.acquire distribution");
			Binder binder = Binder.get(context.getEnvironment());
			for (String setting : SETTINGS) {
				String prefix = "management.metrics.distribution." + setting;
				Map<String, String> configured = binder.bind(prefix, Bindable.mapOf(String.class, String.class))
					.orElse(Map.of());
				for (String name : NAMES) {
					if (configured.containsKey(name)) {
						return ConditionOutcome.noMatch(message.found("setting").items(prefix + "." + name));
					}
				}
			}
			return ConditionOutcome.match(message.because("not configured by the application"));
		}

	}

}
