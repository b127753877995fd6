package dev.dbpool.diagnostics;

import java.util.regex.Pattern;

/**
 * Masks secrets in connection URLs before they reach a log line, a failure message or
 * actuator output.
 *
 * @author db-pool
 * @since 0.1.0
 */
public final class Secrets {

	/** What a secret is replaced with. */
	public static final String MASK = "****";

	// user:password@ in a URL's authority
	private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/?#@:]*:)[^/?#]*@");

	// password=… as a URL parameter (JDBC and libpq URLs)
	private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

	private Secrets() {
	}

	/**
	 * Return the URL with any password in it masked.
	 * @param url a JDBC or {@code postgres://} URL
	 * @return the URL without its password
	 */
	public static String maskUrl(String url) {
		String masked = USER_INFO_PASSWORD.matcher(url).replaceAll("$1" + MASK + "@");
		return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
	}

}
