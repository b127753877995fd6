package dev.dbpool.diagnostics;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidDbPoolConfigurationException} as Spring Boot's "APPLICATION
 * FAILED TO START" message: what was given, where, what is allowed, and what to do.
 *
 * @author db-pool
 * @since 0.1.0
 */
class InvalidDbPoolConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidDbPoolConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidDbPoolConfigurationException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
