package dev.dbpool.settings;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL driver's {@code options} connection parameter: server settings sent in
 * the start-up packet of every new connection ({@code -c statement_timeout=30000 …}), so
 * they cost no round trip, neither when the connection opens nor when it is borrowed.
 *
 * @author db-pool
 * @since 0.1.0
 */
public final class PostgresStartupOptions {

	/** The driver property (and JDBC URL parameter) that carries the options. */
	public static final String PROPERTY = "options";

	// -c name=value or --name=value; values here are plain (no escaped blanks)
	private static final Pattern SETTING = Pattern.compile("(?:-c\\s*|--)([A-Za-z0-9_.-]+)=(\\S*)");

	// As the server reads a time: a number, maybe with a fraction, and an optional unit
	private static final Pattern TIME = Pattern.compile("'?(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*(us|ms|s|min|h|d)?'?");

	private PostgresStartupOptions() {
	}

	/**
	 * Read the server settings an {@code options} value assigns.
	 * @param options the options value, may be {@code null}
	 * @return the settings by name (lower case, {@code _} for {@code -}), in order
	 */
	public static Map<String, String> parse(@Nullable String options) {
		Map<String, String> settings = new LinkedHashMap<>();
		if (options != null) {
			Matcher matcher = SETTING.matcher(options);
			while (matcher.find()) {
				settings.put(normalize(matcher.group(1)), matcher.group(2));
			}
		}
		return settings;
	}

	/**
	 * Merge db-pool's settings into an existing {@code options} value: the existing
	 * value's assignments of the same settings are replaced, everything else in it is
	 * kept.
	 * @param existing the existing options, may be {@code null}
	 * @param settings the settings to assign, by server name
	 * @return the merged options
	 */
	public static String merge(@Nullable String existing, Map<String, String> settings) {
		String kept = "";
		if (existing != null) {
			Matcher matcher = SETTING.matcher(existing);
			StringBuilder rest = new StringBuilder();
			while (matcher.find()) {
				matcher.appendReplacement(rest, settings.containsKey(normalize(matcher.group(1))) ? ""
						: Matcher.quoteReplacement(matcher.group()));
			}
			matcher.appendTail(rest);
			kept = rest.toString().trim().replaceAll("\\s{2,}", " ");
		}
		StringJoiner joiner = new StringJoiner(" ");
		if (!kept.isEmpty()) {
			joiner.add(kept);
		}
		settings.forEach((name, value) -> joiner.add("-c " + name + "=" + value));
		return joiner.toString();
	}

	/**
	 * Read a PostgreSQL time setting's value as the server would: a number, maybe with a
	 * fraction, with an optional unit ({@code us}, {@code ms}, {@code s}, {@code min},
	 * {@code h}, {@code d}; milliseconds by default), rounded to whole milliseconds.
	 * @param value the value, e.g. {@code 5000}, {@code 5s} or {@code 1.5s}
	 * @return the duration, or {@code null} if it is not such a value
	 */
	public static @Nullable Duration parseTime(String value) {
		Matcher matcher = TIME.matcher(value.trim());
		if (!matcher.matches()) {
			return null;
		}
		String unit = (matcher.group(2) != null) ? matcher.group(2) : "ms";
		BigDecimal millisPerUnit = switch (unit) {
			case "us" -> new BigDecimal("0.001");
			case "s" -> BigDecimal.valueOf(1_000);
			case "min" -> BigDecimal.valueOf(60_000);
			case "h" -> BigDecimal.valueOf(3_600_000);
			case "d" -> BigDecimal.valueOf(86_400_000);
			default -> BigDecimal.ONE;
		};
		// The server rounds to its base unit, half to even (rint).
		BigDecimal millis = new BigDecimal(matcher.group(1)).multiply(millisPerUnit)
			.setScale(0, RoundingMode.HALF_EVEN);
		return (millis.toBigInteger().bitLength() < 63) ? Duration.ofMillis(millis.longValueExact()) : null;
	}

	private static String normalize(String name) {
		return name.toLowerCase(Locale.ROOT).replace('-', '_');
	}

}
