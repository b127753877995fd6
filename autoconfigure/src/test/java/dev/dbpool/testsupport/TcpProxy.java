package dev.dbpool.testsupport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of the test server, to make a database restart, a
 * failover or a refusing server happen for one test only, without touching the server the
 * other tests share.
 * <p>
 * It listens on an ephemeral port of 127.0.0.1 and forwards each connection to the
 * server, byte for byte, until it is told to refuse: then it accepts a connection and
 * closes it at once, before a byte is exchanged. pgjdbc reports that as
 * {@code 08001 The connection attempt failed.} (an EOF where the server's first answer
 * should be), which is as retryable as a real refusal; unlike closing the listening
 * socket, it keeps the port, and each refused attempt is counted. {@link #dropAll()}
 * closes every forwarded connection at once, both ways, as a server that restarts does.
 * <p>
 * Every thread is a daemon and ends with its sockets; {@link #close()} closes them all.
 * Connect through it with {@link #jdbcUrl(String)}.
 */
public final class TcpProxy implements Closeable {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	private final ServerSocket listener;

	private final InetSocketAddress target;

	private final Thread acceptor;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private final AtomicInteger refuseNext = new AtomicInteger();

	private final AtomicLong refuseUntil = new AtomicLong(System.nanoTime());

	private final AtomicInteger refused = new AtomicInteger();

	private final AtomicInteger forwarded = new AtomicInteger();

	private volatile boolean closed;

	private TcpProxy(String host, int port) throws IOException {
		this.target = new InetSocketAddress(host, port);
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::accept, "tcp-proxy-" + this.listener.getLocalPort());
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	/**
	 * Start a proxy to the test server.
	 * @return the proxy, listening
	 * @throws IOException if it cannot listen
	 */
	public static TcpProxy toTestDatabase() throws IOException {
		TestDatabase database = TestDatabase.get();
		return new TcpProxy(database.host(), database.port());
	}

	/**
	 * Return the port the proxy listens on.
	 * @return the port
	 */
	public int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * Return the JDBC URL of a database on the test server, through the proxy. SSL is
	 * off, so that pgjdbc opens exactly one TCP connection per attempt.
	 * @param database the database
	 * @return the URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?sslmode=disable&gssEncMode=disable";
	}

	/**
	 * Refuse the next connection attempts.
	 * @param attempts how many
	 */
	public void refuseNext(int attempts) {
		this.refuseNext.set(attempts);
	}

	/**
	 * Refuse every connection attempt for a while from now.
	 * @param duration how long
	 */
	public void refuseFor(Duration duration) {
		this.refuseUntil.set(System.nanoTime() + duration.toNanos());
	}

	/**
	 * Close every connection being forwarded, both to the client and to the server.
	 * @return how many were closed
	 */
	public int dropAll() {
		int dropped = 0;
		for (Link link : this.links) {
			link.close();
			dropped++;
		}
		return dropped;
	}

	/**
	 * Return how many connection attempts were refused so far.
	 * @return the number refused
	 */
	public int refused() {
		return this.refused.get();
	}

	/**
	 * Return how many connections were forwarded so far.
	 * @return the number forwarded
	 */
	public int forwarded() {
		return this.forwarded.get();
	}

	/**
	 * Return how many connections are being forwarded now.
	 * @return the number open
	 */
	public int open() {
		return this.links.size();
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.listener.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (refuse()) {
				this.refused.incrementAndGet();
				closeQuietly(client);
				continue;
			}
			try {
				Socket server = new Socket();
				server.connect(this.target, (int) CONNECT_TIMEOUT.toMillis());
				Link link = new Link(client, server);
				this.links.add(link);
				this.forwarded.incrementAndGet();
				if (this.closed) {
					link.close();
				}
				else {
					link.start();
				}
			}
			catch (IOException ex) {
				closeQuietly(client);
			}
		}
	}

	private boolean refuse() {
		if (System.nanoTime() - this.refuseUntil.get() < 0) {
			return true;
		}
		return this.refuseNext.getAndUpdate((left) -> Math.max(0, left - 1)) > 0;
	}

	@Override
	public void close() {
		this.closed = true;
		closeQuietly(this.listener);
		dropAll();
		try {
			this.acceptor.join(CONNECT_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/**
	 * One forwarded connection: a thread for each direction.
	 */
	private final class Link {

		private final Socket client;

		private final Socket server;

		private Link(Socket client, Socket server) {
			this.client = client;
			this.server = server;
		}

		void start() {
			pump(this.client, this.server, "up");
			pump(this.server, this.client, "down");
		}

		private void pump(Socket from, Socket to, String direction) {
			Thread thread = new Thread(() -> {
				byte[] buffer = new byte[8192];
				try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
					for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
						out.write(buffer, 0, read);
						out.flush();
					}
				}
				catch (SocketException ex) {
					// closed by the other direction or by dropAll()
				}
				catch (IOException ex) {
					// the connection ends either way
				}
				finally {
					close();
				}
			}, "tcp-proxy-" + port() + "-" + direction);
			thread.setDaemon(true);
			thread.start();
		}

		void close() {
			TcpProxy.this.links.remove(this);
			closeQuietly(this.client);
			closeQuietly(this.server);
		}

	}

}
