package dev.dbpool.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * Small edits of JDBC URLs.
 *
 * @author db-pool
 * @since 0.1.0
 */
public final class JdbcUrls {

	private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

	private JdbcUrls() {
	}

	/**
	 * Whether the URL is one the PostgreSQL driver accepts.
	 * @param url the JDBC URL
	 * @return whether it is a PostgreSQL URL
	 */
	public static boolean isPostgresql(String url) {
		return url.regionMatches(true, 0, POSTGRESQL_PREFIX, 0, POSTGRESQL_PREFIX.length());
	}

	/**
	 * Return the hosts a PostgreSQL URL names, in its order.
	 * @param url the JDBC URL
	 * @return each as {@code host:port}; empty if the URL cannot be read
	 * @since 0.7.0
	 */
	public static List<String> hosts(String url) {
		Properties parsed = isPostgresql(url) ? org.postgresql.Driver.parseURL(url, null) : null;
		if (parsed == null) {
			return List.of();
		}
		String[] hosts = parsed.getProperty("PGHOST", "localhost").split(",");
		String[] ports = parsed.getProperty("PGPORT", "5432").split(",");
		List<String> result = new ArrayList<>();
		for (int i = 0; i < hosts.length; i++) {
			result.add(hosts[i] + ":" + ports[Math.min(i, ports.length - 1)]);
		}
		return result;
	}

	/**
	 * Return a PostgreSQL URL that names one host in place of those it names.
	 * @param url the JDBC URL, of the form {@code jdbc:postgresql://hosts/database...}
	 * @param host the host, as {@code host:port}
	 * @return the URL with only that host
	 * @since 0.7.0
	 */
	public static String withHost(String url, String host) {
		int start = url.indexOf("//");
		if (start < 0) {
			return url;
		}
		start += 2;
		int end = start;
		while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
			end++;
		}
		return url.substring(0, start) + host + url.substring(end);
	}

	/**
	 * Return the URL without a query parameter.
	 * @param url the URL
	 * @param name the parameter's name, matched ignoring case
	 * @return the URL without it
	 */
	public static String withoutParameter(String url, String name) {
		int question = url.indexOf('?');
		if (question < 0) {
			return url;
		}
		StringJoiner kept = new StringJoiner("&");
		for (String parameter : url.substring(question + 1).split("&")) {
			int equals = parameter.indexOf('=');
			String key = (equals >= 0) ? parameter.substring(0, equals) : parameter;
			if (!key.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)) && !parameter.isEmpty()) {
				kept.add(parameter);
			}
		}
		String base = url.substring(0, question);
		return (kept.length() > 0) ? base + "?" + kept : base;
	}

}
