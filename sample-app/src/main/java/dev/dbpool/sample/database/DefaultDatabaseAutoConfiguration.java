package dev.dbpool.sample.database;

import dev.dbpool.autoconfigure.DbPoolAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the sample's database when none
 * is configured: no {@code spring.datasource.url} (nor {@code DATABASE_URL}, which
 * db-pool maps onto it) and no {@link JdbcConnectionDetails} bean (a Testcontainers or
 * Docker Compose service connection). It is then the local server, or, where nothing
 * answers there, a throw-away embedded PostgreSQL: see {@link DefaultDatabase}.
 * <p>
 * An auto-configuration, not a configuration of the app's own, so that it runs after the
 * service connections are registered ({@code @ConditionalOnMissingBean} sees them) and
 * before the pool is built from its {@link JdbcConnectionDetails}.
 */
@AutoConfiguration(before = { DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class },
		afterName = "org.springframework.boot.testcontainers.service.connection.ServiceConnectionAutoConfiguration")
@Conditional(DefaultDatabaseAutoConfiguration.NoUrlCondition.class)
@ConditionalOnMissingBean(JdbcConnectionDetails.class)
public final class DefaultDatabaseAutoConfiguration {

	@Bean
	DefaultDatabase sampleDefaultDatabase(Environment environment) {
		return DefaultDatabase.find(environment);
	}

	/**
	 * Matches where {@code spring.datasource.url} is not set or empty, as Spring Boot
	 * reads it.
	 */
	static class NoUrlCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String url = context.getEnvironment().getProperty("spring.datasource.url");
			return StringUtils.hasText(url) ? ConditionOutcome.noMatch("spring.datasource.url is set")
					: ConditionOutcome.match("spring.datasource.url is not set");
		}

	}

}
