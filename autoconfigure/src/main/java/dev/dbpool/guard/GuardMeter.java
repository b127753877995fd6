package dev.dbpool.guard;

import java.util.function.ToDoubleFunction;

/**
 * A meter a {@link PoolGuard} publishes: read from the guard's own state at each read, so
 * it costs nothing between reads. Described without Micrometer, which an application may
 * not have.
 *
 * @param <T> the type of the state read
 * @param name the meter's name, e.g. {@code db.pool.leaks}
 * @param description its description
 * @param type a gauge, a counter or a time gauge
 * @param state the state it reads, held as long as the pool
 * @param value how to read it
 * @author db-pool
 * @since 0.4.0
 */
public record GuardMeter<T>(String name, String description, Type type, T state, ToDoubleFunction<T> value) {

	/**
	 * A gauge: a value that goes up and down.
	 * @param <T> the type of the state read
	 * @param name the meter's name
	 * @param description its description
	 * @param state the state it reads
	 * @param value how to read it
	 * @return the meter
	 */
	public static <T> GuardMeter<T> gauge(String name, String description, T state, ToDoubleFunction<T> value) {
		return new GuardMeter<>(name, description, Type.GAUGE, state, value);
	}

	/**
	 * A counter: a count that only goes up, read from the guard's own count.
	 * @param <T> the type of the state read
	 * @param name the meter's name
	 * @param description its description
	 * @param state the state it reads
	 * @param value how to read it
	 * @return the meter
	 */
	public static <T> GuardMeter<T> counter(String name, String description, T state, ToDoubleFunction<T> value) {
		return new GuardMeter<>(name, description, Type.COUNTER, state, value);
	}

	/**
	 * A time gauge: a duration that goes up and down, read in seconds and published in
	 * the registry's base time unit.
	 * @param <T> the type of the state read
	 * @param name the meter's name
	 * @param description its description
	 * @param state the state it reads
	 * @param seconds how to read it, in seconds
	 * @return the meter
	 * @since 0.5.0
	 */
	public static <T> GuardMeter<T> timeGauge(String name, String description, T state, ToDoubleFunction<T> seconds) {
		return new GuardMeter<>(name, description, Type.TIME_GAUGE, state, seconds);
	}

	/**
	 * What kind of meter it is.
	 */
	public enum Type {

		/** A value that goes up and down. */
		GAUGE,

		/** A count that only goes up. */
		COUNTER,

		/**
		 * A duration that goes up and down, read in seconds.
		 * @since 0.5.0
		 */
		TIME_GAUGE

	}

}
