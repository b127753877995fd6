package dev.dbpool.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The alerting rules in {@code docs/prometheus/db-pool-alerts.yml} are valid
 * ({@code promtool check rules}) and pass their unit tests
 * ({@code promtool test rules docs/prometheus/db-pool-alerts.test.yml}), which make each
 * alert fire on some synthetic series and stay silent on others. Needs {@code promtool},
 * from Debian's {@code prometheus} package.
 */
class PrometheusAlertRulesTests {

	private static final String TESTS = "docs/prometheus/db-pool-alerts.test.yml";

	private static final long TIMEOUT_SECONDS = 120;

	@Test
	void rulesAreValid() throws Exception {
		String output = promtool("check", "rules", MonitoringQueriesTests.ALERT_RULES);
		assertThat(output).contains("SUCCESS: " + MonitoringQueriesTests.alertRules().size() + " rules found");
	}

	@Test
	void rulesPassTheirUnitTests() throws Exception {
		assertThat(promtool("test", "rules", TESTS)).contains("SUCCESS");
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyAlertIsTestedFiringAndSilent() throws Exception {
		Set<String> firing = new HashSet<>();
		Set<String> silent = new HashSet<>();
		Map<String, Object> file = new Yaml().load(Files.readString(RepositoryFiles.file(TESTS)));
		for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
			for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
				List<?> alerts = (List<?>) check.get("exp_alerts");
				((alerts == null || alerts.isEmpty()) ? silent : firing).add((String) check.get("alertname"));
			}
		}
		Set<String> alerts = MonitoringQueriesTests.alertRules().keySet();
		assertThat(firing).as("alerts tested firing").containsAll(alerts);
		assertThat(silent).as("alerts tested silent").containsAll(alerts);
	}

	private static String promtool(String... arguments) throws Exception {
		Path root = RepositoryFiles.root();
		Path output = Files.createTempFile("promtool", ".log");
		try {
			List<String> command = new ArrayList<>(List.of("promtool"));
			command.addAll(List.of(arguments));
			Process process;
			try {
				process = new ProcessBuilder(command).directory(root.toFile())
					.redirectErrorStream(true)
					.redirectOutput(output.toFile())
					.start();
			}
			catch (IOException ex) {
				return fail("No promtool on the PATH (%s): install Debian's prometheus package: "
						+ "apt-get install -y prometheus (.ci/run does this)", ex.getMessage());
			}
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				fail("%s did not finish within %ds:%n%s", command, TIMEOUT_SECONDS, read(output));
			}
			String log = read(output);
			assertThat(process.exitValue()).as("%s in %s:%n%s", command, root, log).isZero();
			return log;
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	private static String read(Path output) throws IOException {
		return Files.readString(output, StandardCharsets.UTF_8);
	}

}
