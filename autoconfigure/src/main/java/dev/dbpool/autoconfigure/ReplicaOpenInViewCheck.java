package dev.dbpool.autoconfigure;

import dev.dbpool.diagnostics.ConfiguredValue;
import dev.dbpool.diagnostics.InvalidDbPoolConfigurationException;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Stops the start-up of a JPA web application with a read replica and an entity manager
 * open for the whole request ({@code spring.jpa.open-in-view}, on by default): Hibernate
 * then holds the connection the request's first transaction took until the request ends,
 * so a write after a read-only transaction would run on the read-only replica and fail
 * ({@code 25006}), and a read after a write would stay on the primary. Checked once every
 * bean exists, since Spring Boot registers the interceptor after the pool.
 *
 * @author db-pool
 */
final class ReplicaOpenInViewCheck implements SmartInitializingSingleton {

	static final String INTERCEPTOR = "org.springframework.orm.jpa.support.OpenEntityManagerInViewInterceptor";

	private static final String FILTER = "org.springframework.orm.jpa.support.OpenEntityManagerInViewFilter";

	private static final String OPEN_IN_VIEW = "spring.jpa.open-in-view";

	private final ListableBeanFactory beanFactory;

	private final Environment environment;

	ReplicaOpenInViewCheck(ListableBeanFactory beanFactory, Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	public void afterSingletonsInstantiated() {
		// Both in spring-orm, which the bean's condition requires.
		for (String type : new String[] { INTERCEPTOR, FILTER }) {
			Class<?> found = ClassUtils.resolveClassName(type, getClass().getClassLoader());
			if (this.beanFactory.getBeanNamesForType(found, true, false).length > 0) {
				throw InvalidDbPoolConfigurationException.invalid(
						ConfiguredValue.of(OPEN_IN_VIEW, true, this.environment),
						"false while " + ReplicaConnection.URL + " is set (the application has an "
								+ found.getSimpleName() + "): with an entity manager open for the whole request, "
								+ "Hibernate keeps the connection of the request's first transaction, so a write "
								+ "after a read-only transaction would run on the read-only replica (25006)");
			}
		}
	}

}
