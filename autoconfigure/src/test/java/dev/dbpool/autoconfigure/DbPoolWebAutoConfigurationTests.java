package dev.dbpool.autoconfigure;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import dev.dbpool.web.ConnectionUnavailableExceptionResolver;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.DispatcherServlet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the 503 answer to requests that could not get a connection, or lost it, is there:
 * in a servlet web application with Spring MVC, unless switched off or replaced by the
 * application's own.
 */
class DbPoolWebAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DbPoolWebAutoConfiguration.class));

	@Test
	void resolverInAServletWebApplicationWithSpringMvc() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ConnectionUnavailableExceptionResolver.class);
			assertThat(retryAfter(context.getBean(ConnectionUnavailableExceptionResolver.class))).isEqualTo("1");
		});
	}

	@Test
	void retryAfterIsRoundedUpToWholeSeconds() {
		this.runner.withPropertyValues("app.db.pool.web.retry-after=2500ms")
			.run((context) -> assertThat(retryAfter(context.getBean(ConnectionUnavailableExceptionResolver.class)))
				.isEqualTo("3"));
	}

	@Test
	void retryAfterThatIsNotPositiveFailsNamingPropertyValueAndWhatIsAllowed() {
		this.runner.withPropertyValues("app.db.pool.web.retry-after=0")
			.run((context) -> assertThat(StartupFailures.invalidConfiguration(context).getDescription())
				.contains("app.db.pool.web.retry-after='0'")
				.contains("Allowed: a positive duration, e.g. 1s"));
	}

	@Test
	void noResolverWhenSwitchedOff() {
		this.runner.withPropertyValues("app.db.pool.web.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ConnectionUnavailableExceptionResolver.class));
	}

	@Test
	void noResolverWithoutSpringMvc() {
		this.runner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ConnectionUnavailableExceptionResolver.class));
	}

	@Test
	void noResolverOutsideAWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DbPoolWebAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ConnectionUnavailableExceptionResolver.class));
	}

	@Test
	void backsOffForTheApplicationsOwn() {
		ConnectionUnavailableExceptionResolver own = new ConnectionUnavailableExceptionResolver(Duration.ofSeconds(7));
		this.runner.withBean("ownResolver", ConnectionUnavailableExceptionResolver.class, () -> own)
			.run((context) -> assertThat(context).getBean(ConnectionUnavailableExceptionResolver.class).isSameAs(own));
	}

	private static String retryAfter(ConnectionUnavailableExceptionResolver resolver) {
		MockHttpServletResponse response = new MockHttpServletResponse();
		resolver.resolveException(new MockHttpServletRequest(), response, null,
				new SQLTransientConnectionException("timed out"));
		return response.getHeader("Retry-After");
	}

}
