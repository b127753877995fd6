package dev.dbpool.diagnostics;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The one way db-pool writes a duration, in log lines, failure messages and health
 * details alike: exactly, in the largest units that keep it short, as a user writes one
 * in {@code application.yml}: {@code 0s}, {@code 250ms}, {@code 1.25s}, {@code 30s},
 * {@code 9m30s}, {@code 10m}, {@code 2h}. Spring Boot's {@code DurationStyle} prints a
 * duration in the one unit it is given ({@code 1500ms}, or {@code 1s} for 1.5 seconds),
 * so it does not serve here.
 *
 * @author db-pool
 * @since 0.4.0
 */
public final class Durations {

	private Durations() {
	}

	/**
	 * Write a duration, to the millisecond.
	 * @param duration the duration
	 * @return how it reads, e.g. {@code 0s}, {@code 250ms}, {@code 1.25s}, {@code 30s},
	 * {@code 9m30s} or {@code 2h}
	 */
	public static String format(Duration duration) {
		if (duration.isNegative()) {
			return "-" + format(duration.negated());
		}
		long millis = duration.toMillis();
		if (millis == 0) {
			return "0s";
		}
		if (millis < 1000) {
			return millis + "ms";
		}
		StringBuilder text = new StringBuilder();
		long hours = millis / 3_600_000;
		long minutes = (millis % 3_600_000) / 60_000;
		long secondsInMillis = millis % 60_000;
		if (hours != 0) {
			text.append(hours).append('h');
		}
		if (minutes != 0) {
			text.append(minutes).append('m');
		}
		if (secondsInMillis != 0) {
			text.append(BigDecimal.valueOf(secondsInMillis, 3).stripTrailingZeros().toPlainString()).append('s');
		}
		return text.toString();
	}

}
