package dev.dbpool.autoconfigure;

import javax.sql.DataSource;
import javax.sql.XADataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.budget.ConnectionBudgetCheck;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.Secrets;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.retry.RetryPolicy;
import dev.dbpool.datasource.WaiterCappedDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jmx.export.MBeanExporter;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the application's
 * {@link DataSource}: a HikariCP pool for PostgreSQL, built from {@code app.db.pool.*}
 * and tuned for it.
 * <p>
 * The connection (URL, user name, password) comes from a {@link JdbcConnectionDetails}
 * bean where there is one (a Testcontainers or Docker Compose service connection), else
 * from {@code spring.datasource.*}. {@code spring.datasource.hikari.*} still applies to
 * every HikariCP setting db-pool does not own; for a setting it does own, it must agree
 * with {@code app.db.pool.*}. Backs off when the application defines its own
 * {@code DataSource}, when {@code app.db.pool.enabled=false}, and when
 * {@code spring.datasource.type} names another pool: Spring Boot's own auto-configuration
 * then applies as usual.
 *
 * @author db-pool
 * @since 0.1.0
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass({ HikariDataSource.class, DataSourceProperties.class, org.postgresql.Driver.class })
@ConditionalOnBooleanProperty(name = "app.db.pool.enabled", matchIfMissing = true)
@ConditionalOnMissingBean(type = "io.r2dbc.spi.ConnectionFactory")
@EnableConfigurationProperties({ DbPoolProperties.class, DataSourceProperties.class })
public final class DbPoolAutoConfiguration {

	private static final Log logger = LogFactory.getLog(DbPoolAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean({ DataSource.class, XADataSource.class })
	@ConditionalOnProperty(name = "spring.datasource.type", havingValue = "com.zaxxer.hikari.HikariDataSource",
			matchIfMissing = true)
	DbPoolDataSource dataSource(DbPoolProperties properties, DataSourceProperties dataSourceProperties,
			ObjectProvider<JdbcConnectionDetails> connectionDetails, Environment environment) {
		Integer maxWaiting = maxWaiting(properties, environment);
		// The waiter cap is a subclass, so that a pool without it borrows as HikariCP
		// does.
		DbPoolDataSource dataSource = (maxWaiting != null) ? new WaiterCappedDataSource(maxWaiting)
				: new DbPoolDataSource();
		JdbcConnectionDetails details = connectionDetails.getIfAvailable();
		if (details == null) {
			dataSource.setJdbcUrl(dataSourceProperties.determineUrl());
			dataSource.setUsername(dataSourceProperties.determineUsername());
			dataSource.setPassword(dataSourceProperties.determinePassword());
			dataSource.setDriverClassName(dataSourceProperties.determineDriverClassName());
		}
		// As in Spring Boot: spring.datasource.hikari.* binds onto the pool...
		Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(dataSource));
		if (details != null) {
			// ...and a service connection wins over it.
			dataSource.setJdbcUrl(details.getJdbcUrl());
			dataSource.setUsername(details.getUsername());
			dataSource.setPassword(details.getPassword());
			String driverClassName = details.getDriverClassName();
			if (driverClassName != null) {
				dataSource.setDriverClassName(driverClassName);
			}
		}
		PoolSettingsResolver resolver = new PoolSettingsResolver(properties, environment, dataSource);
		PoolSettings settings = resolver.resolve();
		RetryPolicy retry = DbPoolRetrySettings.retry(properties.getRetry(), environment);
		settings.applyTo(dataSource);
		if (resolver.isPostgresql()) {
			settings.applyPostgresSettingsTo(dataSource);
		}
		else {
			logger.info("db-pool: " + Secrets.maskUrl(dataSource.getJdbcUrl())
					+ " is not a PostgreSQL URL; PostgreSQL driver and session settings are not applied");
		}
		if (logger.isInfoEnabled()) {
			logger.info("db-pool: pool '" + settings.poolName() + "' for " + Secrets.maskUrl(dataSource.getJdbcUrl())
					+ ": " + settings.summary() + ((maxWaiting != null) ? ", max-waiting " + maxWaiting : ""));
		}
		ConfiguredValue instances = resolver.instancesGiven();
		if (resolver.isPostgresql()) {
			// Before the pool starts, so that clamping still applies.
			// The server-side view holds one connection beside the pool.
			int sideConnections = (properties.getMonitor().isEnabled() && properties.getMonitor().isServerEnabled()) ? 1
					: 0;
			new ConnectionBudgetCheck(properties.getBudget().getMode(), properties.getInstances(), instances,
					resolver.maxConnectionsGiven(), sideConnections)
				.check(dataSource);
		}
		dataSource.countLeaks();
		// Last, so that it opens connections with every setting above.
		PhysicalConnectionSource.install(dataSource, retry);
		return dataSource;
	}

	private static @Nullable Integer maxWaiting(DbPoolProperties properties, Environment environment) {
		Integer maxWaiting = properties.getMaxWaiting();
		if (maxWaiting != null && maxWaiting < 1) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of("app.db.pool.max-waiting", maxWaiting, environment),
					"a whole number, at least 1, or unset for no cap");
		}
		return maxWaiting;
	}

	/**
	 * As Spring Boot does for its own pool: when HikariCP registers its own MBeans,
	 * Spring's exporter must not register the pool too, or HikariCP's registration fails.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("spring.jmx.enabled")
	static class JmxConfiguration {

		JmxConfiguration(ObjectProvider<DataSource> dataSource, ObjectProvider<MBeanExporter> mBeanExporter) {
			HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource.getIfUnique(), HikariConfigMXBean.class,
					HikariDataSource.class);
			if (pool != null && pool.isRegisterMbeans()) {
				mBeanExporter.ifUnique((exporter) -> exporter.addExcludedBean("dataSource"));
			}
		}

	}

	/**
	 * Spring Boot's {@code spring.datasource.connection-fetch=lazy}, which its own pooled
	 * configuration applies only to pools it builds: the pool is exposed behind a
	 * {@link LazyConnectionDataSourceProxy} that borrows a connection at the first
	 * statement.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "spring.datasource.connection-fetch", havingValue = "lazy")
	static class LazyConnectionFetchConfiguration {

		@Bean
		@ConditionalOnMissingBean(LazyConnectionFetchPostProcessor.class)
		static LazyConnectionFetchPostProcessor dbPoolLazyConnectionFetchPostProcessor() {
			return new LazyConnectionFetchPostProcessor();
		}

	}

	static class LazyConnectionFetchPostProcessor implements BeanPostProcessor, Ordered {

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			// Only the pool this auto-configuration built, as Spring Boot does for its
			// own.
			if ("dataSource".equals(beanName) && bean instanceof HikariDataSource dataSource) {
				return new LazyConnectionDataSourceProxy(dataSource);
			}
			return bean;
		}

		@Override
		public int getOrder() {
			return 0;
		}

	}

}
