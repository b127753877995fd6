package dev.dbpool.os;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.TimeUnit;

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

	// Counting open descriptors lists /proc/self/fd on Linux: about 10µs, more with more
	// descriptors. A health check that may be probed every second reuses a recent count.
	private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static volatile @Nullable Reading recent;

	/**
	 * Return the share of the maximum open.
	 * @return open divided by max, 0 to 1
	 */
	public double usage() {
		return (double) this.open / this.max;
	}

	/**
	 * Return this process's file descriptors as read within the last second, reading them
	 * again when that reading is older.
	 * @return the descriptors, or {@code null} where the JVM does not tell them
	 */
	public static @Nullable FileDescriptorUsage recent() {
		long now = System.nanoTime();
		Reading reading = recent;
		if (reading == null || now - reading.nanoTime() > RECENT_NANOS) {
			reading = new Reading(now, read());
			recent = reading;
		}
		return reading.usage();
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

	private record Reading(long nanoTime, @Nullable FileDescriptorUsage usage) {
	}

}
