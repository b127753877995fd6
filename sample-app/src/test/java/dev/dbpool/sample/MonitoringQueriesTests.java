package dev.dbpool.sample;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.dbpool.sample.PromQlSelectors.Matcher;
import dev.dbpool.sample.PromQlSelectors.Selector;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard ({@code docs/grafana/db-pool.json}) and the Prometheus alerting
 * rules ({@code docs/prometheus/db-pool-alerts.yml}) query only series the sample app
 * publishes on {@code /actuator/prometheus}, with the labels and label values it
 * publishes; and the dashboard shows every {@code db_pool_*}, {@code db_server_*} and
 * {@code db_replica_*} series. The app runs with the settings that make the optional
 * meters exist: {@code max-waiting} ({@code db_pool_rejected_total}),
 * {@code leak-detection-threshold} ({@code db_pool_leaks_total}), adaptive sizing
 * ({@code db_pool_sizing_*}) and a read replica ({@code db_replica_*}), here the test
 * database itself: its pool publishes the replica's meters once a read-only transaction
 * has started it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "app.db.pool.max-waiting=50", "app.db.pool.leak-detection-threshold=30s",
				"app.db.pool.sizing=adaptive", "app.db.pool.replicas.url=${spring.datasource.url}" })
@DirtiesContext
class MonitoringQueriesTests extends AbstractSampleApplicationTests {

	static final String DASHBOARD = "docs/grafana/db-pool.json";

	static final String ALERT_RULES = "docs/prometheus/db-pool-alerts.yml";

	// Prometheus adds them to every series it scrapes; no application publishes them.
	private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Autowired
	private JdbcTemplate jdbc;

