package dev.dbpool.autoconfigure;

import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Assertions on a context that failed to start because of db-pool configuration.
 */
public final class StartupFailures {

	private StartupFailures() {
	}

	/**
	 * Assert the context failed for db-pool configuration, and that the failure analyzer
	 * reports it; return the cause.
	 * @param context the context
	 * @return the cause
	 */
	public static InvalidDbPoolConfigurationException invalidConfiguration(
			ApplicationContextAssertProvider<?> context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		// The analyzers as Spring Boot finds them, db-pool's among them.
		FailureAnalysis analysis = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, null, FailureHandler.handleMessage((message, ex) -> {
				// Spring Boot's analyzers that want a bean factory: not needed here.
			}))
			.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter((candidate) -> candidate != null
					&& candidate.getCause() instanceof InvalidDbPoolConfigurationException)
			.findFirst()
			.orElse(null);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		InvalidDbPoolConfigurationException cause = (InvalidDbPoolConfigurationException) analysis.getCause();
		assertThat(analysis.getDescription()).isEqualTo(cause.getDescription());
		assertThat(analysis.getAction()).isEqualTo(cause.getAction());
		return cause;
	}

}
