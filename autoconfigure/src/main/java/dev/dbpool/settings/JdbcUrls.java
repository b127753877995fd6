package dev.dbpool.settings;

import java.util.Locale;
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
