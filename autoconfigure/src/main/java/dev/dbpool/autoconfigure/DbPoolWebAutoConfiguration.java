package dev.dbpool.autoconfigure;

import java.time.Duration;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.web.ConnectionUnavailableExceptionResolver;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the answer a Spring MVC
 * application gives to a request that could not get a database connection (the waiter cap
 * rejected it, or the acquire timeout passed) or lost it under a statement (the server
 * restarted, failed over or ended the session): 503 Service Unavailable with
 * {@code Retry-After} and an RFC 9457 problem body, instead of a 500. Switched off by
 * {@code app.db.pool.web.enabled=false}; backs off when the application defines its own
 * {@link ConnectionUnavailableExceptionResolver}.
 *
 * @author db-pool
 * @since 0.3.0
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty(name = "app.db.pool.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DbPoolProperties.class)
public final class DbPoolWebAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionUnavailableExceptionResolver dbPoolConnectionUnavailableExceptionResolver(DbPoolProperties properties,
			Environment environment) {
		Duration retryAfter = properties.getWeb().getRetryAfter();
		if (retryAfter.isNegative() || retryAfter.isZero()) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of("app.db.pool.web.retry-after", retryAfter, environment),
					"a positive duration, e.g. 1s");
		}
		return new ConnectionUnavailableExceptionResolver(retryAfter);
	}

}
