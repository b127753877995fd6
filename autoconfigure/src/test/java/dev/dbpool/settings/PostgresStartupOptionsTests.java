package dev.dbpool.settings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PostgresStartupOptions}.
 */
class PostgresStartupOptionsTests {

	@Test
	void parseReadsBothFormsAndNormalizesNames() {
		assertThat(PostgresStartupOptions.parse("-c search_path=app --Statement-Timeout=5s -cwork_mem=64MB"))
			.containsExactly(Map.entry("search_path", "app"), Map.entry("statement_timeout", "5s"),
					Map.entry("work_mem", "64MB"));
	}

	@Test
	void parseOfNothingIsEmpty() {
		assertThat(PostgresStartupOptions.parse(null)).isEmpty();
		assertThat(PostgresStartupOptions.parse("")).isEmpty();
	}

	@Test
	void mergeKeepsOtherSettingsAndReplacesOwnedOnes() {
		Map<String, String> ours = new LinkedHashMap<>();
		ours.put("statement_timeout", "30000");
		ours.put("lock_timeout", "2000");
		assertThat(PostgresStartupOptions.merge("-c search_path=app -c statement_timeout=1s --geqo=off", ours))
			.isEqualTo("-c search_path=app --geqo=off -c statement_timeout=30000 -c lock_timeout=2000");
	}

	@Test
	void mergeWithNothingExistingIsOursOnly() {
		assertThat(PostgresStartupOptions.merge(null, Map.of("statement_timeout", "5000")))
			.isEqualTo("-c statement_timeout=5000");
	}

	@Test
	void parseTimeReadsFractionsAndMicrosecondsRoundingAsTheServerDoes() {
		assertThat(PostgresStartupOptions.parseTime("1.5s")).isEqualTo(Duration.ofMillis(1500));
		assertThat(PostgresStartupOptions.parseTime("0.25min")).isEqualTo(Duration.ofSeconds(15));
		assertThat(PostgresStartupOptions.parseTime(".5s")).isEqualTo(Duration.ofMillis(500));
		assertThat(PostgresStartupOptions.parseTime("2500us")).isEqualTo(Duration.ofMillis(2));
		assertThat(PostgresStartupOptions.parseTime("1.5")).isEqualTo(Duration.ofMillis(2));
		assertThat(PostgresStartupOptions.parseTime("2.5")).isEqualTo(Duration.ofMillis(2));
	}

	@Test
	void parseTimeReadsPostgresqlUnitsWithMillisecondsByDefault() {
		assertThat(PostgresStartupOptions.parseTime("1500")).isEqualTo(Duration.ofMillis(1500));
		assertThat(PostgresStartupOptions.parseTime("250ms")).isEqualTo(Duration.ofMillis(250));
		assertThat(PostgresStartupOptions.parseTime("5s")).isEqualTo(Duration.ofSeconds(5));
		assertThat(PostgresStartupOptions.parseTime("2min")).isEqualTo(Duration.ofMinutes(2));
		assertThat(PostgresStartupOptions.parseTime("1h")).isEqualTo(Duration.ofHours(1));
		assertThat(PostgresStartupOptions.parseTime("'1d'")).isEqualTo(Duration.ofDays(1));
		assertThat(PostgresStartupOptions.parseTime("soon")).isNull();
		assertThat(PostgresStartupOptions.parseTime("-5s")).isNull();
		assertThat(PostgresStartupOptions.parseTime("5 weeks")).isNull();
	}

}
