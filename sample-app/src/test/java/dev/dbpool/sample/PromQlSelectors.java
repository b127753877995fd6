package dev.dbpool.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The series selectors of a PromQL expression, as Grafana panels and Prometheus rules
 * write them: each metric name with its label matchers. Not a PromQL parser: it knows
 * enough of the syntax to tell a metric name from a function, an aggregation, a keyword,
 * a label list ({@code by (le, pool)}), a string, a range ({@code [5m]}), a number or a
 * Grafana variable ({@code $pool}, {@code $__rate_interval}).
 */
final class PromQlSelectors {

	// Followed by a parenthesised list of label names, not of expressions.
	private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
			"group_right");

	// Aggregations may come before their label list: sum by (pool) (x).
	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
			"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
			"quantile", "limitk", "limit_ratio");

	private final String expr;

	private final List<Selector> selectors = new ArrayList<>();

	private int pos;

	private PromQlSelectors(String expr) {
		this.expr = expr;
	}

	/**
	 * Return the selectors of an expression, in order.
	 * @param expr a PromQL expression, possibly with Grafana variables
	 * @return its selectors
	 */
	static List<Selector> of(String expr) {
		PromQlSelectors parser = new PromQlSelectors(expr);
		parser.parse();
		return parser.selectors;
	}

	private void parse() {
		while (this.pos < this.expr.length()) {
			char c = this.expr.charAt(this.pos);
			if (c == '"' || c == '\'' || c == '`') {
				string();
			}
			else if (c == '[') {
				skipPast(']');
			}
			else if (c == '$') {
				variable();
			}
			else if (c == '{') {
				// A selector without a metric name: {__name__="x"}.
				List<Matcher> matchers = matchers();
				matchers.stream()
					.filter((matcher) -> matcher.label().equals("__name__") && matcher.op().equals("="))
					.forEach((matcher) -> this.selectors.add(new Selector(matcher.value(), matchers)));
			}
			else if (Character.isDigit(c) || c == '.') {
				// A number or a duration (offset 5m): letters included.
				while (this.pos < this.expr.length() && (Character.isLetterOrDigit(this.expr.charAt(this.pos))
						|| this.expr.charAt(this.pos) == '.' || this.expr.charAt(this.pos) == '_')) {
					this.pos++;
				}
			}
			else if (isIdentifierStart(c)) {
				identifier();
			}
			else {
				this.pos++;
			}
		}
	}

	private void identifier() {
		String name = name();
		skipWhitespace();
		boolean call = this.pos < this.expr.length() && this.expr.charAt(this.pos) == '(';
		if (LABEL_LIST_KEYWORDS.contains(name)) {
			if (call) {
				skipPast(')');
			}
		}
		else if (!call && !KEYWORDS.contains(name.toLowerCase())) {
			boolean hasMatchers = this.pos < this.expr.length() && this.expr.charAt(this.pos) == '{';
			this.selectors.add(new Selector(name, hasMatchers ? matchers() : List.of()));
		}
	}

	private List<Matcher> matchers() {
		List<Matcher> matchers = new ArrayList<>();
		this.pos++;
		while (true) {
			skipWhitespace();
			char c = this.expr.charAt(this.pos);
			if (c == '}') {
				this.pos++;
				return matchers;
			}
			if (c == ',') {
				this.pos++;
				continue;
			}
			String label = name();
			skipWhitespace();
			int start = this.pos;
			while ("=!~".indexOf(this.expr.charAt(this.pos)) >= 0) {
				this.pos++;
			}
			String op = this.expr.substring(start, this.pos);
			skipWhitespace();
			matchers.add(new Matcher(label, op, string()));
		}
	}

	private String string() {
		char quote = this.expr.charAt(this.pos++);
		StringBuilder value = new StringBuilder();
		while (this.expr.charAt(this.pos) != quote) {
			char c = this.expr.charAt(this.pos++);
			if (c == '\\' && quote != '`') {
				c = this.expr.charAt(this.pos++);
			}
			value.append(c);
		}
		this.pos++;
		return value.toString();
	}

	private void variable() {
		this.pos++;
		if (this.pos < this.expr.length() && this.expr.charAt(this.pos) == '{') {
			skipPast('}');
		}
		else {
			name();
		}
	}

	private String name() {
		int start = this.pos;
		while (this.pos < this.expr.length() && isIdentifierPart(this.expr.charAt(this.pos))) {
			this.pos++;
		}
		return this.expr.substring(start, this.pos);
	}

	private void skipPast(char end) {
		int found = this.expr.indexOf(end, this.pos);
		if (found < 0) {
			throw new IllegalArgumentException("No '" + end + "' after position " + this.pos + " in " + this.expr);
		}
		this.pos = found + 1;
	}

	private void skipWhitespace() {
		while (this.pos < this.expr.length() && Character.isWhitespace(this.expr.charAt(this.pos))) {
			this.pos++;
		}
	}

	private static boolean isIdentifierStart(char c) {
		return Character.isLetter(c) || c == '_' || c == ':';
	}

	private static boolean isIdentifierPart(char c) {
		return isIdentifierStart(c) || Character.isDigit(c);
	}

	/**
	 * A series selector.
	 *
	 * @param metric the metric name
	 * @param matchers its label matchers
	 */
	record Selector(String metric, List<Matcher> matchers) {

	}

	/**
	 * A label matcher.
	 *
	 * @param label the label name
	 * @param op {@code =}, {@code !=}, {@code =~} or {@code !~}
	 * @param value the value or regular expression, unquoted
	 */
	record Matcher(String label, String op, String value) {

		boolean usesVariable() {
			return this.value.contains("$");
		}

	}

}
