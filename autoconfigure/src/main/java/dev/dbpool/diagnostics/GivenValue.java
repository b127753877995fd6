package dev.dbpool.diagnostics;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A value of a setting as given under one of its names, with where it was given.
 *
 * @param <T> the value's type
 * @param value the value, or {@code null} if it could not be read (binding reports that,
 * naming the property)
 * @param where the name, the value as written and where it came from
 * @author db-pool
 * @since 0.4.0
 */
public record GivenValue<T>(@Nullable T value, ConfiguredValue where) {

	/**
	 * The one rule for a setting given under several names (its own property, an
	 * environment alias, Spring's {@code spring.datasource.hikari.*}, a JDBC URL
	 * parameter): they must agree, and the first, the one of highest precedence, is the
	 * one used. Values that could not be read take no part.
	 * @param <T> the value's type
	 * @param given the values as given, highest precedence first
	 * @return the value to use, or {@code null} if none was given
	 * @throws InvalidDbPoolConfigurationException if two of them disagree, naming both
	 */
	public static <T> @Nullable GivenValue<T> agreed(List<GivenValue<T>> given) {
		GivenValue<T> first = null;
		for (GivenValue<T> other : given) {
			if (other.value() == null) {
				continue;
			}
			if (first == null) {
				first = other;
			}
			else if (!Objects.equals(first.value(), other.value())) {
				throw InvalidDbPoolConfigurationException.conflict(first.where(), other.where());
			}
		}
		return (first != null || given.isEmpty()) ? first : given.get(0);
	}

}
