package dev.dbpool.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The habits of Spring Boot's own auto-configurations, checked: registered only through
 * the imports file (sorted), {@code public final}, every bean replaceable by the user.
 */
class AutoConfigurationConventionsTests {

	@Test
	void importsAreSortedAndEachIsAPublicFinalAutoConfiguration() throws Exception {
		List<String> imports = imports();
		assertThat(imports).isNotEmpty().isSorted();
		for (String name : imports) {
			Class<?> type = Class.forName(name);
			assertThat(type.isAnnotationPresent(AutoConfiguration.class)).as(name).isTrue();
			assertThat(Modifier.isPublic(type.getModifiers()) && Modifier.isFinal(type.getModifiers())).as(name)
				.isTrue();
			assertThat(type.getSimpleName()).endsWith("AutoConfiguration");
		}
	}

	@Test
	void everyBeanBacksOffForTheUsersOwnAndIsNotPublic() throws Exception {
		for (String name : imports()) {
			for (Class<?> type : withNested(Class.forName(name))) {
				for (Method method : type.getDeclaredMethods()) {
					if (method.isAnnotationPresent(Bean.class)) {
						assertThat(method.isAnnotationPresent(ConditionalOnMissingBean.class))
							.as("@ConditionalOnMissingBean on %s", method)
							.isTrue();
						assertThat(Modifier.isPublic(method.getModifiers())).as("%s is public", method).isFalse();
					}
				}
			}
		}
	}

	private static List<Class<?>> withNested(Class<?> type) {
		List<Class<?>> all = new java.util.ArrayList<>();
		all.add(type);
		Arrays.stream(type.getDeclaredClasses()).forEach((nested) -> all.addAll(withNested(nested)));
		return all;
	}

	private static List<String> imports() throws IOException {
		try (InputStream in = AutoConfigurationConventionsTests.class
			.getResourceAsStream("/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
			assertThat(in).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.map(String::trim)
				.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
				.toList();
		}
	}

}
