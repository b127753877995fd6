package dev.dbpool.sample;

import java.lang.reflect.InvocationTargetException;

/**
 * Whether the build runs the sample's end-to-end tests on virtual threads: Maven's
 * {@code -Dsample.virtual-threads=true} (CI's JDK 25 leg), which sample-app's pom hands
 * to surefire and failsafe. {@link AbstractOverHttpTests} and {@link GracefulShutdownIT}
 * then start the app with {@code spring.threads.virtual.enabled=true}.
 */
final class VirtualThreads {

	static final String PROPERTY = "sample.virtual-threads";

	private VirtualThreads() {
	}

	static boolean requested() {
		return Boolean.getBoolean(PROPERTY);
	}

	/**
	 * Whether the thread is a virtual thread: {@code Thread.isVirtual()} is Java 21's,
	 * and the tests compile for Java 17, where every thread is a platform thread.
	 */
	static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
		catch (IllegalAccessException | InvocationTargetException ex) {
			throw new IllegalStateException("Thread.isVirtual() failed", ex);
		}
	}

}
