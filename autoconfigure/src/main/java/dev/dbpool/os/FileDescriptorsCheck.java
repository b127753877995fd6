package dev.dbpool.os;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Checks the process's file descriptors against the connections its pools may open: each
 * connection is a socket, and a process out of descriptors fails to open connections,
 * files and sockets alike ("Too many open files").
 * <p>
 * At start-up, once the application's beans exist, it logs a WARN when the most
 * descriptors the process may open is below what it needs: the max-connections of every
 * pool of the process, plus {@value #MARGIN} for the rest. A fleet of instances needs
 * that much in each instance, each being a process with a limit of its own, so the check
 * is per process, over this process's pools. Then, at each {@link #checkUsage()} (every
 * monitor interval, on the monitor's thread), it logs a WARN while more than
 * {@link #WARN_USAGE} of the descriptors are open, and an INFO once they are back below
 * it. Where the JVM does not tell the descriptors (Windows), it logs nothing.
 *
 * @author db-pool
 * @since 0.3.0
 */
public class FileDescriptorsCheck implements SmartInitializingSingleton {

	/**
	 * Descriptors a process needs beside its pools' connections: its jars, log files,
	 * server and client sockets. A guess on the safe side for a Spring Boot service.
	 */
	public static final int MARGIN = 128;

	/** Share of the maximum open above which the periodic check warns. */
	public static final double WARN_USAGE = 0.8;

	private static final String FIX = "raise it with ulimit -n, LimitNOFILE in the systemd unit, "
			+ "or the container's nofile ulimit (docker run --ulimit nofile=…, or the runtime's equivalent)";

	private static final Log logger = LogFactory.getLog(FileDescriptorsCheck.class);

	private final Supplier<Map<String, Integer>> pools;

	private final Supplier<@Nullable FileDescriptorUsage> reader;

	private boolean high;

	/**
	 * Create a check of this process's file descriptors.
	 * @param pools the max-connections of each of the process's pools, by pool name, read
	 * at each check
	 */
	public FileDescriptorsCheck(Supplier<Map<String, Integer>> pools) {
		this(pools, FileDescriptorUsage::read);
	}

	FileDescriptorsCheck(Supplier<Map<String, Integer>> pools, Supplier<@Nullable FileDescriptorUsage> reader) {
		this.pools = pools;
		this.reader = reader;
	}

	@Override
	public void afterSingletonsInstantiated() {
		checkLimit();
	}

	/**
	 * Return how many descriptors the process needs: the max-connections of every pool,
	 * plus {@value #MARGIN}.
	 * @return the descriptors needed
	 */
	public long needed() {
		return connections(this.pools.get()) + MARGIN;
	}

	private static long connections(Map<String, Integer> pools) {
		return pools.values().stream().mapToLong(Integer::longValue).sum();
	}

	/**
	 * Log a WARN if the process may open fewer descriptors than it needs.
	 * @return whether it warned
	 */
	public boolean checkLimit() {
		FileDescriptorUsage usage = this.reader.get();
		if (usage == null) {
			return false;
		}
		Map<String, Integer> pools = this.pools.get();
		long connections = connections(pools);
		long needed = connections + MARGIN;
		if (usage.max() >= needed) {
			return false;
		}
		logger.warn("db-pool: this process may open at most " + usage.max() + " file descriptors (" + usage.open()
				+ " open now), but needs " + needed + ": " + connections + " for the connections of "
				+ pools.keySet().stream().map((pool) -> "'" + pool + "'").toList() + " at max-connections and " + MARGIN
				+ " for jars, logs and other sockets; " + FIX);
		return true;
	}

	/**
	 * Log a WARN if more than {@link #WARN_USAGE} of the descriptors are open, or an INFO
	 * if they were at the last check and are no longer: what the monitor's thread does
	 * every interval.
	 * @return whether more than {@link #WARN_USAGE} are open
	 */
	public boolean checkUsage() {
		FileDescriptorUsage usage = this.reader.get();
		if (usage == null) {
			return false;
		}
		boolean high = usage.usage() > WARN_USAGE;
		if (high) {
			logger.warn("db-pool: " + describe(usage) + ", above " + percent(WARN_USAGE)
					+ "; once none is left, opening connections, files and sockets fails; " + FIX
					+ ", or find what holds them");
		}
		else if (this.high) {
			logger.info("db-pool: " + describe(usage) + ", back below " + percent(WARN_USAGE));
		}
		this.high = high;
		return high;
	}

	private static String describe(FileDescriptorUsage usage) {
		return percent(usage.usage()) + " of the process's file descriptors are open (" + usage.open() + " of "
				+ usage.max() + ")";
	}

	private static String percent(double share) {
		return Math.round(share * 100) + "%";
	}

}
