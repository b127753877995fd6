package dev.dbpool.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.shutdown.PoolDrainLifecycle;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the graceful shutdown of the
 * application's HikariCP pools: a {@link PoolDrainLifecycle} that, once the web server
 * and Spring's executors have stopped, waits up to {@code app.db.pool.shutdown.timeout}
 * for borrowed connections to come back, then closes the pools.
 * <p>
 * It drains every HikariCP pool in the context, also one the application or Spring Boot's
 * own auto-configuration built ({@code app.db.pool.enabled=false}). Switched off with
 * {@code app.db.pool.shutdown.enabled=false}.
 *
 * @author db-pool
 * @since 0.2.0
 */
@AutoConfiguration(after = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class })
@ConditionalOnClass({ HikariDataSource.class, DataSourceUnwrapper.class })
@ConditionalOnBooleanProperty(name = "app.db.pool.shutdown.enabled", matchIfMissing = true)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(DbPoolProperties.class)
public final class DbPoolShutdownAutoConfiguration {

	private static final String TIMEOUT = "app.db.pool.shutdown.timeout";

	@Bean
	@ConditionalOnMissingBean
	PoolDrainLifecycle dbPoolDrainLifecycle(DbPoolProperties properties, ConfigurableApplicationContext context,
			Environment environment) {
		Duration timeout = properties.getShutdown().getTimeout();
		if (timeout.isNegative()) {
			throw InvalidDbPoolConfigurationException.invalid(ConfiguredValue.of(TIMEOUT, timeout, environment),
					"0 (close at once) or a positive duration, e.g. 30s");
		}
		return new PoolDrainLifecycle(context, timeout);
	}

}
