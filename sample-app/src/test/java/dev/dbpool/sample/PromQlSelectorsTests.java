package dev.dbpool.sample;

import java.util.List;

import dev.dbpool.sample.PromQlSelectors.Matcher;
import dev.dbpool.sample.PromQlSelectors.Selector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PromQlSelectors} finds every metric name of an expression, and only those.
 */
class PromQlSelectorsTests {

	@Test
	void metricNamesBesideFunctionsAggregationsLabelListsRangesNumbersAndVariables() {
		String expr = "histogram_quantile(0.99, sum by (le, pool) (rate(hikaricp_connections_acquire_seconds_bucket"
				+ "{pool=~\"$pool\", instance=~\"$instance\"}[$__rate_interval]))) > 0.5 and on (pool) "
				+ "max without (instance) (db_pool_utilization offset 5m) >= 1e-3 or vector(1)";
		assertThat(PromQlSelectors.of(expr)).extracting(Selector::metric)
			.containsExactly("hikaricp_connections_acquire_seconds_bucket", "db_pool_utilization");
	}

	@Test
	void matchersWithTheirOperatorsAndUnquotedValues() {
		List<Selector> selectors = PromQlSelectors
			.of("sum(db_server_connections{state=~\"idle in transaction.*\",pool!='a\\'b', job=\"x\"})");
		assertThat(selectors).singleElement()
			.satisfies((selector) -> assertThat(selector.matchers()).containsExactly(
					new Matcher("state", "=~", "idle in transaction.*"), new Matcher("pool", "!=", "a'b"),
					new Matcher("job", "=", "x")));
	}

	@Test
	void binaryOperatorsWithGroupModifiers() {
		String expr = "process_files_open_files / ignoring (x) group_left (pool) process_files_max_files "
				+ "unless on (instance, job) hikaricp_connections_max{pool=~\"${pool}\"}";
		assertThat(PromQlSelectors.of(expr)).extracting(Selector::metric)
			.containsExactly("process_files_open_files", "process_files_max_files", "hikaricp_connections_max");
	}

	@Test
	void selectorByName() {
		assertThat(PromQlSelectors.of("{__name__=\"db_pool_leaks_total\", pool=\"p\"}")).extracting(Selector::metric)
			.containsExactly("db_pool_leaks_total");
	}

}
