package dev.dbpool.autoconfigure;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import dev.dbpool.testsupport.EnvironmentVariables;
import dev.dbpool.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolRuntimeHints}: what reflection does while db-pool's pool is built
 * is registered for a native image, and Spring AOT registers it with the pool's
 * configuration.
 */
class PoolRuntimeHintsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withInitializer(EnvironmentVariables.of())
		.withPropertyValues("spring.datasource.url=" + TestDatabase.get().jdbcUrl());

	@Test
	void everyFieldHikariCopiesIntoThePoolIsAccessible() {
		RuntimeHints hints = hints();
		// HikariConfig.copyStateTo copies each field that is not final.
		List<Field> copied = Arrays.stream(HikariConfig.class.getDeclaredFields())
			.filter((field) -> !Modifier.isFinal(field.getModifiers()))
			.toList();
		assertThat(copied).isNotEmpty()
			.allSatisfy(
					(field) -> assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).as(field.getName())
						.accepts(hints));
	}

	@Test
	void hikariPropertiesCanBeBoundOntoTheConfiguration() {
		RuntimeHints hints = hints();
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(HikariConfig.class, "setMaximumPoolSize"))
			.accepts(hints);
		assertThat(
				RuntimeHintsPredicates.reflection().onMethodInvocation(HikariConfig.class, "setDataSourceProperties"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(HikariConfig.class, "setAutoCommit"))
			.accepts(hints);
	}

	@Test
	void postgresqlDriverCanBeCreatedByName() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(Driver.class.getConstructor()))
			.accepts(hints());
	}

	@Test
	void aotProcessingOfThePoolsConfigurationRegistersTheHints() {
		this.runner.prepare((context) -> {
			RuntimeHints hints = processAheadOfTime(context);
			assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(HikariConfig.class, "maxPoolSize"))
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(HikariConfig.class, "setMaximumPoolSize"))
				.accepts(hints);
		});
	}

	@Test
	void aotProcessingWithoutThePoolRegistersNone() {
		this.runner.withPropertyValues("app.db.pool.enabled=false").prepare((context) -> {
			assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(HikariConfig.class, "maxPoolSize"))
				.rejects(processAheadOfTime(context));
		});
	}

	// As process-aot does, on a context not refreshed: the conditions are evaluated, no
	// bean is created.
	private static RuntimeHints processAheadOfTime(AssertableApplicationContext context) {
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Application")), new InMemoryGeneratedFiles());
		new ApplicationContextAotGenerator()
			.processAheadOfTime((GenericApplicationContext) context.getSourceApplicationContext(), generation);
		return generation.getRuntimeHints();
	}

	private static RuntimeHints hints() {
		RuntimeHints hints = new RuntimeHints();
		new PoolRuntimeHints().registerHints(hints, PoolRuntimeHintsTests.class.getClassLoader());
		return hints;
	}

}
