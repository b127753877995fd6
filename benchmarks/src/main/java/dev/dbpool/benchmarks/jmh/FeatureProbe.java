package dev.dbpool.benchmarks.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Says which of db-pool's features the per-call benchmarks ({@link FeatureCostBenchmark})
 * can measure in this build, before JMH runs them: starts the db-pool context once, looks
 * the monitor and health indicator up ({@link DbPoolFeatures}), prints one line each and
 * writes them as {@code key=value} lines for the report.
 * <p>
 * {@code java -cp benchmarks.jar dev.dbpool.benchmarks.jmh.FeatureProbe <out-file> [monitor-method]}
 */
public final class FeatureProbe {

	private FeatureProbe() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length < 1) {
			throw new IllegalArgumentException("Usage: FeatureProbe <out-file> [monitor-method]");
		}
		String monitorMethod = (args.length > 1) ? args[1] : DbPoolFeatures.DEFAULT_MONITOR_METHOD;
		List<String> lines = new ArrayList<>();
		try (ConfigurableApplicationContext context = FeatureCostBenchmark.startDbPoolContext(2)) {
			try {
				HealthIndicator indicator = DbPoolFeatures.dbPoolHealthIndicator(context);
				lines.add("health=available");
				lines.add("health.detail=" + AopUtils.getTargetClass(indicator).getName());
			}
			catch (DbPoolFeatures.FeatureNotAvailableException ex) {
				lines.add("health=not-available");
				lines.add("health.detail=" + ex.getMessage());
			}
			try {
				DbPoolFeatures.monitorCall(context, monitorMethod);
				Object monitor = DbPoolFeatures.monitor(context);
				lines.add("monitor=available");
				lines.add("monitor.detail=" + ((monitor != null) ? AopUtils.getTargetClass(monitor).getName() : "?")
						+ "." + monitorMethod + "()");
			}
			catch (DbPoolFeatures.FeatureNotAvailableException ex) {
				lines.add("monitor=not-available");
				lines.add("monitor.detail=" + ex.getMessage());
			}
		}
		lines.forEach((line) -> System.out.println("feature-probe: " + line));
		Files.write(Path.of(args[0]), lines);
	}

}
