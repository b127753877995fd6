package dev.dbpool.pooler;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;
import org.postgresql.jdbc.SslMode;
import org.postgresql.ssl.LibPQFactory;
import org.postgresql.ssl.PGjdbcHostnameVerifier;

/**
 * A connection to PgBouncer's admin console that speaks only what the console needs of
 * PostgreSQL's protocol 3.0: the start-up, TLS as the URL's {@code sslmode} asks (through
 * pgjdbc's own SSL factory, so {@code sslrootcert}, {@code sslcert} and the like apply as
 * for the pool), password authentication (none, cleartext, MD5 or SCRAM-SHA-256) and
 * simple queries, whose rows come back as text.
 * <p>
 * Not pgjdbc itself: since 42.7.5 it runs {@code SET extra_float_digits} after logging in
 * to any server that reports a version below 12, which the console's {@code 1.x/bouncer}
 * is, and the console refuses that {@code SET} ({@code 08P01 ERROR: SET failed}) until
 * PgBouncer accepts it
 * (<a href="https://github.com/pgbouncer/pgbouncer/issues/1509">pgbouncer#1509</a>).
 * <p>
 * Every read and write is bounded by the socket timeout it is opened with. Failures are
 * {@link SQLException}s with PostgreSQL's SQLStates: the server's own, {@code 08001} when
 * it cannot be reached, {@code 08006} when the connection breaks.
 *
 * @author db-pool
 */
final class ConsoleConnection implements AutoCloseable {

	private static final int PROTOCOL_3_0 = 196608;

	private static final int SSL_REQUEST = 80877103;

	// Far more than SHOW POOLS ever sends: a guard against reading garbage as a length.
	private static final int MAX_MESSAGE = 16 * 1024 * 1024;

	private final Socket socket;

	private final DataInputStream in;

	private final DataOutputStream out;

