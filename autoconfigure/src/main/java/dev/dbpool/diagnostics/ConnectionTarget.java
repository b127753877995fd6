package dev.dbpool.diagnostics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.SingletonBeanRegistry;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * What the application connected to when a connection failed, and where each part was
 * configured: the server, the database and the user as pgjdbc reads them from the JDBC
 * URL and the user name, the URL's source ({@code DATABASE_URL}, {@code
 * spring.datasource.url} with its origin, a {@code JdbcConnectionDetails} bean, or
 * Flyway's or Liquibase's own URL when their migration failed), and the password's
 * source, never its value. Uses pgjdbc's URL parser: only touched where pgjdbc is on the
 * class path.
 *
 * @param url the JDBC URL with any password masked, or {@code null} if it is not known
 * @param urlSource where the URL came from, e.g. {@code DATABASE_URL (environment
 * variable)}
 * @param hosts the hosts, in the URL's order
 * @param ports the ports, one per host
 * @param database the database, or {@code null} if not known
 * @param user the user the driver logged in as, or {@code null} if not known
 * @param userSource where the user came from
 * @param passwordSource where the password came from, or that none was set
 * @param passwordGiven whether a password was given, as far as is known
 * @param sslMode the {@code sslmode} the driver used, and where it came from
 * @author db-pool
 * @since 0.4.0
 */
