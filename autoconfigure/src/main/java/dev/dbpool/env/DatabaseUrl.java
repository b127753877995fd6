package dev.dbpool.env;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;
import dev.dbpool.diagnostics.Secrets;
import org.jspecify.annotations.Nullable;

/**
 * A {@code DATABASE_URL} as platforms hand it to applications,
 * {@code postgres://user:password@host:port/database?sslmode=require} (also
 * {@code postgresql://}, and several {@code host:port} pairs separated by commas), turned
 * into a JDBC URL and credentials. Query parameters are passed on to the JDBC URL.
 *
 * @param jdbcUrl the JDBC URL, without credentials
 * @param username the user name, or {@code null} if the URL has none
 * @param password the password, or {@code null} if the URL has none
 * @author db-pool
 * @since 0.1.0
 */
public record DatabaseUrl(String jdbcUrl, @Nullable String username, @Nullable String password) {

	/** The environment variable that holds it. */
	public static final String VARIABLE = "DATABASE_URL";

	private static final String ALLOWED = "a URL of the form postgres://user:password@host:port/database?sslmode=… "
			+ "(or postgresql://), with special characters in the user name and password percent-encoded";

	/**
	 * Parse a {@code DATABASE_URL}.
	 * @param url the URL as given
	 * @return the JDBC URL and credentials
	 * @throws InvalidDbPoolConfigurationException if the URL is malformed; the message
	 * never holds the password
	 */
	public static DatabaseUrl parse(String url) {
		ConfiguredValue given = new ConfiguredValue("spring.datasource.url", VARIABLE, Secrets.maskUrl(url.trim()),
				"environment variable");
		return parse(url, given,
				"or unset it and set spring.datasource.url, spring.datasource.username and spring.datasource.password");
	}

	/**
	 * Parse a URL of the same form given for another setting.
	 * @param url the URL as given
	 * @param given where it was given, its value already masked
	 * @param otherwise what else the user may do, for the failure's action, e.g.
	 * {@code or remove it}
	 * @return the JDBC URL and credentials
	 * @throws InvalidDbPoolConfigurationException if the URL is malformed, naming where
	 * it was given; the message never holds the password
	 * @since 0.5.0
	 */
	public static DatabaseUrl parse(String url, ConfiguredValue given, String otherwise) {
		Function<String, InvalidDbPoolConfigurationException> invalid = (problem) -> invalid(given, otherwise, problem);
		String trimmed = url.trim();
		String lower = trimmed.toLowerCase(Locale.ROOT);
		String rest;
		if (lower.startsWith("postgres://")) {
			rest = trimmed.substring("postgres://".length());
		}
		else if (lower.startsWith("postgresql://")) {
			rest = trimmed.substring("postgresql://".length());
		}
		else {
			throw invalid.apply("it does not start with postgres:// or postgresql://");
		}
		int authorityEnd = indexOfAny(rest, '/', '?');
		int at = rest.lastIndexOf('@', (authorityEnd >= 0) ? authorityEnd : rest.length() - 1);
		String username = null;
		String password = null;
		if (at >= 0) {
			String userInfo = rest.substring(0, at);
			int colon = userInfo.indexOf(':');
			username = decode(invalid, (colon >= 0) ? userInfo.substring(0, colon) : userInfo);
			password = (colon >= 0) ? decode(invalid, userInfo.substring(colon + 1)) : null;
			if (username.isEmpty()) {
				username = null;
			}
		}
		String afterUserInfo = rest.substring(at + 1);
		int hostsEnd = indexOfAny(afterUserInfo, '/', '?');
		String hosts = (hostsEnd >= 0) ? afterUserInfo.substring(0, hostsEnd) : afterUserInfo;
		String pathAndQuery = (hostsEnd >= 0) ? afterUserInfo.substring(hostsEnd) : "";
		if (hosts.isEmpty()) {
			throw invalid.apply("it names no host");
		}
		for (String host : hosts.split(",", -1)) {
			checkHost(invalid, host);
		}
		String database = pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery;
		String query = "";
		int question = database.indexOf('?');
		if (question >= 0) {
			query = database.substring(question);
			database = database.substring(0, question);
		}
		if (database.contains("/")) {
			throw invalid.apply("the database name '" + database + "' contains '/'");
		}
		return new DatabaseUrl("jdbc:postgresql://" + hosts + "/" + database + query, username, password);
	}

	private static void checkHost(Function<String, InvalidDbPoolConfigurationException> invalid, String host) {
		String port = null;
		if (host.startsWith("[")) {
			int close = host.indexOf(']');
			if (close < 0) {
				throw invalid.apply("the IPv6 address '" + host + "' has no closing ']'");
			}
			if (close + 1 < host.length()) {
				if (host.charAt(close + 1) != ':') {
					throw invalid.apply("unexpected text after the IPv6 address in '" + host + "'");
				}
				port = host.substring(close + 2);
			}
		}
		else {
			int colon = host.indexOf(':');
			if (colon == 0 || host.isEmpty()) {
				throw invalid.apply("a host name is empty");
			}
			if (colon > 0) {
				port = host.substring(colon + 1);
			}
		}
		if (port != null) {
			int number;
			try {
				number = Integer.parseInt(port);
			}
			catch (NumberFormatException ex) {
				throw invalid.apply("the port '" + port + "' is not a number");
			}
			if (number < 1 || number > 65535) {
				throw invalid.apply("the port " + number + " is not between 1 and 65535");
			}
		}
	}

	private static String decode(Function<String, InvalidDbPoolConfigurationException> invalid, String part) {
		try {
			// URLDecoder decodes form encoding; in a URL's user info '+' is a plain '+'.
			return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw invalid.apply("the user name or password holds a malformed %-escape");
		}
	}

	private static int indexOfAny(String text, char first, char second) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == first || c == second) {
				return i;
			}
		}
		return -1;
	}

	private static InvalidDbPoolConfigurationException invalid(ConfiguredValue given, String otherwise,
			String problem) {
		return new InvalidDbPoolConfigurationException(
				"Invalid value for " + given.name() + ": " + given.describe() + " cannot be used because " + problem
						+ ". Allowed: " + ALLOWED + ".",
				"Change " + given.name() + " to " + ALLOWED + ", " + otherwise + ".");
	}

	@Override
	public String toString() {
		// Never the password.
		return "DatabaseUrl[jdbcUrl=" + this.jdbcUrl + ", username=" + this.username + "]";
	}

}