	private ConsoleConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
		this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
	}

	/**
	 * Open a connection and log in.
	 * @param jdbcUrl the console's JDBC URL: its first host and port, its database and
	 * its SSL parameters are used
	 * @param user the user, or {@code null} for none
	 * @param password the password, or {@code null} for none
	 * @param applicationName the {@code application_name} to show in PgBouncer
	 * @param timeout the connect timeout and the socket timeout
	 * @return the connection, ready for queries
	 * @throws SQLException if it cannot be opened or the login fails
	 */
	static ConsoleConnection open(String jdbcUrl, @Nullable String user, @Nullable String password,
			String applicationName, Duration timeout) throws SQLException {
		Properties url = org.postgresql.Driver.parseURL(jdbcUrl, null);
		if (url == null) {
			throw new SQLException("not a PostgreSQL URL: " + jdbcUrl, "08001");
		}
		String host = url.getProperty(PGProperty.PG_HOST.getName(), "localhost").split(",")[0];
		int port = Integer.parseInt(url.getProperty(PGProperty.PG_PORT.getName(), "5432").split(",")[0]);
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
			socket.setSoTimeout((int) timeout.toMillis());
			socket.setTcpNoDelay(true);
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new SQLException("cannot connect to " + host + ":" + port + " (" + ex + ")", "08001", ex);
		}
		ConsoleConnection connection = null;
		try {
			connection = new ConsoleConnection(secure(socket, host, port, url));
			connection.startUp(url.getProperty(PGProperty.PG_DBNAME.getName()), user, password, applicationName);
			return connection;
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new SQLException("the connection to " + host + ":" + port + " broke (" + ex + ")", "08006", ex);
		}
		catch (SQLException | RuntimeException ex) {
			closeQuietly((connection != null) ? connection.socket : socket);
			throw ex;
		}
	}

	// As pgjdbc does for sslmode: allow and disable start in the clear.
	private static Socket secure(Socket socket, String host, int port, Properties url)
			throws IOException, SQLException {
		SslMode mode = SslMode.of(url);
		if (mode == SslMode.DISABLE || mode == SslMode.ALLOW) {
			return socket;
		}
		DataOutputStream request = new DataOutputStream(socket.getOutputStream());
		request.writeInt(8);
		request.writeInt(SSL_REQUEST);
		request.flush();
		// One byte, read unbuffered: what follows is TLS.
		int answer = socket.getInputStream().read();
		if (answer == 'N') {
			if (mode.requireEncryption()) {
				throw new SQLException("the server does not support SSL, which sslmode=" + mode.value + " requires",
						"08004");
			}
			return socket;
		}
		if (answer != 'S') {
			throw new SQLException("unexpected answer to the SSL request: " + answer, "08P01");
		}
		SSLSocket ssl = (SSLSocket) new LibPQFactory(url).createSocket(socket, host, port, true);
		ssl.startHandshake();
		if (mode.verifyPeerName() && !PGjdbcHostnameVerifier.INSTANCE.verify(host, ssl.getSession())) {
			throw new SQLException("the server's certificate does not match the host name " + host, "08006");
		}
		return ssl;
	}

	private void startUp(@Nullable String database, @Nullable String user, @Nullable String password,
			String applicationName) throws IOException, SQLException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		DataOutputStream parameters = new DataOutputStream(body);
		parameters.writeInt(PROTOCOL_3_0);
		parameter(parameters, "user", user);
		parameter(parameters, "database", database);
		parameter(parameters, "application_name", applicationName);
		parameter(parameters, "client_encoding", "UTF8");
		parameters.writeByte(0);
		this.out.writeInt(4 + body.size());
		body.writeTo(this.out);
		this.out.flush();
		ScramSha256 scram = null;
		while (true) {
			Message message = receive();
			switch (message.type()) {
				case 'R' -> scram = authenticate(message, user, password, scram);
				case 'E' -> throw refused(message.error(), user);
				case 'Z' -> {
					return;
				}
				case 'S', 'K', 'N' -> {
					// Parameters, the cancel key and notices: not needed.
				}
				default -> throw unexpected(message);
			}
		}
	}

	// PgBouncer's words for a user it keeps out of its console: say who may come in.
	private static SQLException refused(SQLException error, @Nullable String user) {
		if (error.getMessage() == null || !error.getMessage().endsWith("not allowed")) {
			return error;
		}
		return new SQLException(error.getMessage() + " (PgBouncer lets only the users in its admin_users and "
				+ "stats_users into its console: add '" + user + "' to stats_users, or give another user in the URL)",
				error.getSQLState());
	}

	private static void parameter(DataOutputStream parameters, String name, @Nullable String value) throws IOException {
		if (value != null) {
			parameters.write(cString(name));
			parameters.write(cString(value));
		}
	}

	private @Nullable ScramSha256 authenticate(Message message, @Nullable String user, @Nullable String password,
			@Nullable ScramSha256 scram) throws IOException, SQLException {
		int request = message.int32();
		switch (request) {
			case 0 -> {
				return scram;
			}
			case 3 -> sendPassword(cString(required(password)));
			case 5 -> sendPassword(cString(md5(required(password), (user != null) ? user : "", message.bytes(4))));
			case 10 -> {
				List<String> mechanisms = new ArrayList<>();
				for (String mechanism = message.cString(); !mechanism.isEmpty(); mechanism = message.cString()) {
					mechanisms.add(mechanism);
				}
				if (!mechanisms.contains(ScramSha256.MECHANISM)) {
					throw new SQLException("the console offers only " + mechanisms + " to log in", "28000");
				}
				ScramSha256 exchange = new ScramSha256(required(password));
				byte[] first = exchange.clientFirst();
				ByteArrayOutputStream body = new ByteArrayOutputStream();
				DataOutputStream initial = new DataOutputStream(body);
				initial.write(cString(ScramSha256.MECHANISM));
				initial.writeInt(first.length);
				initial.write(first);
				sendPassword(body.toByteArray());
				return exchange;
			}
			case 11 -> sendPassword(scramInProgress(scram).clientFinal(message.rest()));
			case 12 -> scramInProgress(scram).verifyServerFinal(message.rest());
			default ->
				throw new SQLException(
						"the console asks for an authentication db-pool does not speak (request " + request
								+ "); give it a user logging in by password: md5, scram-sha-256, plain or trust",
						"28000");
		}
		return scram;
	}

	private static String required(@Nullable String password) throws SQLException {
		if (password == null) {
			throw new SQLException("the console asks for a password and none is given", "28P01");
		}
		return password;
	}

	private static ScramSha256 scramInProgress(@Nullable ScramSha256 scram) throws SQLException {
		if (scram == null) {
			throw new SQLException("SCRAM continued before it started", "08P01");
		}
		return scram;
	}

	// PostgreSQL's MD5: "md5" + md5hex(md5hex(password + user) + salt).
	private static String md5(String password, String user, byte[] salt) throws SQLException {
		try {
			MessageDigest inner = MessageDigest.getInstance("MD5");
			inner.update(password.getBytes(StandardCharsets.UTF_8));
			inner.update(user.getBytes(StandardCharsets.UTF_8));
			MessageDigest outer = MessageDigest.getInstance("MD5");
			outer.update(HexFormat.of().formatHex(inner.digest()).getBytes(StandardCharsets.US_ASCII));
			outer.update(salt);
			return "md5" + HexFormat.of().formatHex(outer.digest());
		}
		catch (GeneralSecurityException ex) {
			throw new SQLException("MD5 is not available (" + ex.getMessage() + ")", "28000", ex);
		}
	}

	private void sendPassword(byte[] body) throws IOException {
		send('p', body);
	}

	/**
	 * Run a query in the simple protocol.
	 * @param sql the query
	 * @return its rows, each by column name, its values as text ({@code null} for NULL)
	 * @throws SQLException if the console refuses it or the connection breaks
	 */
	List<Map<String, @Nullable String>> query(String sql) throws SQLException {
		try {
			send('Q', cString(sql));
			List<String> columns = List.of();
			List<Map<String, @Nullable String>> rows = new ArrayList<>();
			SQLException error = null;
			while (true) {
				Message message = receive();
				switch (message.type()) {
					case 'T' -> columns = message.columns();
					case 'D' -> rows.add(message.row(columns));
					case 'E' -> error = message.error();
					case 'Z' -> {
						if (error != null) {
							throw error;
						}
						return rows;
					}
					case 'C', 'I', 'N', 'S' -> {
						// Done, empty, notices and parameters: nothing to keep.
					}
					default -> throw unexpected(message);
				}
			}
		}
		catch (IOException ex) {
			throw new SQLException("the connection to PgBouncer's console broke (" + ex + ")", "08006", ex);
		}
	}

	private void send(char type, byte[] body) throws IOException {
		this.out.writeByte(type);
		this.out.writeInt(4 + body.length);
		this.out.write(body);
		this.out.flush();
	}

	private Message receive() throws IOException, SQLException {
		char type = (char) this.in.readUnsignedByte();
		int length = this.in.readInt();
		if (length < 4 || length > MAX_MESSAGE) {
			throw new SQLException("unexpected message length " + length + " (type '" + type + "')", "08P01");
		}
		byte[] body = new byte[length - 4];
		this.in.readFully(body);
		return new Message(type, ByteBuffer.wrap(body));
	}

	private static SQLException unexpected(Message message) {
		return new SQLException("unexpected message '" + message.type() + "' from PgBouncer's console", "08P01");
	}

	private static byte[] cString(String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		byte[] terminated = new byte[bytes.length + 1];
		System.arraycopy(bytes, 0, terminated, 0, bytes.length);
		return terminated;
	}

	@Override
	public void close() {
		try {
			send('X', new byte[0]);
		}
		catch (IOException ex) {
			// Broken already: closing the socket is all there is to do.
		}
		closeQuietly(this.socket);
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Nothing left to release.
		}
	}

	/**
	 * A message from the server: its type and its body.
	 *
	 * @param type the message's type byte
	 * @param body its body, read from its position on
	 */
	private record Message(char type, ByteBuffer body) {

		int int32() {
			return this.body.getInt();
		}

		byte[] bytes(int length) {
			byte[] bytes = new byte[length];
			this.body.get(bytes);
			return bytes;
		}

		byte[] rest() {
			return bytes(this.body.remaining());
		}

		String cString() {
			int start = this.body.position();
			while (this.body.get() != 0) {
				// Up to the terminating zero.
			}
			return new String(this.body.array(), start, this.body.position() - start - 1, StandardCharsets.UTF_8);
		}

		// RowDescription: each column's name, then 18 bytes of type information.
		List<String> columns() {
			int count = this.body.getShort();
			List<String> columns = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				columns.add(cString());
				this.body.position(this.body.position() + 18);
			}
			return columns;
		}

		Map<String, @Nullable String> row(List<String> columns) {
			int count = this.body.getShort();
			Map<String, @Nullable String> row = new LinkedHashMap<>();
			for (int i = 0; i < count; i++) {
				int length = this.body.getInt();
				String value = (length < 0) ? null : new String(bytes(length), StandardCharsets.UTF_8);
				row.put((i < columns.size()) ? columns.get(i) : String.valueOf(i), value);
			}
			return row;
		}

		// ErrorResponse: as pgjdbc words it, "SEVERITY: message", with the SQLState.
		SQLException error() {
			Map<Character, String> fields = new LinkedHashMap<>();
			for (byte field = this.body.get(); field != 0; field = this.body.get()) {
				fields.put((char) field, cString());
			}
			String severity = fields.getOrDefault('S', "ERROR");
			return new SQLException(severity + ": " + fields.getOrDefault('M', "(no message)"),
					fields.getOrDefault('C', "XX000"));
		}

	}

}