	private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:(.*),)?\\s*(\\w+)\\s*\\)");

	@Test
	void everySeriesTheDashboardQueriesIsPublished() throws Exception {
		Exposition published = scrape();
		List<String> problems = new ArrayList<>();
		dashboardQueries().forEach((where, expr) -> problems.addAll(published.check(where, expr)));
		for (JsonNode variable : dashboard().path("templating").path("list")) {
			if (variable.path("type").asString().equals("query")) {
				problems.addAll(published.checkVariable(variable.path("name").asString(),
						variable.path("definition").asString()));
			}
		}
		assertThat(problems).as("queries of %s that /actuator/prometheus does not answer", DASHBOARD).isEmpty();
	}

	@Test
	void everySeriesTheAlertRulesQueryIsPublished() throws Exception {
		Exposition published = scrape();
		List<String> problems = new ArrayList<>();
		alertRules().forEach((alert, expr) -> problems.addAll(published.check("alert " + alert, expr)));
		assertThat(problems).as("queries of %s that /actuator/prometheus does not answer", ALERT_RULES).isEmpty();
	}

	@Test
	void dashboardShowsEveryDbPoolDbServerAndDbReplicaSeries() throws Exception {
		Exposition published = scrape();
		Set<String> shown = new HashSet<>();
		dashboardQueries().values()
			.forEach((expr) -> PromQlSelectors.of(expr)
				.forEach((selector) -> shown.add(published.family(selector.metric()))));
		Set<String> own = new TreeSet<>();
		published.samples()
			.keySet()
			.stream()
			.filter((name) -> name.startsWith("db_pool_") || name.startsWith("db_server_")
					|| name.startsWith("db_replica_"))
			.map(published::family)
			.forEach(own::add);
		assertThat(own).as("db-pool's series").isNotEmpty();
		assertThat(shown).as("series the dashboard queries").containsAll(own);
	}

	@Test
	void dashboardPanelsQueryTheChosenDataSourceAndPools() throws Exception {
		JsonNode dashboard = dashboard();
		Map<String, JsonNode> variables = new HashMap<>();
		dashboard.path("templating")
			.path("list")
			.forEach((variable) -> variables.put(variable.path("name").asString(), variable));
		assertThat(variables.get("datasource").path("type").asString()).isEqualTo("datasource");
		assertThat(variables.get("datasource").path("query").asString()).isEqualTo("prometheus");
		assertThat(variables.get("pool").path("definition").asString()).startsWith("label_values(").endsWith(", pool)");
		Set<Integer> ids = new HashSet<>();
		for (JsonNode panel : panels(dashboard)) {
			String title = panel.path("title").asString();
			assertThat(ids.add(panel.path("id").asInt())).as("id of '%s' unique", title).isTrue();
			JsonNode grid = panel.path("gridPos");
			assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("'%s' fits the 24 columns", title)
				.isLessThanOrEqualTo(24);
			if (panel.path("type").asString().equals("row")) {
				continue;
			}
			assertThat(panel.path("description").asString()).as("description of '%s'", title).isNotBlank();
			assertThat(panel.path("datasource").path("uid").asString()).as("data source of '%s'", title)
				.isEqualTo("${datasource}");
			assertThat(panel.path("targets")).as("queries of '%s'", title).isNotEmpty();
			for (JsonNode target : panel.path("targets")) {
				assertThat(target.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
				assertThat(target.path("expr").asString()).as("query %s of '%s'", target.path("refId"), title)
					.contains("pool=~\"$pool\"");
			}
		}
	}

	private Exposition scrape() throws Exception {
		// A borrow, so that HikariCP's acquire histogram has its buckets.
		assertThat(get("/customers?limit=1").statusCode()).isEqualTo(200);
		// A read-only transaction, so that the replica's pool starts.
		TransactionTemplate readOnly = new TransactionTemplate(this.transactionManager);
		readOnly.setReadOnly(true);
		Integer one = readOnly.execute((status) -> this.jdbc.queryForObject("SELECT 1", Integer.class));
		assertThat(one).isEqualTo(1);
		String[] body = new String[1];
		await("db-pool's meters registered").atMost(Duration.ofSeconds(30)).until(() -> {
			// A health check registers the meters of a pool started since the last
			// sample.
			get("/actuator/health");
			HttpResponse<String> response = get("/actuator/prometheus");
			body[0] = response.body();
			return response.statusCode() == 200 && body[0].contains("db_pool_utilization{")
					&& body[0].contains("hikaricp_connections_acquire_seconds_bucket{")
					&& body[0].contains("db_replica_lag_seconds{");
		});
		return Exposition.parse(body[0]);
	}

	static JsonNode dashboard() throws Exception {
		return JsonMapper.shared().readTree(Files.readString(RepositoryFiles.file(DASHBOARD)));
	}

	// Every panel's PromQL, by panel title and query.
	private static Map<String, String> dashboardQueries() throws Exception {
		Map<String, String> queries = new LinkedHashMap<>();
		for (JsonNode panel : panels(dashboard())) {
			for (JsonNode target : panel.path("targets")) {
				queries.put("panel '" + panel.path("title").asString() + "' query " + target.path("refId").asString(),
						target.path("expr").asString());
			}
		}
		return queries;
	}

	private static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			// A collapsed row holds its panels.
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

	@SuppressWarnings("unchecked")
	static Map<String, String> alertRules() throws Exception {
		Map<String, Object> file = new Yaml().load(Files.readString(RepositoryFiles.file(ALERT_RULES)));
		Map<String, String> rules = new LinkedHashMap<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				rules.put((String) rule.getOrDefault("alert", rule.get("record")), (String) rule.get("expr"));
			}
		}
		return rules;
	}

	/**
	 * The samples of a scrape in Prometheus' text format, by name, each with its labels;
	 * and the type of each family.
	 */
	private record Exposition(Map<String, List<Map<String, String>>> samples, Map<String, String> types) {

		static Exposition parse(String body) {
			Map<String, List<Map<String, String>>> samples = new HashMap<>();
			Map<String, String> types = new HashMap<>();
			for (String line : body.split("\n")) {
				if (line.startsWith("# TYPE ")) {
					String[] words = line.split(" ");
					types.put(words[2], words[3]);
				}
				else if (!line.isBlank() && !line.startsWith("#")) {
					int end = 0;
					while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
						end++;
					}
					samples.computeIfAbsent(line.substring(0, end), (name) -> new ArrayList<>()).add(labels(line, end));
				}
			}
			return new Exposition(samples, types);
		}

		private static Map<String, String> labels(String line, int start) {
			Map<String, String> labels = new HashMap<>();
			if (start >= line.length() || line.charAt(start) != '{') {
				return labels;
			}
			int pos = start + 1;
			while (line.charAt(pos) != '}') {
				int equals = line.indexOf('=', pos);
				String name = line.substring(pos, equals).trim();
				pos = equals + 2;
				StringBuilder value = new StringBuilder();
				while (line.charAt(pos) != '"') {
					char c = line.charAt(pos++);
					if (c == '\\') {
						c = line.charAt(pos++);
						c = (c == 'n') ? '\n' : c;
					}
					value.append(c);
				}
				labels.put(name, value.toString());
				pos++;
				if (line.charAt(pos) == ',') {
					pos++;
				}
			}
			return labels;
		}

		// A histogram's or summary's _bucket, _count, _sum and _max series belong to it.
		String family(String name) {
			for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
				if (name.endsWith(suffix)) {
					String base = name.substring(0, name.length() - suffix.length());
					String type = this.types.get(base);
					if ("histogram".equals(type) || "summary".equals(type)) {
						return base;
					}
				}
			}
			return name;
		}

		List<String> check(String where, String expr) {
			List<String> problems = new ArrayList<>();
			List<Selector> selectors = PromQlSelectors.of(expr);
			if (selectors.isEmpty()) {
				problems.add(where + " queries no series: " + expr);
			}
			for (Selector selector : selectors) {
				List<Map<String, String>> series = this.samples.get(selector.metric());
				if (series == null) {
					problems.add(where + " queries " + selector.metric() + ", which is not published");
					continue;
				}
				for (Matcher matcher : selector.matchers()) {
					check(where, selector.metric(), series, matcher).ifPresent(problems::add);
				}
			}
			return problems;
		}

		private static Optional<String> check(String where, String metric, List<Map<String, String>> series,
				Matcher matcher) {
			String label = matcher.label();
			if (TARGET_LABELS.contains(label)) {
				return Optional.empty();
			}
			if (series.stream().noneMatch((labels) -> labels.containsKey(label))) {
				return Optional.of(where + " selects " + metric + " by " + label + ", a label it does not have");
			}
			boolean literal = !matcher.usesVariable();
			if (literal && matcher.op().equals("=")
					&& series.stream().noneMatch((labels) -> matcher.value().equals(labels.get(label)))) {
				return Optional.of(where + " selects " + metric + "{" + label + "=\"" + matcher.value()
						+ "\"}, a value it never has");
			}
			if (literal && matcher.op().equals("=~") && series.stream()
				.noneMatch((labels) -> Pattern.matches(matcher.value(), labels.getOrDefault(label, "")))) {
				return Optional.of(where + " selects " + metric + "{" + label + "=~\"" + matcher.value()
						+ "\"}, which matches no value it has");
			}
			return Optional.empty();
		}

		List<String> checkVariable(String name, String query) {
			java.util.regex.Matcher labelValues = LABEL_VALUES.matcher(query);
			if (!labelValues.matches()) {
				return List.of("variable " + name + ": not a label_values(...) query: " + query);
			}
			String label = labelValues.group(2);
			if (labelValues.group(1) == null) {
				return List.of("variable " + name + ": label_values(" + label
						+ ") reads every series in Prometheus; name one of db-pool's");
			}
			List<String> problems = new ArrayList<>(check("variable " + name, labelValues.group(1)));
			for (Selector selector : PromQlSelectors.of(labelValues.group(1))) {
				List<Map<String, String>> series = this.samples.getOrDefault(selector.metric(), List.of());
				if (!TARGET_LABELS.contains(label)
						&& series.stream().noneMatch((labels) -> labels.containsKey(label))) {
					problems.add("variable " + name + " lists " + label + " of " + selector.metric()
							+ ", a label it does not have");
				}
			}
			return problems;
		}

	}

}
