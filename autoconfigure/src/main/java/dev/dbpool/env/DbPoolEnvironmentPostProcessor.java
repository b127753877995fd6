package dev.dbpool.env;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.GivenValue;
import dev.dbpool.diagnostics.Secrets;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.util.StringUtils;
import org.springframework.core.env.StandardEnvironment;

/**
 * Maps the environment variables operators already use ({@link EnvironmentAlias#ALL} and
 * {@code DATABASE_URL}) onto db-pool's and Spring's properties, with the precedence of
 * environment variables: the mapped values sit right after the system environment, so
 * they beat {@code application.yml} and lose to command-line arguments and system
 * properties.
 * <p>
 * Two environment names for one property that disagree (including Spring's own
 * {@code APP_DB_POOL_…} form) stop the start-up. {@code DATABASE_URL} is used unless
 * {@code spring.datasource.url} is set with environment precedence or higher
 * ({@code SPRING_DATASOURCE_URL}, a system property, a command-line argument).
 *
 * @author db-pool
 * @since 0.1.0
 */
class DbPoolEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source holding the mapped values. */
	public static final String PROPERTY_SOURCE_NAME = "dbPoolEnvironmentAliases";

	/**
	 * Runs after config data is loaded, so every source it is ranked against is there.
	 */
	public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 10;

	private static final String SYSTEM_ENVIRONMENT = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;

	private static final String SOURCE = "environment variable";

	/**
	 * The property source of DATABASE_URL's URL where an empty spring.datasource.url
	 * ranks above it.
	 */
	static final String EMPTY_URL_SOURCE_NAME = "dbPoolDatabaseUrlOverEmptyUrl";

	private final Log logger;

	DbPoolEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(DbPoolEnvironmentPostProcessor.class);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		MutablePropertySources sources = environment.getPropertySources();
		PropertySource<?> system = sources.get(SYSTEM_ENVIRONMENT);
		if (system == null) {
			return;
		}
		// Mapped afresh each time, from the sources as the application gave them.
		sources.remove(PROPERTY_SOURCE_NAME);
		sources.remove(EMPTY_URL_SOURCE_NAME);
		Map<String, Object> mapped = new LinkedHashMap<>();
		Map<String, Object> overEmpty = new LinkedHashMap<>();
		mapAliases(system, mapped);
		mapDatabaseUrl(sources, system, mapped, overEmpty);
		if (!mapped.isEmpty()) {
			sources.addAfter(SYSTEM_ENVIRONMENT,
					new OriginTrackedMapPropertySource(PROPERTY_SOURCE_NAME, mapped, true));
		}
		if (!overEmpty.isEmpty()) {
			// Above every source: an empty URL anywhere counts as not set.
			sources.addFirst(new OriginTrackedMapPropertySource(EMPTY_URL_SOURCE_NAME, overEmpty, true));
		}
	}

	private void mapAliases(PropertySource<?> system, Map<String, Object> mapped) {
		Map<String, List<EnvironmentAlias>> byProperty = new LinkedHashMap<>();
		EnvironmentAlias.ALL
			.forEach((alias) -> byProperty.computeIfAbsent(alias.property(), (key) -> new ArrayList<>()).add(alias));
		byProperty.forEach((property, aliases) -> {
			GivenValue<Object> springName = springName(system, property, aliases.get(0).unit());
			List<GivenValue<Object>> given = new ArrayList<>();
			if (springName != null) {
				given.add(springName);
			}
			for (EnvironmentAlias alias : aliases) {
				Object raw = system.getProperty(alias.variable());
				if (raw != null && !raw.toString().isBlank()) {
					given.add(new GivenValue<>(alias.parse(raw.toString()), new ConfiguredValue(property,
							alias.variable(), shown(alias.unit(), raw.toString()), SOURCE)));
				}
			}
			GivenValue<Object> agreed = GivenValue.agreed(given);
			// Spring's own name needs no mapping: it is in the system environment
			// already.
			if (springName == null && agreed != null && agreed.value() != null) {
				mapped.put(property, OriginTrackedValue.of(toPropertyValue(agreed.value()),
						new SystemEnvironmentOrigin(agreed.where().name())));
				this.logger.debug("db-pool: " + agreed.where().name() + " sets " + property);
			}
		});
	}

	/**
	 * Spring's own environment form of a property ({@code APP_DB_POOL_MAX_CONNECTIONS}),
	 * read with relaxed binding, so that it takes part in the conflict check.
	 */
	private @Nullable GivenValue<Object> springName(PropertySource<?> system, String property,
			EnvironmentAlias.Unit unit) {
		ConfigurationProperty found = find(ConfigurationPropertySources.from(system), property);
		if (found == null || found.getValue() == null) {
			return null;
		}
		ConfiguredValue given = ConfiguredValue.of(property, found, system);
		String raw = given.value();
		ConfiguredValue where = new ConfiguredValue(given.setting(), given.name(), shown(unit, raw), given.source());
		Object value;
		try {
			value = switch (unit) {
				case COUNT -> Integer.valueOf(raw.trim());
				case TEXT -> EnvironmentAlias.Unit.text(raw);
				case PATH, URL -> raw.trim();
				default -> DurationStyle.detectAndParse(raw.trim());
			};
		}
		catch (RuntimeException ex) {
			value = null; // binding reports it, naming the variable
		}
		return new GivenValue<>(value, where);
	}

	private void mapDatabaseUrl(MutablePropertySources sources, PropertySource<?> system, Map<String, Object> mapped,
			Map<String, Object> overEmpty) {
		Object raw = system.getProperty(DatabaseUrl.VARIABLE);
		if (raw == null || raw.toString().isBlank()) {
			return;
		}
		ConfigurationProperty url = find(ConfigurationPropertySources.from(sourcesUpToSystemEnvironment(sources)),
				"spring.datasource.url");
		boolean empty = url != null && !StringUtils.hasText(String.valueOf(url.getValue()));
		if (empty) {
			// As Spring Boot reads it (DataSourceProperties.determineUrl): not set.
			ConfiguredValue where = ConfiguredValue.of("spring.datasource.url", url, system);
			this.logger
				.info("db-pool: " + where.name() + " (" + where.source() + ") is empty, so it counts as not set");
		}
		else if (url != null) {
			ConfiguredValue where = ConfiguredValue.of("spring.datasource.url", url, system);
			this.logger.info("db-pool: " + DatabaseUrl.VARIABLE + " is set but not used: " + where.name() + " ("
					+ where.source() + ") sets spring.datasource.url with higher precedence");
			return;
		}
		DatabaseUrl databaseUrl = DatabaseUrl.parse(raw.toString());
		Origin origin = new SystemEnvironmentOrigin(DatabaseUrl.VARIABLE);
		(empty ? overEmpty : mapped).put("spring.datasource.url", OriginTrackedValue.of(databaseUrl.jdbcUrl(), origin));
		if (databaseUrl.username() != null) {
			mapped.put("spring.datasource.username", OriginTrackedValue.of(databaseUrl.username(), origin));
		}
		if (databaseUrl.password() != null) {
			mapped.put("spring.datasource.password", OriginTrackedValue.of(databaseUrl.password(), origin));
		}
		this.logger.info("db-pool: using " + DatabaseUrl.VARIABLE + " for spring.datasource.url ("
				+ Secrets.maskUrl(databaseUrl.jdbcUrl()) + ")");
	}

	private static List<PropertySource<?>> sourcesUpToSystemEnvironment(MutablePropertySources sources) {
		List<PropertySource<?>> result = new ArrayList<>();
		for (PropertySource<?> source : sources) {
			if (!ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
				result.add(source);
			}
			if (SYSTEM_ENVIRONMENT.equals(source.getName())) {
				break;
			}
		}
		return result;
	}

	private static @Nullable ConfigurationProperty find(Iterable<ConfigurationPropertySource> sources,
			String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : sources) {
			ConfigurationProperty found = source.getConfigurationProperty(name);
			if (found != null) {
				return found;
			}
		}
		return null;
	}

	// A URL may hold a password: a conflict names where, never what.
	private static String shown(EnvironmentAlias.Unit unit, String raw) {
		return (unit == EnvironmentAlias.Unit.URL) ? Secrets.maskUrl(raw.trim()) : raw;
	}

	private static String toPropertyValue(Object value) {
		return (value instanceof Duration duration) ? duration.toMillis() + "ms" : value.toString();
	}

}
