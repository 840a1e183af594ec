package dev.canopy.identity.internal;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds {@code src/main/resources/security/breached-passwords.bin.gz} from plain lists of passwords (one per
 * line, {@code .gz} or not): each password normalised as {@link BreachedPasswords#fingerprint} does, the
 * fingerprints sorted, de-duplicated and written as gaps. Not a test: run it by hand when the sources change,
 * as {@code security/breached-passwords.NOTICE} describes.
 */
final class BreachedPasswordListBuild {

    /** {@link PasswordPolicy#MAX_LENGTH}, repeated so this runs alone with {@code java}: longer ones are refused anyway. */
    private static final int MAX_LENGTH = 1024;

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        long[] all = new long[1 << 20];
        int n = 0;
        for (int i = 1; i < args.length; i++) {
            try (InputStream raw = Files.newInputStream(Path.of(args[i]));
                    InputStream in = args[i].endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                    var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String password = line.strip();
                    if (password.isEmpty() || password.length() > MAX_LENGTH) {
                        continue;
                    }
                    if (n == all.length) {
                        all = Arrays.copyOf(all, n * 2);
                    }
                    all[n++] = BreachedPasswords.fingerprint(password);
                }
            }
        }
        long[] sorted = Arrays.stream(all, 0, n).sorted().distinct().toArray();
        try (OutputStream file = Files.newOutputStream(target);
                var out = new DataOutputStream(new GZIPOutputStream(file, 1 << 16))) {
            BreachedPasswords.writeTo(out, sorted);
        }
        System.out.println(sorted.length + " fingerprints from " + n + " passwords written to " + target);
    }
}
