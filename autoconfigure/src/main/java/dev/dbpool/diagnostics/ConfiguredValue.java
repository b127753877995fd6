package dev.dbpool.diagnostics;

/**
 * A value as the user gave it: under which name, where, and for which db-pool setting. Used to
 * say exactly what to change when a value cannot be used.
 *
 * @param setting the db-pool property the value is for, e.g. {@code app.db.pool.max-connections}
 * @param name the name the value was given under: the property as written or the environment
 * variable, e.g. {@code DB_MAX_CONNECTIONS}
 * @param value the value as given, already masked if it could hold a secret
 * @param source where it came from, e.g. {@code environment variable} or
 * {@code class path resource [application.yml] - 4:22}
 * @author db-pool
 * @since 0.1.0
 */
public record ConfiguredValue(String setting, String name, String value, String source) {

	/**
	 * Whether the value was given by the user rather than by a default or a profile.
	 * @return whether the user gave the value
	 */
	public boolean isExplicit() {
		return !this.source.equals(DEFAULT) && !this.source.startsWith(PROFILE);
	}

	/** Source of a value nobody set. */
	public static final String DEFAULT = "default";

	/** Prefix of the source of a value a profile set. */
	public static final String PROFILE = "profile ";

	/**
	 * Describe the value for a message: {@code DB_MAX_CONNECTIONS='abc' (environment variable)}.
	 * @return the description
	 */
	public String describe() {
		return this.name + "='" + this.value + "' (" + this.source + ")";
	}

}
