package dev.dbpool.settings;

import java.time.Duration;

/**
 * What PostgreSQL accepts, in one place: the limits the settings are checked against and
 * the names db-pool's own connections carry.
 *
 * @author db-pool
 * @since 0.4.0
 */
public final class PostgresLimits {

	/** Longest {@code application_name} the server keeps (NAMEDATALEN - 1 bytes). */
	public static final int MAX_APPLICATION_NAME_LENGTH = 63;

	/**
	 * Longest server timeout ({@code statement_timeout} and the like): the server keeps
	 * them as int milliseconds and refuses a session asking for more.
	 */
	public static final Duration MAX_SERVER_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

	/** Longest socket timeout: the driver turns its seconds into int milliseconds. */
	public static final Duration MAX_SOCKET_TIMEOUT = Duration.ofSeconds(Integer.MAX_VALUE / 1000);

	private PostgresLimits() {
	}

	/**
	 * Return the {@code application_name} a connection db-pool opens beside a pool
	 * carries, so that the server never counts it among the pool's.
	 * @param poolApplicationName the pool's {@code application_name}
	 * @param purpose what the connection is for, e.g. {@code budget}
	 * @return the pool's name with {@code " [db-pool <purpose>]"} appended, shortened so
	 * that the server keeps the suffix
	 */
	public static String sideApplicationName(String poolApplicationName, String purpose) {
		String suffix = " [db-pool " + purpose + "]";
		int kept = Math.max(0, MAX_APPLICATION_NAME_LENGTH - suffix.length());
		return poolApplicationName.substring(0, Math.min(poolApplicationName.length(), kept)) + suffix;
	}

	/**
	 * Keep of a name what the server keeps of {@code application_name}: printable ASCII
	 * (others become {@code ?}), at most {@value #MAX_APPLICATION_NAME_LENGTH}
	 * characters.
	 * @param name the name
	 * @return what the server will show
	 */
	public static String applicationName(String name) {
		StringBuilder clean = new StringBuilder();
		name.chars()
			.limit(MAX_APPLICATION_NAME_LENGTH)
			.forEach((c) -> clean.append(isPrintableAscii(c) ? (char) c : '?'));
		return clean.toString();
	}

	/**
	 * Whether the server keeps a name as {@code application_name} unchanged.
	 * @param name the name
	 * @return whether it is printable ASCII, at most
	 * {@value #MAX_APPLICATION_NAME_LENGTH} characters
	 */
	public static boolean isValidApplicationName(String name) {
		return name.length() <= MAX_APPLICATION_NAME_LENGTH && name.chars().allMatch(PostgresLimits::isPrintableAscii);
	}

	private static boolean isPrintableAscii(int c) {
		return c >= 32 && c < 127;
	}

}
