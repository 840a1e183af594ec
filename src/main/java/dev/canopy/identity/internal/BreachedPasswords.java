package dev.canopy.identity.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The passwords known from breaches, as a sorted array of 40-bit fingerprints (the first 5 bytes of the
 * SHA-256 of the lower-cased password) read from {@code security/breached-passwords.bin.gz}.
 *
 * <p>Fingerprints instead of the words: 5 bytes a password in memory whatever its length, and a file of gaps
 * between sorted values that packs 430,000 passwords into about 1.3 MB. 40 bits leave a chance of about 4 in
 * 10 million that a password never seen in a breach is refused as if it had been, a price NIST's advice (refuse
 * the known ones) pays gladly.
 */
final class BreachedPasswords {

    static final String RESOURCE = "/security/breached-passwords.bin.gz";
    private static final int MAGIC = 0x434E5057; // "CNPW"
    private static final int VERSION = 1;

    private final long[] fingerprints;

    private BreachedPasswords(long[] fingerprints) {
        this.fingerprints = fingerprints;
    }

    /** The list shipped in the jar; a missing or damaged file is a broken build, so it fails loudly. */
    static BreachedPasswords shipped() {
        try (InputStream in = BreachedPasswords.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing");
            }
            return new BreachedPasswords(readFrom(new DataInputStream(new GZIPInputStream(in, 1 << 16))));
        }
        catch (IOException e) {
            throw new IllegalStateException(RESOURCE + " cannot be read", e);
        }
    }

    boolean contains(String password) {
        return Arrays.binarySearch(fingerprints, fingerprint(password)) >= 0;
    }

    int size() {
        return fingerprints.length;
    }

    /** Case-insensitive, as the policy has always compared: {@code Password1234} is as weak as {@code password1234}. */
    static long fingerprint(String password) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(password.toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long value = 0;
        for (int i = 0; i < 5; i++) {
            value = value << 8 | (digest[i] & 0xFF);
        }
        return value;
    }

    /** Magic, version, count, then each value as its gap to the one before in unsigned LEB128. */
    static void writeTo(DataOutputStream out, long[] sorted) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeInt(sorted.length);
        long previous = 0;
        for (long value : sorted) {
            long gap = value - previous;
            previous = value;
            while ((gap & ~0x7FL) != 0) {
                out.writeByte((int) (gap & 0x7F) | 0x80);
                gap >>>= 7;
            }
            out.writeByte((int) gap);
        }
    }

    static long[] readFrom(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC || in.readUnsignedByte() != VERSION) {
            throw new IOException("not a breached-password list of version " + VERSION);
        }
        long[] values = new long[in.readInt()];
        long previous = 0;
        for (int i = 0; i < values.length; i++) {
            long gap = 0;
            int shift = 0;
            int b;
            do {
                b = in.readUnsignedByte();
                gap |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            previous += gap;
            values[i] = previous;
        }
        return values;
    }
}
