package dev.dbpool.autoconfigure;

import java.time.Duration;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.monitor.MonitorSettings;
import dev.dbpool.server.ServerViewSettings;

import org.springframework.core.env.Environment;

/**
 * Checks the monitor and health properties and turns them into settings: a value that
 * cannot be used stops the start-up, naming the property or variable, the value, where it
 * came from and what is allowed.
 *
 * @author db-pool
 */
final class DbPoolMonitorSettings {

	private static final String MONITOR = "app.db.pool.monitor.";

	private static final String UTILIZATION = "a share of max-connections above 0 and at most 1, e.g. ";

	private DbPoolMonitorSettings() {
	}

	static MonitorSettings monitor(DbPoolProperties.Monitor monitor, Environment environment) {
		Duration interval = monitor.getInterval();
		if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw InvalidDbPoolConfigurationException
				.invalid(ConfiguredValue.of(MONITOR + "interval", interval, environment), "at least 1s, e.g. 30s");
		}
		double warn = monitor.getWarnUtilization();
		double critical = monitor.getCriticalUtilization();
		ConfiguredValue warnValue = checkUtilization("warn-utilization", warn, "0.7", environment);
		ConfiguredValue criticalValue = checkUtilization("critical-utilization", critical, "0.85", environment);
		if (warn > critical) {
			throw InvalidDbPoolConfigurationException.invalid(warnValue, criticalValue,
					"at most critical-utilization (" + critical + ")");
		}
		if (monitor.getHistorySize() < 1) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(MONITOR + "history-size", monitor.getHistorySize(), environment),
					"a whole number, at least 1");
		}
		return new MonitorSettings(interval, warn, critical, monitor.getHistorySize());
	}

	private static ConfiguredValue checkUtilization(String key, double value, String example, Environment environment) {
		ConfiguredValue configured = ConfiguredValue.of(MONITOR + key, value, environment);
		if (!(value > 0 && value <= 1)) {
			throw InvalidDbPoolConfigurationException.invalid(configured, UTILIZATION + example);
		}
		return configured;
	}

	static ServerViewSettings serverView(DbPoolProperties.Monitor monitor, Duration idleInTransactionTimeout,
			Environment environment) {
		Duration interval = monitor.getServerInterval();
		if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(MONITOR + "server-interval", interval, environment), "at least 1s, e.g. 60s");
		}
		Duration warning = monitor.getIdleInTransactionWarning();
		if (warning.isNegative() || warning.isZero()) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of(MONITOR + "idle-in-transaction-warning", warning, environment),
					"a positive duration, e.g. 30s");
		}
		return new ServerViewSettings(interval, warning, idleInTransactionTimeout);
	}

	static Duration exhaustedGrace(DbPoolProperties.Health health, Environment environment) {
		Duration grace = health.getExhaustedGrace();
		if (grace.isNegative()) {
			throw InvalidDbPoolConfigurationException.invalid(
					ConfiguredValue.of("app.db.pool.health.exhausted-grace", grace, environment),
					"0 or a positive duration, e.g. 5s");
		}
		return grace;
	}

}