record ConnectionTarget(@Nullable String url, String urlSource, List<String> hosts, List<String> ports,
		@Nullable String database, @Nullable String user, String userSource, String passwordSource,
		boolean passwordGiven, @Nullable String sslMode) {

	/** Looked up by name: spring-boot-jdbc is optional. */
	static final String CONNECTION_DETAILS = "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails";

	// Spring Boot's adapter of spring.datasource.*: not a source of its own.
	private static final String PROPERTIES_CONNECTION_DETAILS = "org.springframework.boot.jdbc.autoconfigure.PropertiesJdbcConnectionDetails";

	private static final String DATASOURCE = "spring.datasource";

	// Beans that migrate with a connection of their own when their url or user is set.
	private static final Map<String, String> MIGRATION_BEANS = Map.of("flyway", "spring.flyway", "flywayInitializer",
			"spring.flyway", "liquibase", "spring.liquibase");

	// A value that is only a placeholder, e.g. ${DB_PASSWORD} or ${DB_PASSWORD:}: its
	// name is shown, never a default.
	private static final Pattern PLACEHOLDER = Pattern.compile("^\\$\\{([A-Za-z0-9_.\\-]+)(:[^}]*)?}$");

	/**
	 * Find what the application connected to when it failed.
	 * @param failure the start-up failure, to tell a migration's own connection
	 * @param environment the application's environment
	 * @param beanFactory the application's bean factory, to find a
	 * {@code JdbcConnectionDetails} bean, or {@code null}
	 * @return the target, with what is not known left {@code null}
	 */
	static ConnectionTarget find(Throwable failure, Environment environment, @Nullable BeanFactory beanFactory) {
		Sources sources = Sources.find(failure, environment, beanFactory);
		String url = sources.url;
		Properties parsed = (url != null) ? parse(url, null) : null;
		if (url == null || parsed == null) {
			return new ConnectionTarget((url != null) ? Secrets.maskUrl(url) : null, sources.urlSource, List.of(),
					List.of(), null, sources.user, sources.userSource, sources.passwordSource, sources.passwordGiven,
					null);
		}
		// As pgjdbc reads them: a user or password in the URL wins over the one given
		// beside it, and without either it logs in as the JVM's user.
		String urlUser = parsed.getProperty("user");
		String user = (urlUser != null) ? urlUser : sources.user;
		String userSource = (urlUser != null) ? "the user parameter of the URL, from " + sources.urlSource
				: sources.userSource;
		if (user == null) {
			user = System.getProperty("user.name");
			userSource += ", so pgjdbc uses the JVM's user name";
		}
		Properties withUser = (user != null) ? parse(url, user) : null;
		Properties effective = (withUser != null) ? withUser : parsed;
		boolean urlPassword = !parsed.getProperty("password", "").isEmpty();
		String passwordSource = urlPassword ? "the password parameter of the URL, from " + sources.urlSource
				: sources.passwordSource;
		return new ConnectionTarget(Secrets.maskUrl(url), sources.urlSource, split(effective.getProperty("PGHOST")),
				split(effective.getProperty("PGPORT")), effective.getProperty("PGDBNAME"), user, userSource,
				passwordSource, urlPassword || sources.passwordGiven, sslMode(effective));
	}

	/**
	 * Return the server as {@code host:port}, several separated by commas.
	 * @return the server, or {@code null} if not known
	 */
	@Nullable String server() {
		if (this.hosts.isEmpty()) {
			return null;
		}
		StringBuilder server = new StringBuilder();
		for (int i = 0; i < this.hosts.size(); i++) {
			server.append((i > 0) ? ", " : "")
				.append(this.hosts.get(i))
				.append(':')
				.append((i < this.ports.size()) ? this.ports.get(i) : "5432");
		}
		return server.toString();
	}

	/**
	 * Whether the URL carries a parameter, as pgjdbc reads it.
	 * @param parameter the parameter, e.g. {@code options}
	 * @return whether it is in the URL
	 */
	boolean urlHas(String parameter) {
		Properties parsed = (this.url != null) ? parse(this.url, null) : null;
		return parsed != null && parsed.getProperty(parameter) != null;
	}

	// pgjdbc's parser; a password default keeps it from reading ~/.pgpass, which the
	// analysis does not need.
	private static @Nullable Properties parse(String url, @Nullable String user) {
		Properties defaults = new Properties();
		defaults.setProperty("password", "");
		if (user != null) {
			defaults.setProperty("user", user);
		}
		try {
			return org.postgresql.Driver.parseURL(url, defaults);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static List<String> split(@Nullable String value) {
		return (value != null) ? Arrays.asList(value.split(",")) : List.of();
	}

	private static String sslMode(Properties parsed) {
		String sslMode = parsed.getProperty("sslmode");
		if (sslMode != null) {
			return sslMode + " (sslmode in the URL)";
		}
		String ssl = parsed.getProperty("ssl");
		if (ssl != null && (ssl.isEmpty() || Boolean.parseBoolean(ssl))) {
			return "verify-full (ssl=true in the URL)";
		}
		return "prefer (pgjdbc's default: SSL if the server offers it)";
	}

	/**
	 * Describe where a value came from: its name and source, e.g.
	 * {@code DATABASE_URL (environment variable)}, and the variable a file's placeholder
	 * reads; never the value.
	 */
	private static String describe(ConfiguredValue value) {
		String described = value.name() + " (" + value.source() + ")";
		if (!value.source().equals("environment variable")) {
			Matcher placeholder = PLACEHOLDER.matcher(value.value().trim());
			if (placeholder.matches()) {
				described += ", set from ${" + placeholder.group(1) + "}";
			}
		}
		return described;
	}

	/** The URL, the user and where they and the password were configured. */
	private static final class Sources {

		private @Nullable String url;

		private String urlSource = "spring.datasource.url, which is not set (nor is there a JdbcConnectionDetails bean)";

		private @Nullable String user;

		private String userSource = "spring.datasource.username, which is not set";

		private static final String PASSWORD_FILE = "app.db.pool.password-file";

		private String passwordSource = "spring.datasource.password, which is not set";

		private boolean passwordGiven;

		static Sources find(Throwable failure, Environment environment, @Nullable BeanFactory beanFactory) {
			Sources sources = new Sources();
			String migration = migrationPrefix(failure, environment);
			ConnectionDetailsBean details = ConnectionDetailsBean.find(beanFactory);
			if (migration != null && ConfiguredValue.find(migration + ".url", environment) != null) {
				sources.fromProperties(migration, environment, true);
			}
			else if (details != null) {
				sources.fromDetails(details);
				if (migration != null) {
					sources.fromProperties(migration, environment, false);
				}
			}
			else {
				sources.fromProperties(DATASOURCE, environment, true);
				if (migration != null) {
					sources.fromProperties(migration, environment, false);
				}
			}
			if (migration == null) {
				sources.fromPasswordFile(environment);
			}
			return sources;
		}

		// Flyway or Liquibase, when their bean failed and they connect on their own: a
		// url or user of theirs gives them a connection of their own.
		private static @Nullable String migrationPrefix(Throwable failure, Environment environment) {
			for (Throwable cause = failure; cause != null && cause != cause.getCause(); cause = cause.getCause()) {
				if (cause instanceof BeanCreationException creation && creation.getBeanName() != null) {
					String prefix = MIGRATION_BEANS.get(creation.getBeanName());
					if (prefix != null && (ConfiguredValue.find(prefix + ".url", environment) != null
							|| ConfiguredValue.find(prefix + ".user", environment) != null)) {
						return prefix;
					}
				}
			}
			return null;
		}

		/**
		 * Read the URL and the credentials' sources under a prefix: all of them, or, for
		 * a migration's own user, only the user and password.
		 */
		private void fromProperties(String prefix, Environment environment, boolean withUrl) {
			boolean datasource = prefix.equals(DATASOURCE);
			if (withUrl) {
				ConfiguredValue url = ConfiguredValue.find(prefix + ".url", environment);
				if (url != null) {
					this.url = environment.getProperty(prefix + ".url");
					this.urlSource = describe(url);
				}
				else if (!datasource) {
					return;
				}
			}
			String userKey = prefix + (datasource ? ".username" : ".user");
			ConfiguredValue user = ConfiguredValue.find(userKey, environment);
			if (user == null && !datasource && !withUrl) {
				return; // the migration uses the application's user
			}
			this.user = (user != null) ? environment.getProperty(userKey) : null;
			this.userSource = (user != null) ? describe(user) : userKey + ", which is not set";
			ConfiguredValue password = ConfiguredValue.find(prefix + ".password", environment);
			this.passwordSource = (password != null) ? describe(password) : prefix + ".password, which is not set";
			this.passwordGiven = password != null;
		}

		// db-pool's pool reads its password from the file where one is given.
		private void fromPasswordFile(Environment environment) {
			ConfiguredValue file = ConfiguredValue.find(PASSWORD_FILE, environment);
			if (file != null) {
				this.passwordSource = "the file " + file.value() + " given by " + describe(file);
				this.passwordGiven = true;
			}
		}

		private void fromDetails(ConnectionDetailsBean details) {
			Class<?> type = details.type();
			String bean = "the JdbcConnectionDetails bean '" + details.name() + "'"
					+ ((type != null) ? " (" + type.getName() + ")" : "");
			if (details.instance() != null) {
				this.url = details.url();
				this.urlSource = bean;
				this.user = details.user();
				this.userSource = bean;
				this.passwordSource = details.hasPassword() ? bean : bean + ", which gives none";
				this.passwordGiven = details.hasPassword();
			}
			else {
				this.urlSource = bean + ", destroyed when the start-up failed";
				this.userSource = bean;
				this.passwordSource = bean;
				this.passwordGiven = true; // as far as is known
			}
		}

	}

	/**
	 * A {@code JdbcConnectionDetails} bean other than Spring Boot's own adapter of
	 * {@code spring.datasource.*}: a service connection (Testcontainers, Docker Compose)
	 * or the application's own. Read only if it still exists; never created here.
	 */
	private record ConnectionDetailsBean(String name, @Nullable Class<?> type, @Nullable Object instance,
			@Nullable String url, @Nullable String user, boolean hasPassword) {

		static @Nullable ConnectionDetailsBean find(@Nullable BeanFactory beanFactory) {
			if (!(beanFactory instanceof ListableBeanFactory listable)
					|| !ClassUtils.isPresent(CONNECTION_DETAILS, ConnectionTarget.class.getClassLoader())) {
				return null;
			}
			for (String name : listable.getBeanNamesForType(JdbcConnectionDetails.class, true, false)) {
				Class<?> type = listable.getType(name, false);
				if (type != null && type.getName().equals(PROPERTIES_CONNECTION_DETAILS)) {
					continue;
				}
				Object instance = (beanFactory instanceof SingletonBeanRegistry registry) ? registry.getSingleton(name)
						: null;
				if (instance instanceof JdbcConnectionDetails details) {
					try {
						return new ConnectionDetailsBean(name, type, details, details.getJdbcUrl(),
								details.getUsername(), details.getPassword() != null);
					}
					catch (RuntimeException ex) {
						// A service whose container is gone: as if the bean were.
					}
				}
				return new ConnectionDetailsBean(name, type, null, null, null, false);
			}
			return null;
		}

	}

}
