package dev.dbpool.benchmarks.jmh;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;

/**
 * Finds db-pool's monitor and health indicator in a running context, by package, so that
 * a run against a build where either is switched off says so rather than measuring
 * nothing.
 * <p>
 * The monitor is any bean of a class in {@value #MONITOR_PACKAGE}; the call measured is
 * its public no-argument method named by {@code -p monitorMethod=…}
 * ({@code MONITOR_METHOD} in {@code benchmarks/jmh/run.sh}, default
 * {@value #DEFAULT_MONITOR_METHOD}). The health check is any {@link HealthIndicator} bean
 * of a class in {@value #HEALTH_PACKAGE}. When the feature is missing, each lookup says
 * so with the reason, and nothing is measured.
 */
final class DbPoolFeatures {

	static final String MONITOR_PACKAGE = "dev.dbpool.monitor";

	static final String HEALTH_PACKAGE = "dev.dbpool.health";

	static final String DEFAULT_MONITOR_METHOD = "sampleAll";

	private DbPoolFeatures() {
	}

	/**
	 * Find db-pool's health indicator.
	 * @param context the db-pool context
	 * @return the indicator
	 * @throws FeatureNotAvailableException if there is none, with the reason
	 */
	static HealthIndicator dbPoolHealthIndicator(ApplicationContext context) {
		return healthIndicator(context, HEALTH_PACKAGE, "db-pool's health indicator (" + HEALTH_PACKAGE
				+ ") is not in the context: the health feature has not landed, or is switched off");
	}

	/**
	 * Find Spring Boot's own {@code db} health indicator, which borrows a connection and
	 * validates it on every call: the reference db-pool's indicator is compared with.
	 * @param context the db-pool context
	 * @return the indicator
	 * @throws FeatureNotAvailableException if there is none
	 */
	static HealthIndicator bootDbHealthIndicator(ApplicationContext context) {
		return healthIndicator(context, "org.springframework.boot.jdbc.health",
				"Spring Boot's db health indicator is not in the context");
	}

	private static HealthIndicator healthIndicator(ApplicationContext context, String packageName, String missing) {
		for (HealthIndicator indicator : context.getBeansOfType(HealthIndicator.class).values()) {
			if (AopUtils.getTargetClass(indicator).getName().startsWith(packageName + ".")) {
				return indicator;
			}
		}
		throw new FeatureNotAvailableException(missing);
	}

	/**
	 * Find db-pool's monitor and the call to measure on it.
	 * @param context the db-pool context
	 * @param methodName the monitor's public no-argument method to call
	 * @return a handle that makes the call, bound to the monitor
	 * @throws FeatureNotAvailableException if there is no monitor or no such method
	 */
	static MethodHandle monitorCall(ApplicationContext context, String methodName) {
		Object monitor = monitor(context);
		if (monitor == null) {
			throw new FeatureNotAvailableException("db-pool's monitor (" + MONITOR_PACKAGE
					+ ") is not in the context: the monitor feature has not landed, or is switched off");
		}
		Class<?> type = AopUtils.getTargetClass(monitor);
		try {
			Method method = type.getMethod(methodName);
			return MethodHandles.publicLookup().unreflect(method).bindTo(monitor);
		}
		catch (NoSuchMethodException | IllegalAccessException ex) {
			String candidates = Arrays.stream(type.getMethods())
				.filter((method) -> method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
						&& method.getDeclaringClass() != Object.class)
				.map(Method::getName)
				.sorted()
				.collect(Collectors.joining(", "));
			throw new FeatureNotAvailableException(
					"db-pool's monitor " + type.getName() + " has no public no-argument method '" + methodName
							+ "'; pass -p monitorMethod=<one of: " + candidates + ">");
		}
	}

	static @Nullable Object monitor(ApplicationContext context) {
		Object found = null;
		for (Map.Entry<String, Object> bean : context.getBeansOfType(Object.class).entrySet()) {
			String name = AopUtils.getTargetClass(bean.getValue()).getName();
			if (name.startsWith(MONITOR_PACKAGE + ".")) {
				// Prefer the monitor itself over helper beans of the same package.
				if (found == null || name.endsWith("Monitor")) {
					found = bean.getValue();
				}
			}
		}
		return found;
	}

	/**
	 * A db-pool feature the benchmark needs is not in the context. JMH prints the message
	 * and skips the benchmark; {@code benchmarks/jmh/run.sh} asks {@link FeatureProbe}
	 * first and records "not run" with the reason in the report.
	 */
	static final class FeatureNotAvailableException extends IllegalStateException {

		FeatureNotAvailableException(String reason) {
			super("NOT RUN: " + reason);
		}

	}

}
