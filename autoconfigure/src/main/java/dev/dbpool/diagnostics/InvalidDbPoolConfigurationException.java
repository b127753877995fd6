package dev.dbpool.diagnostics;

/**
 * Thrown at start-up when a db-pool setting cannot be used: a value out of range or of
 * the wrong kind, or two names for one setting that disagree. It names what was given,
 * where, what is allowed and how to fix it;
 * {@link InvalidDbPoolConfigurationFailureAnalyzer} turns it into the start-up failure
 * report.
 *
 * @author db-pool
 * @since 0.1.0
 */
public class InvalidDbPoolConfigurationException extends RuntimeException {

	private final String description;

	private final String action;

	/**
	 * Create an exception with a finished description and action.
	 * @param description what is wrong, naming the setting and the value
	 * @param action how to fix it
	 */
	public InvalidDbPoolConfigurationException(String description, String action) {
		super(description);
		this.description = description;
		this.action = action;
	}

	/**
	 * A value that is not allowed.
	 * @param value the value as given
	 * @param allowed what is allowed, e.g. {@code a whole number, at least 1}
	 * @return the exception
	 */
	public static InvalidDbPoolConfigurationException invalid(ConfiguredValue value, String allowed) {
		String description = "Invalid value for " + value.setting() + ": " + value.describe() + ". Allowed: " + allowed
				+ ".";
		String action = value.isExplicit() ? "Change " + value.name() + " to " + allowed
				+ (value.name().equals(value.setting()) ? "" : ", or remove it and set " + value.setting()) + "."
				: "Set " + value.setting() + " to " + allowed + ".";
		return new InvalidDbPoolConfigurationException(description, action);
	}

	/**
	 * A value that is not allowed together with another setting's value.
	 * @param value the value that is not allowed
	 * @param other the value it is checked against
	 * @param allowed what is allowed, e.g. {@code at most app.db.pool.max-connections}
	 * @return the exception
	 */
	public static InvalidDbPoolConfigurationException invalid(ConfiguredValue value, ConfiguredValue other,
			String allowed) {
		String description = "Invalid value for " + value.setting() + ": " + value.describe() + " with "
				+ other.setting() + " " + other.describe() + ". Allowed: " + value.setting() + " " + allowed + ".";
		String action = "Change " + (value.isExplicit() ? value.name() : value.setting()) + " or "
				+ (other.isExplicit() ? other.name() : other.setting()) + " so that " + value.setting() + " is "
				+ allowed + ".";
		return new InvalidDbPoolConfigurationException(description, action);
	}

	/**
	 * Two names for one setting that disagree.
	 * @param first the value under one name
	 * @param second the value under the other
	 * @return the exception
	 */
	public static InvalidDbPoolConfigurationException conflict(ConfiguredValue first, ConfiguredValue second) {
		String description = "Conflicting values for " + first.setting() + ": " + first.describe() + " and "
				+ second.describe() + " both set it and disagree.";
		String action = "Set it under one name only: remove " + second.name() + ", or make it equal to " + first.name()
				+ ".";
		return new InvalidDbPoolConfigurationException(description, action);
	}

	public String getDescription() {
		return this.description;
	}

	public String getAction() {
		return this.action;
	}

}
