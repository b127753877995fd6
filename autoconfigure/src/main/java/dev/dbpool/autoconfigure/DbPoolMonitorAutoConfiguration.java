package dev.dbpool.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.monitor.PoolCounters;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.os.FileDescriptorsCheck;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.server.ServerView;
import dev.dbpool.server.ServerViewSettings;

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
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@link PoolMonitor}: samples
 * every HikariCP pool in the application, the one db-pool built or any other (Spring
 * Boot's own when {@code app.db.pool.enabled=false}, or the application's), on a daemon
 * thread of its own. Switched off by {@code app.db.pool.monitor.enabled=false}, which
 * also switches off the {@code dbPool} health indicator and the {@code db.pool.*} meters
 * that read it. Beside it, the {@link FileDescriptorsCheck} of the process's file
 * descriptors against its pools' connections, on the monitor's thread. For the pool
 * db-pool built, also the {@link ServerView}: what the server sees of the pool's
 * sessions, read over a connection of its own
 * ({@code app.db.pool.monitor.server-enabled}).
 *
 * @author db-pool
 * @since 0.2.0
 */
@AutoConfiguration(after = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class })
@ConditionalOnClass({ HikariDataSource.class, DataSourceUnwrapper.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "app.db.pool.monitor.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DbPoolProperties.class)
public final class DbPoolMonitorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PoolMonitor dbPoolMonitor(ConfigurableListableBeanFactory beanFactory, DbPoolProperties properties,
			Environment environment, ObjectProvider<PoolCounters> counters) {
		return new PoolMonitor(
				() -> SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, DataSource.class, false,
						true),
				counters::getIfAvailable, DbPoolMonitorSettings.monitor(properties.getMonitor(), environment));
	}

	@Bean
	@ConditionalOnMissingBean
	FileDescriptorsCheck dbPoolFileDescriptorsCheck(PoolMonitor monitor) {
		return new FileDescriptorsCheck(monitor);
	}

	/**
	 * The server's view of the pool db-pool built, read on the monitor's thread: at once
	 * when the monitor starts, then every {@code app.db.pool.monitor.server-interval}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(DbPoolDataSource.class)
	@ConditionalOnBooleanProperty(name = "app.db.pool.monitor.server-enabled", matchIfMissing = true)
	static class ServerViewConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ServerView dbPoolServerView(PoolMonitor monitor, ObjectProvider<DataSource> dataSources,
				DbPoolProperties properties, Environment environment) {
			ServerViewSettings settings = DbPoolMonitorSettings.serverView(properties, environment);
			HikariDataSource pool = dataSources.orderedStream()
				.map((dataSource) -> DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
						HikariDataSource.class))
				.filter((candidate) -> candidate instanceof DbPoolDataSource && candidate.getJdbcUrl() != null)
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("db-pool's pool is not among the DataSource beans"));
			ServerView view = new ServerView(pool, settings);
			monitor.addPeriodicTask("server view", Duration.ZERO, settings.interval(), view::sample);
			return view;
		}

	}

}
