package dev.dbpool.diagnostics;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Runtime hints for the analysis of a database that cannot be reached: it checks by name
 * whether pgjdbc and Spring Boot's {@code JdbcConnectionDetails} are on the class path,
 * which a native image answers only for registered types. Registered in
 * {@code META-INF/spring/aot.factories}.
 *
 * @author db-pool
 */
class ConnectionFailureRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerTypeIfPresent(classLoader, DatabaseConnectionFailureAnalyzer.PGJDBC_DRIVER);
		hints.reflection().registerTypeIfPresent(classLoader, ConnectionTarget.CONNECTION_DETAILS);
	}

}
