package dev.dbpool.autoconfigure;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationFailureAnalyzer;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Assertions on a context that failed to start because of db-pool configuration.
 */
final class StartupFailures {

	private StartupFailures() {
	}

	/**
	 * Assert the context failed for db-pool configuration, and that the failure analyzer
	 * reports it; return the cause.
	 * @param context the context
	 * @return the cause
	 */
	static InvalidDbPoolConfigurationException invalidConfiguration(ApplicationContextAssertProvider<?> context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		FailureAnalysis analysis = new InvalidDbPoolConfigurationFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		InvalidDbPoolConfigurationException cause = (InvalidDbPoolConfigurationException) analysis.getCause();
		assertThat(analysis.getDescription()).isEqualTo(cause.getDescription());
		assertThat(analysis.getAction()).isEqualTo(cause.getAction());
		return cause;
	}

}
