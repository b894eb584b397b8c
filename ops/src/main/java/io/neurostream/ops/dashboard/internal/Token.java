package io.neurostream.ops.dashboard.internal;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The dashboard's shared secret: given as {@code Authorization: Bearer T} or, for an EventSource (which cannot
 * set headers), as query parameter {@code token=T}. Compared in constant time: both sides are hashed with
 * SHA-256 first, so neither the content nor the length of the token leaks through the time a wrong one takes.
 */
public final class Token {
    private final byte[] digest;

    private Token(byte[] digest) {
        this.digest = digest;
    }

    /** A token, or null for none (every request passes). */
    public static Token of(String secret) {
        return secret == null || secret.isEmpty() ? null : new Token(sha256(secret));
    }

    /** Whether the request carries this token. */
    public boolean admits(HttpExchange exchange) {
        String given = null;
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = auth.substring(7).strip();
        }
        if (given == null) {
            given = Http.query(exchange).get("token");
        }
        return matches(given);
    }

    /** Whether {@code given} is this token, in time independent of where they differ. */
    public boolean matches(String given) {
        return given != null && MessageDigest.isEqual(digest, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
