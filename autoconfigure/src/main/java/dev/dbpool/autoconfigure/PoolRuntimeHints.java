package dev.dbpool.autoconfigure;

import com.zaxxer.hikari.HikariConfig;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * Runtime hints (native images) for what reflection does while the pool db-pool builds is
 * built: {@code spring.datasource.hikari.*} is bound onto a {@link HikariConfig}, which
 * HikariCP then copies into the pool field by field ({@link HikariConfig#copyStateTo}),
 * and HikariCP creates the JDBC driver (pgjdbc's) from its class name. Spring Boot's own
 * hints cover only the pool it builds itself, which backs off for db-pool's.
 *
 * @author db-pool
 */
class PoolRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindableRuntimeHintsRegistrar.forTypes(HikariConfig.class).registerHints(hints, classLoader);
		hints.reflection().registerType(HikariConfig.class, MemberCategory.ACCESS_DECLARED_FIELDS);
		// Imported only where pgjdbc is on the class path, as the auto-configuration is.
		hints.reflection().registerType(Driver.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
	}

}
