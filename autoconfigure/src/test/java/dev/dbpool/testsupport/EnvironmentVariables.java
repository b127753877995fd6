package dev.dbpool.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.support.SystemEnvironmentPropertySourceEnvironmentPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

/**
 * Environment variables for a test, in place of the real ones: the
 * {@code systemEnvironment} property source is replaced by the given map and then
 * prepared as a Spring Boot application prepares it (origin-aware, then db-pool's alias
 * mapping), so a test sees exactly what an application started with those variables sees.
 */
public final class EnvironmentVariables implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final DeferredLogFactory LOGS = (supplier) -> supplier.get();

	private static final String DB_POOL_POST_PROCESSOR = "dev.dbpool.env.DbPoolEnvironmentPostProcessor";

	private final Map<String, Object> variables;

	private EnvironmentVariables(Map<String, Object> variables) {
		this.variables = variables;
	}

	/**
	 * Variables from {@code NAME=value} pairs.
	 * @param pairs the variables
	 * @return an initializer for {@code ApplicationContextRunner.withInitializer}
	 */
	public static EnvironmentVariables of(String... pairs) {
		Map<String, Object> variables = new LinkedHashMap<>();
		for (String pair : pairs) {
			int equals = pair.indexOf('=');
			variables.put(pair.substring(0, equals), pair.substring(equals + 1));
		}
		return new EnvironmentVariables(variables);
	}

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		applyTo(context.getEnvironment());
	}

	/**
	 * Replace the environment's variables and prepare it as an application would.
	 * @param environment the environment
	 */
	public void applyTo(ConfigurableEnvironment environment) {
		replaceVariables(environment);
		SpringApplication application = new SpringApplication();
		new SystemEnvironmentPropertySourceEnvironmentPostProcessor().postProcessEnvironment(environment, application);
		// db-pool's, as Spring Boot finds it.
		SpringFactoriesLoader.forDefaultResourceLocation()
			.load(EnvironmentPostProcessor.class, ArgumentResolver.of(DeferredLogFactory.class, LOGS))
			.stream()
			.filter((processor) -> processor.getClass().getName().equals(DB_POOL_POST_PROCESSOR))
			.forEach((processor) -> processor.postProcessEnvironment(environment, application));
	}

	/**
	 * A {@link StandardEnvironment} with these variables instead of the real ones, for
	 * {@code SpringApplication.setEnvironment}; Spring Boot's own post-processors then
	 * run on it.
	 * @return the environment
	 */
	public StandardEnvironment toEnvironment() {
		StandardEnvironment environment = new StandardEnvironment();
		replaceVariables(environment);
		return environment;
	}

	private void replaceVariables(ConfigurableEnvironment environment) {
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, this.variables));
	}

}
