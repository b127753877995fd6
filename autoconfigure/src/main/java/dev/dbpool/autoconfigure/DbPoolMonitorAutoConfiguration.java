package dev.dbpool.autoconfigure;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.datasource.DbPoolDataSource;
import dev.dbpool.datasource.PhysicalConnectionSource;
import dev.dbpool.monitor.PoolCounters;
import dev.dbpool.monitor.PoolMonitor;
import dev.dbpool.os.FileDescriptorsCheck;
import dev.dbpool.pooler.PgBouncerConsole;
import dev.dbpool.replica.ReadReplica;
import dev.dbpool.server.ServerView;
import dev.dbpool.server.ServerViewSettings;
import dev.dbpool.settings.PoolSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

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
 * ({@code app.db.pool.monitor.server-enabled}); and with
 * {@code app.db.pool.pooler.admin-url}, PgBouncer's queue for that pool, read from its
 * admin console.
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
		FileDescriptorsCheck check = new FileDescriptorsCheck(monitor::maxConnectionsByPool);
		monitor.addPeriodicTask("checking the file descriptors", monitor.settings().interval(), check::checkUsage);
		return check;
	}

	/**
	 * The server's view of the pool db-pool built, read on the monitor's thread: at once
	 * when the monitor starts, then every {@code app.db.pool.monitor.server-interval}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean({ DbPoolDataSource.class, PoolSettings.class })
	@ConditionalOnBooleanProperty(name = "app.db.pool.monitor.server-enabled", matchIfMissing = true)
	static class ServerViewConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ServerView dbPoolServerView(PoolMonitor monitor, ObjectProvider<DataSource> dataSources,
				PoolSettings poolSettings, DbPoolProperties properties, Environment environment) {
			// The server's own idle-in-transaction timeout, however it was set.
			ServerViewSettings settings = DbPoolMonitorSettings.serverView(properties.getMonitor(),
					poolSettings.idleInTransactionTimeout(), environment);
			PhysicalConnectionSource side = ofDbPool(dataSources, PhysicalConnectionSource::of);
			Assert.state(side != null, "db-pool's pool opens no connections of its own to read the server with");
			ServerView view = new ServerView(poolSettings.poolName(), poolSettings.applicationName(), side, settings);
			monitor.addPeriodicTask("server view", Duration.ZERO, settings.interval(), view::sample);
			return view;
		}

	}

	/**
	 * PgBouncer's admin console, read for the queue of the pool db-pool built on the
	 * monitor's thread: at once when the monitor starts, then every
	 * {@code app.db.pool.monitor.server-interval}. The pool holds the reader, which puts
	 * its details in the pool's health and its meters among the pool's.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean({ DbPoolDataSource.class, PoolSettings.class })
	@ConditionalOnProperty("app.db.pool.pooler.admin-url")
	static class PoolerConsoleConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PgBouncerConsole dbPoolPgBouncerConsole(PoolMonitor monitor, ObjectProvider<DataSource> dataSources) {
			PgBouncerConsole console = ofDbPool(dataSources, (pool) -> pool.guard(PgBouncerConsole.class));
			Assert.state(console != null, "db-pool's pool holds no reader of PgBouncer's admin console");
			monitor.addPeriodicTask("reading PgBouncer's admin console", Duration.ZERO, console.interval(),
					console::sample);
			return console;
		}

	}

	/**
	 * The read replica's lag and recovery, read on the monitor's thread: at once when the
	 * monitor starts, then every {@code app.db.pool.monitor.server-interval}. Only then
	 * does a replica that lags or fails send read-only work elsewhere, since only the
	 * reads bring it back.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(name = DbPoolAutoConfiguration.REPLICA_DATA_SOURCE)
	static class ReadReplicaConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ReadReplica dbPoolReadReplica(PoolMonitor monitor,
				@Qualifier(DbPoolAutoConfiguration.REPLICA_DATA_SOURCE) DbPoolDataSource replica) {
			ReadReplica state = replica.guard(ReadReplica.class);
			Assert.state(state != null, "db-pool's replica pool holds no read replica guard");
			monitor.addPeriodicTask("reading the read replica's lag", Duration.ZERO, state.settings().interval(),
					state::sample);
			state.scheduled();
			return state;
		}

	}

	// What the pool db-pool built holds, if it is among the DataSource beans.
	private static <T> @Nullable T ofDbPool(ObjectProvider<DataSource> dataSources,
			Function<DbPoolDataSource, @Nullable T> held) {
		return dataSources.orderedStream()
			.map((dataSource) -> DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					DbPoolDataSource.class))
			.filter(Objects::nonNull)
			.map(held)
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

}
