package dev.dbpool.autoconfigure;

import javax.sql.DataSource;
import javax.sql.XADataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.DbPoolDataSourceFactory;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.replica.ReplicaRouter;
import dev.dbpool.settings.PoolSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jmx.export.MBeanExporter;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

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
 * {@code DataSource}, when it excludes {@link DataSourceAutoConfiguration} (it then wants
 * no auto-configured database), when {@code app.db.pool.enabled=false}, and when
 * {@code spring.datasource.type} names another pool: Spring Boot's own auto-configuration
 * then applies as usual.
 *
 * @author db-pool
 * @since 0.1.0
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.test.autoconfigure.TestDatabaseAutoConfiguration")
@ConditionalOnClass({ HikariDataSource.class, DataSourceProperties.class, org.postgresql.Driver.class })
@ConditionalOnBooleanProperty(name = "app.db.pool.enabled", matchIfMissing = true)
@ConditionalOnMissingBean(type = "io.r2dbc.spi.ConnectionFactory")
@Conditional(DataSourceAutoConfigurationNotExcludedCondition.class)
@EnableConfigurationProperties({ DbPoolProperties.class, DataSourceProperties.class })
public final class DbPoolAutoConfiguration {

	/** The name of the read replica pool's bean. */
	static final String REPLICA_DATA_SOURCE = "dbPoolReplicaDataSource";

	// What @AutoConfigureTestDatabase registers when it is to replace the DataSource.
	private static final String EMBEDDED_TEST_DATABASE = "org.springframework.boot.jdbc.test.autoconfigure."
			+ "TestDatabaseAutoConfiguration$EmbeddedDataSourceBeanFactoryPostProcessor";

	/**
	 * The pool, and the settings it was built with as a bean of their own: built only
	 * where the application has no {@code DataSource} and names no other pool type, and
	 * not in a test slice whose {@code @AutoConfigureTestDatabase} replaces the
	 * {@code DataSource} with an embedded one (its default): only with
	 * {@code replace = NONE} does the slice run on db-pool's pool. A single
	 * {@code HikariCredentialsProvider} bean gives the credentials of each new
	 * connection.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(value = { DataSource.class, XADataSource.class }, type = EMBEDDED_TEST_DATABASE)
	@ConditionalOnProperty(name = "spring.datasource.type", havingValue = "com.zaxxer.hikari.HikariDataSource",
			matchIfMissing = true)
	@ImportRuntimeHints(PoolRuntimeHints.class)
	static class PoolConfiguration {

		@Bean
		@ConditionalOnMissingBean({ DataSource.class, XADataSource.class })
		DbPoolDataSource dataSource(DbPoolProperties properties, DataSourceProperties dataSourceProperties,
				ObjectProvider<JdbcConnectionDetails> connectionDetails,
				ObjectProvider<HikariCredentialsProvider> credentialsProvider, Environment environment) {
			HikariConfig configured = configured(dataSourceProperties, connectionDetails.getIfAvailable(), environment);
			PoolSettings settings = new PoolSettingsResolver(properties, environment, configured).resolve();
			return new DbPoolDataSourceFactory(configured, settings)
				.credentialsProvider(credentialsProvider.getIfUnique())
				.trackBorrows(monitored(environment))
				.create();
		}

		// The settings as built, after any clamping by the connection budget.
		@Bean
		@ConditionalOnMissingBean
		PoolSettings dbPoolSettings(DataSource dataSource) {
			// Unwrapped: with spring.datasource.connection-fetch=lazy, the bean is a
			// proxy.
			DbPoolDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					DbPoolDataSource.class);
			PoolSettings settings = (pool != null) ? pool.getSettings() : null;
			Assert.state(settings != null, "db-pool's pool was built without settings");
			return settings;
		}

		/**
		 * The read replica's pool, with {@code app.db.pool.replicas.url} set: not a
		 * default candidate, so that the application keeps injecting the one
		 * {@code DataSource}, which sends read-only transactions here; Spring Boot's
		 * metrics and health still see it.
		 */
		@Bean(defaultCandidate = false)
		@Conditional(ReplicaConfiguredCondition.class)
		@ConditionalOnMissingBean(name = REPLICA_DATA_SOURCE)
		DbPoolDataSource dbPoolReplicaDataSource(DbPoolProperties properties, DataSourceProperties dataSourceProperties,
				ObjectProvider<JdbcConnectionDetails> connectionDetails,
				ObjectProvider<HikariCredentialsProvider> credentialsProvider, Environment environment) {
			JdbcConnectionDetails details = connectionDetails.getIfAvailable();
			// Built afresh for each pool: a configuration's driver properties are shared
			// by whatever it is copied to.
			HikariConfig replica = ReplicaConnection.configure(properties.getReplicas(), environment,
					configured(dataSourceProperties, details, environment));
			PoolSettings settings = new PoolSettingsResolver(properties, environment,
					configured(dataSourceProperties, details, environment))
				.resolveReplica(replica);
			return new DbPoolDataSourceFactory(replica, settings).credentialsProvider(credentialsProvider.getIfUnique())
				.trackBorrows(monitored(environment))
				.create();
		}

