package dev.dbpool.autoconfigure;

import java.time.Duration;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.settings.PoolSettings;
import dev.dbpool.retry.RetryPolicy;

import org.springframework.core.env.Environment;

/**
 * Checks the {@code app.db.pool.retry.*} properties and turns them into a
 * {@link RetryPolicy}: a value that cannot be used stops the start-up, naming the
 * property, the value, where it came from and what is allowed.
 *
 * @author db-pool
 */
final class DbPoolRetrySettings {

	private static final String RETRY = "app.db.pool.retry.";

	private DbPoolRetrySettings() {
	}

	static RetryPolicy retry(DbPoolProperties.Retry retry, Environment environment) {
		int maxAttempts = retry.getMaxAttempts();
		if (maxAttempts < 1) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(RETRY + "max-attempts", maxAttempts, environment),
					"a whole number, at least 1 (1 means no retry), e.g. 3");
		}
		Duration initial = retry.getInitialBackoff();
		ConfiguredValue initialValue = ConfiguredValue.of(RETRY + "initial-backoff", initial, environment);
		if (initial.isNegative() || initial.isZero()) {
			throw InvalidDbPoolConfigurationException.invalid(initialValue, "a positive duration, e.g. 100ms");
		}
		Duration max = retry.getMaxBackoff();
		if (max.compareTo(initial) < 0) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(RETRY + "max-backoff", max, environment), initialValue,
					"at least initial-backoff (" + PoolSettings.format(initial) + ")");
		}
		return new RetryPolicy(maxAttempts, initial, max);
	}

}
