package dev.dbpool.pooler;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 and 7677) as PostgreSQL and PgBouncer speak
 * it: no channel binding ({@code n,,}), the user name left to the start-up message, the
 * password used as given (not SASLprep-normalized, as libpq also falls back to). One
 * exchange per instance: {@link #clientFirst()}, {@link #clientFinal(byte[])}, then
 * {@link #verifyServerFinal(byte[])}.
 *
 * @author db-pool
 */
final class ScramSha256 {

	/** The mechanism's name, as the server lists it. */
	static final String MECHANISM = "SCRAM-SHA-256";

	private static final String GS2_HEADER = "n,,";

	private static final String HMAC = "HmacSHA256";

	private static final SecureRandom RANDOM = new SecureRandom();

	private final byte[] password;

	private final String clientNonce;

	private @Nullable String clientFirstBare;

	private byte @Nullable [] saltedPassword;

	private @Nullable String authMessage;

	ScramSha256(String password) {
		this.password = password.getBytes(StandardCharsets.UTF_8);
		byte[] nonce = new byte[18];
		RANDOM.nextBytes(nonce);
		this.clientNonce = Base64.getEncoder().encodeToString(nonce);
	}

	byte[] clientFirst() {
		this.clientFirstBare = "n=,r=" + this.clientNonce;
		return (GS2_HEADER + this.clientFirstBare).getBytes(StandardCharsets.UTF_8);
	}

	byte[] clientFinal(byte[] serverFirstMessage) throws SQLException {
		String serverFirst = new String(serverFirstMessage, StandardCharsets.UTF_8);
		Map<String, String> attributes = attributes(serverFirst);
		String nonce = attributes.get("r");
		String salt = attributes.get("s");
		String iterations = attributes.get("i");
		if (nonce == null || !nonce.startsWith(this.clientNonce) || salt == null || iterations == null) {
			throw failed("unexpected server-first-message");
		}
		try {
			byte[] salted = hi(Base64.getDecoder().decode(salt), Integer.parseInt(iterations));
			String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
					+ ",r=" + nonce;
			String message = this.clientFirstBare + "," + serverFirst + "," + withoutProof;
			byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.UTF_8));
			byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
			byte[] signature = hmac(storedKey, message.getBytes(StandardCharsets.UTF_8));
			byte[] proof = new byte[clientKey.length];
			for (int i = 0; i < proof.length; i++) {
				proof[i] = (byte) (clientKey[i] ^ signature[i]);
			}
			this.saltedPassword = salted;
			this.authMessage = message;
			return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw failed("cannot compute the proof (" + ex.getMessage() + ")");
		}
	}

	void verifyServerFinal(byte[] serverFinalMessage) throws SQLException {
		Map<String, String> attributes = attributes(new String(serverFinalMessage, StandardCharsets.UTF_8));
		if (attributes.containsKey("e")) {
			throw failed("the server refused: " + attributes.get("e"));
		}
		String verifier = attributes.get("v");
		if (verifier == null || this.saltedPassword == null || this.authMessage == null) {
			throw failed("unexpected server-final-message");
		}
		try {
			byte[] serverKey = hmac(this.saltedPassword, "Server Key".getBytes(StandardCharsets.UTF_8));
			byte[] expected = hmac(serverKey, this.authMessage.getBytes(StandardCharsets.UTF_8));
			if (!MessageDigest.isEqual(expected, Base64.getDecoder().decode(verifier))) {
				throw failed("the server's signature does not match: it does not know the password");
			}
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw failed("cannot check the server's signature (" + ex.getMessage() + ")");
		}
	}

	// PBKDF2 with HMAC-SHA-256, as RFC 5802 defines Hi().
	private byte[] hi(byte[] salt, int iterations) throws GeneralSecurityException {
		if (this.password.length == 0 || iterations < 1) {
			throw new GeneralSecurityException("an empty password or no iterations");
		}
		byte[] first = new byte[salt.length + 4];
		System.arraycopy(salt, 0, first, 0, salt.length);
		first[first.length - 1] = 1;
		byte[] u = hmac(this.password, first);
		byte[] result = u.clone();
		for (int i = 1; i < iterations; i++) {
			u = hmac(this.password, u);
			for (int j = 0; j < result.length; j++) {
				result[j] ^= u[j];
			}
		}
		return result;
	}

	private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
		Mac mac = Mac.getInstance(HMAC);
		mac.init(new SecretKeySpec(key, HMAC));
		return mac.doFinal(data);
	}

	private static Map<String, String> attributes(String message) {
		Map<String, String> attributes = new HashMap<>();
		for (String attribute : message.split(",")) {
			int equals = attribute.indexOf('=');
			if (equals > 0) {
				attributes.put(attribute.substring(0, equals), attribute.substring(equals + 1));
			}
		}
		return attributes;
	}

	private static SQLException failed(String why) {
		// invalid_authorization_specification, as pgjdbc reports a failed SCRAM exchange
		return new SQLException("SCRAM-SHA-256 authentication failed: " + why, "28000");
	}

}
