package dev.dbpool.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata the annotation processor generates: every {@code app.db.pool} property
 * is there, described, with its default where it has one, and so is
 * {@code management.health.dbpool.enabled}, from the hand-written additional metadata.
 */
class ConfigurationMetadataTests {

	private static final Map<String, Object> DEFAULTS = Map.ofEntries(Map.entry("app.db.pool.enabled", true),
			Map.entry("app.db.pool.max-connections", 20), Map.entry("app.db.pool.min-connections", 5),
			Map.entry("app.db.pool.acquire-timeout", "10s"), Map.entry("app.db.pool.idle-timeout", "10m"),
			Map.entry("app.db.pool.max-lifetime", "30m"), Map.entry("app.db.pool.keepalive-time", "2m"),
			Map.entry("app.db.pool.validation-timeout", "5s"), Map.entry("app.db.pool.leak-detection-threshold", 0),
			Map.entry("app.db.pool.connect-timeout", "10s"), Map.entry("app.db.pool.socket-timeout", 0),
			Map.entry("app.db.pool.statement-timeout", "30s"), Map.entry("app.db.pool.pooler.mode", "auto"),
			Map.entry("app.db.pool.sizing", "fixed"), Map.entry("app.db.pool.pooler.prepared-statements", false),
			Map.entry("app.db.pool.pooler.timeout-check", "warn"),
			Map.entry("app.db.pool.idle-in-transaction-timeout", "5m"),
			Map.entry("app.db.pool.statement-cache-size", 128), Map.entry("app.db.pool.monitor.enabled", true),
			Map.entry("app.db.pool.monitor.interval", "30s"), Map.entry("app.db.pool.monitor.warn-utilization", 0.7),
			Map.entry("app.db.pool.monitor.critical-utilization", 0.85),
			Map.entry("app.db.pool.monitor.history-size", 20), Map.entry("app.db.pool.health.exhausted-grace", "5s"),
			Map.entry("app.db.pool.health.replace-db", true), Map.entry("app.db.pool.metrics.enabled", true),
			Map.entry("app.db.pool.metrics.acquire-percentiles", true), Map.entry("app.db.pool.shutdown.enabled", true),
			Map.entry("app.db.pool.shutdown.timeout", "30s"), Map.entry("management.health.dbpool.enabled", true),
			Map.entry("app.db.pool.instances", 1), Map.entry("app.db.pool.budget.mode", "warn"),
			Map.entry("app.db.pool.retry.max-attempts", 3), Map.entry("app.db.pool.retry.initial-backoff", "100ms"),
			Map.entry("app.db.pool.retry.max-backoff", "2s"), Map.entry("app.db.pool.monitor.server-enabled", true),
			Map.entry("app.db.pool.monitor.server-interval", "60s"),
			Map.entry("app.db.pool.monitor.idle-in-transaction-warning", "30s"),
			Map.entry("app.db.pool.web.enabled", true), Map.entry("app.db.pool.web.retry-after", "1s"),
			Map.entry("app.db.pool.replicas.fallback", "primary"), Map.entry("app.db.pool.replicas.required", false),
			Map.entry("management.endpoint.dbpool.access", "unrestricted"),
			Map.entry("management.endpoint.dbpool.cache.time-to-live", "0ms"));

	private static final Set<String> WITHOUT_DEFAULT = Set.of("app.db.pool.profile", "app.db.pool.lock-timeout",
			"app.db.pool.application-name", "app.db.pool.pool-name", "app.db.pool.max-waiting",
			"app.db.pool.pooler.admin-url", "app.db.pool.password-file", "app.db.pool.replicas.url",
			"app.db.pool.replicas.username", "app.db.pool.replicas.password", "app.db.pool.replicas.max-lag",
			"app.db.pool.replicas.max-connections", "app.db.pool.replicas.min-connections",
			"app.db.pool.replicas.acquire-timeout", "app.db.pool.replicas.idle-timeout",
			"app.db.pool.replicas.max-lifetime", "app.db.pool.replicas.connect-timeout",
			"app.db.pool.replicas.socket-timeout", "app.db.pool.replicas.statement-timeout",
			"app.db.pool.replicas.max-waiting", "app.db.pool.replicas.pool-name",
			"app.db.pool.replicas.application-name");

	@Test
	void everyPropertyIsDescribedWithItsDefault() throws Exception {
		Map<String, ConfigurationMetadataProperty> properties = read();
		Set<String> expected = new HashSet<>(DEFAULTS.keySet());
		expected.addAll(WITHOUT_DEFAULT);
		assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(expected);
		properties.forEach((name, property) -> {
			assertThat(property.getDescription()).as(name).isNotBlank().doesNotStartWith("The ").endsWith(".");
			if (DEFAULTS.containsKey(name)) {
				assertThat(property.getDefaultValue()).as(name + " default").isEqualTo(DEFAULTS.get(name));
			}
			else {
				assertThat(property.getDefaultValue()).as(name + " has no default").isNull();
			}
		});
	}

	@Test
	void additionalMetadataIsSortedAndHoldsOnlyWhatTheProcessorCannotSee() throws Exception {
		try (InputStream in = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/additional-spring-configuration-metadata.json")) {
			assertThat(in).as("additional metadata").isNotNull();
			String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			List<String> names = Pattern.compile("\"name\": \"([^\"]+)\"")
				.matcher(json)
				.results()
				.map((match) -> match.group(1))
				.toList();
			assertThat(names).isSorted().containsExactly("management.health.dbpool.enabled");
		}
		assertThat(read().get("management.health.dbpool.enabled").getType()).isEqualTo("java.lang.Boolean");
	}

	@Test
	void profileTypeIsTheEnumSoIdesCompleteItsValues() throws Exception {
		assertThat(read().get("app.db.pool.profile").getType()).isEqualTo("dev.dbpool.settings.PoolProfile");
	}

	private static Map<String, ConfigurationMetadataProperty> read() throws Exception {
		try (InputStream in = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated metadata").isNotNull();
			return ConfigurationMetadataRepositoryJsonBuilder.create(in).build().getAllProperties();
		}
	}

}
