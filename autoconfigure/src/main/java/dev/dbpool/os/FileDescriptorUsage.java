package dev.dbpool.os;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

import com.sun.management.UnixOperatingSystemMXBean;
import org.jspecify.annotations.Nullable;

/**
 * The process's file descriptors at one moment, as the JVM's operating-system bean tells
 * them: on Linux and macOS, not on Windows. Each connection is a socket, so a descriptor.
 *
 * @param open descriptors open
 * @param max most descriptors the process may open (its {@code ulimit -n})
 * @author db-pool
 * @since 0.3.0
 */
public record FileDescriptorUsage(long open, long max) {

	/**
	 * Return the share of the maximum open.
	 * @return open divided by max, 0 to 1
	 */
	public double usage() {
		return (double) this.open / this.max;
	}

	/**
	 * Read this process's file descriptors.
	 * @return the descriptors, or {@code null} where the JVM does not tell them
	 */
	public static @Nullable FileDescriptorUsage read() {
		try {
			OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
			if (os instanceof UnixOperatingSystemMXBean unix) {
				long open = unix.getOpenFileDescriptorCount();
				long max = unix.getMaxFileDescriptorCount();
				return (open >= 0 && max > 0) ? new FileDescriptorUsage(open, max) : null;
			}
		}
		catch (LinkageError | RuntimeException ex) {
			// No jdk.management module: unknown, as on Windows.
		}
		return null;
	}

}
