package dev.dbpool.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless the application excluded Spring Boot's
 * {@link DataSourceAutoConfiguration}, by annotation
 * ({@code @SpringBootApplication(exclude = …)}, {@code @EnableAutoConfiguration},
 * {@code @ImportAutoConfiguration}) or by {@code spring.autoconfigure.exclude}: an
 * application that says "no auto-configured database here" gets none from db-pool either.
 * Spring Boot records the exclusions before it evaluates any auto-configuration's
 * conditions.
 *
 * @author db-pool
 */
class DataSourceAutoConfigurationNotExcludedCondition extends SpringBootCondition {

	private static final String DATA_SOURCE_AUTO_CONFIGURATION = DataSourceAutoConfiguration.class.getName();

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("DataSourceAutoConfiguration not excluded");
		ConditionEvaluationReport report = (context.getBeanFactory() != null)
				? ConditionEvaluationReport.find(context.getBeanFactory()) : null;
		if (report != null && report.getExclusions().contains(DATA_SOURCE_AUTO_CONFIGURATION)) {
			return ConditionOutcome.noMatch(message.found("exclusion").items(DATA_SOURCE_AUTO_CONFIGURATION));
		}
		return ConditionOutcome.match(message.because("the application did not exclude it"));
	}

}
