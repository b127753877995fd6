package dev.dbpool.diagnostics;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * A value as the user gave it: under which name, where, and for which db-pool setting.
 * Used to say exactly what to change when a value cannot be used.
 *
 * @param setting the db-pool property the value is for, e.g.
 * {@code app.db.pool.max-connections}
 * @param name the name the value was given under: the property as written or the
 * environment variable, e.g. {@code DB_MAX_CONNECTIONS}
 * @param value the value as given, already masked if it could hold a secret
 * @param source where it came from, e.g. {@code environment variable} or
 * {@code class path resource [application.yml] - 4:22}
 * @author db-pool
 * @since 0.1.0
 */
public record ConfiguredValue(String setting, String name, String value, String source) {

	/**
	 * Whether the value was given by the user rather than by a default or a profile.
	 * @return whether the user gave the value
	 */
	public boolean isExplicit() {
		return !this.source.equals(DEFAULT) && !this.source.startsWith(PROFILE) && !this.source.startsWith(DERIVED);
	}

	/** Source of a value nobody set. */
	public static final String DEFAULT = "default";

	/** Prefix of the source of a value a profile set. */
	public static final String PROFILE = "profile ";

	/** Prefix of the source of a value db-pool derived from others. */
	public static final String DERIVED = "derived ";

	/**
	 * Describe a bound property as the user gave it: an environment variable by its own
	 * name and raw value (also where db-pool mapped an alias), anything else by its
	 * property name and origin (file and line, or property source).
	 * @param setting the db-pool setting it is for
	 * @param property the property as found in the environment
	 * @param systemEnvironment the system environment, to read a variable's raw value
	 * @return the value
	 */
	public static ConfiguredValue of(String setting, ConfigurationProperty property,
			@Nullable PropertySource<?> systemEnvironment) {
		Origin origin = property.getOrigin();
		if (origin instanceof PropertySourceOrigin wrapper && wrapper.getOrigin() != null) {
			origin = wrapper.getOrigin();
		}
		if (origin instanceof SystemEnvironmentOrigin env) {
			Object raw = (systemEnvironment != null) ? systemEnvironment.getProperty(env.getProperty()) : null;
			return new ConfiguredValue(setting, env.getProperty(),
					String.valueOf((raw != null) ? raw : property.getValue()), "environment variable");
		}
		String source;
		if (origin instanceof PropertySourceOrigin propertySourceOrigin) {
			source = "property source '" + propertySourceOrigin.getPropertySource().getName() + "'";
		}
		else if (origin != null) {
			source = origin.toString();
		}
		else {
			Object underlying = property.getSource().getUnderlyingSource();
			source = "property source '" + ((underlying instanceof PropertySource<?> ps) ? ps.getName() : underlying)
					+ "'";
		}
		String name = property.getName().toString();
		return new ConfiguredValue(setting, name, String.valueOf(property.getValue()), source);
	}

	/**
	 * Describe the value a db-pool setting has in an environment: as the user gave it,
	 * found the way binding finds it, or as its default where nobody set it.
	 * @param setting the db-pool setting, e.g. {@code app.db.pool.monitor.interval}
	 * @param value the bound value
	 * @param environment the environment it was bound from
	 * @return the value
	 */
	public static ConfiguredValue of(String setting, @Nullable Object value, Environment environment) {
		ConfiguredValue given = find(setting, environment);
		return (given != null) ? given : byDefault(setting, value);
	}

	/**
	 * Describe a property as the user gave it in an environment, found the way binding
	 * finds it.
	 * @param name the property, e.g. {@code spring.datasource.hikari.maximum-pool-size}
	 * @param environment the environment
	 * @return the value, or {@code null} if nobody set it
	 */
	public static @Nullable ConfiguredValue find(String name, Environment environment) {
		ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(propertyName);
			if (property != null) {
				PropertySource<?> system = (environment instanceof ConfigurableEnvironment configurable)
						? configurable.getPropertySources()
							.get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
						: null;
				return of(name, property, system);
			}
		}
		return null;
	}

	/**
	 * Describe the default value of a setting nobody set.
	 * @param setting the db-pool setting
	 * @param value its default
	 * @return the value
	 */
	public static ConfiguredValue byDefault(String setting, @Nullable Object value) {
		return new ConfiguredValue(setting, setting, show(value), DEFAULT);
	}

	/**
	 * Show a value as a user would write it: a duration as {@code 30s}, anything else as
	 * its string.
	 * @param value the value
	 * @return how it reads
	 */
	public static String show(@Nullable Object value) {
		return (value instanceof Duration duration) ? Durations.format(duration) : String.valueOf(value);
	}

	/**
	 * Describe the value for a message:
	 * {@code DB_MAX_CONNECTIONS='abc' (environment variable)}.
	 * @return the description
	 */
	public String describe() {
		return this.name + "='" + this.value + "' (" + this.source + ")";
	}

}