		@Bean
		@Conditional(ReplicaConfiguredCondition.class)
		@ConditionalOnMissingBean(ReplicaRoutingPostProcessor.class)
		static ReplicaRoutingPostProcessor dbPoolReplicaRoutingPostProcessor() {
			return new ReplicaRoutingPostProcessor();
		}

		@Bean
		@Conditional(ReplicaConfiguredCondition.class)
		@ConditionalOnClass(name = ReplicaOpenInViewCheck.INTERCEPTOR)
		@ConditionalOnMissingBean
		static ReplicaOpenInViewCheck dbPoolReplicaOpenInViewCheck(ListableBeanFactory beanFactory,
				Environment environment) {
			return new ReplicaOpenInViewCheck(beanFactory, environment);
		}

		// As Spring Boot binds its own pool: spring.datasource.*, then
		// spring.datasource.hikari.*, and a service connection wins over both.
		// The borrow timings feed the monitor: a pool without it borrows as HikariCP
		// does,
		// with Spring Boot's tracker.
		private static boolean monitored(Environment environment) {
			return environment.getProperty("app.db.pool.monitor.enabled", Boolean.class, true);
		}

		private static HikariConfig configured(DataSourceProperties properties, @Nullable JdbcConnectionDetails details,
				Environment environment) {
			HikariConfig config = new HikariConfig();
			if (details == null) {
				config.setJdbcUrl(properties.determineUrl());
				config.setUsername(properties.determineUsername());
				config.setPassword(properties.determinePassword());
				config.setDriverClassName(properties.determineDriverClassName());
			}
			Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(config));
			if (details != null) {
				config.setJdbcUrl(details.getJdbcUrl());
				config.setUsername(details.getUsername());
				config.setPassword(details.getPassword());
				String driverClassName = details.getDriverClassName();
				if (driverClassName != null) {
					config.setDriverClassName(driverClassName);
				}
			}
			return config;
		}

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
				mBeanExporter.ifUnique((exporter) -> {
					exporter.addExcludedBean("dataSource");
					exporter.addExcludedBean(REPLICA_DATA_SOURCE);
				});
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

	/**
	 * Matches when {@code app.db.pool.replicas.url} (or {@code DATABASE_REPLICA_URL}) has
	 * text: an empty URL configures no replica.
	 */
	static class ReplicaConfiguredCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			ConditionMessage.Builder message = ConditionMessage.forCondition("read replica");
			String url = context.getEnvironment().getProperty("app.db.pool.replicas.url");
			return StringUtils.hasText(url) ? ConditionOutcome.match(message.found("app.db.pool.replicas.url").atAll())
					: ConditionOutcome.noMatch(message.didNotFind("app.db.pool.replicas.url").atAll());
		}

	}

	/**
	 * Exposes the pool db-pool built behind Spring's
	 * {@link LazyConnectionDataSourceProxy} with the read replica's router as its
	 * read-only {@code DataSource}: a transaction Spring marks read only takes its
	 * connection there at its first statement, any other from the primary's pool. Runs
	 * before Spring Boot's lazy connection fetch, which the proxy does anyway.
	 */
	static class ReplicaRoutingPostProcessor implements BeanPostProcessor, BeanFactoryAware, Ordered {

		private @Nullable BeanFactory beanFactory;

		@Override
		public void setBeanFactory(BeanFactory beanFactory) {
			this.beanFactory = beanFactory;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!"dataSource".equals(beanName) || !(bean instanceof DbPoolDataSource primary)
					|| this.beanFactory == null) {
				return bean;
			}
			DbPoolDataSource replica = this.beanFactory.getBean(REPLICA_DATA_SOURCE, DbPoolDataSource.class);
			ReadReplica state = replica.guard(ReadReplica.class);
			Assert.state(state != null, "db-pool's replica pool holds no read replica guard");
			LazyConnectionDataSourceProxy proxy = new LazyConnectionDataSourceProxy(primary);
			proxy.setReadOnlyDataSource(new ReplicaRouter(primary, replica, state));
			// Known from the configuration: no connection borrowed to find them out.
			proxy.setDefaultAutoCommit(primary.isAutoCommit());
			return proxy;
		}

		@Override
		public int getOrder() {
			return -1;
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
