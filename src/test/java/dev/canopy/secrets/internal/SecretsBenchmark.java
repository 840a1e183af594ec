package dev.canopy.secrets.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.canopy.platform.Ids;
import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;
import dev.canopy.support.ApiTest;

/**
 * Seal+open per second with cached data keys, and how long re-wrapping data keys after a KEK rotation takes, for
 * {@code docs/benchmarks.md}. Tag {@code benchmark}: run with
 * {@code ./mvnw -o test -Dtest=SecretsBenchmark -DexcludedTestGroups=none}; figures go to
 * {@code target/benchmarks/secrets.txt}.
 */
@Tag("benchmark")
class SecretsBenchmark extends ApiTest {

    private static final int RUNS = 3;
    private static final int OPS = 20_000;
    private static final int OWNERS = 2_000;
    private static final List<String> RESULTS = new ArrayList<>();

    @Autowired
    Secrets secrets;

    @Autowired
    DataKeys dataKeys;

    @Autowired
    KeyRotation rotation;

    @Test
    void sealAndOpen() throws Exception {
        byte[] secret = "a 40-character secret access key value!!".getBytes();
        for (int threads : new int[] { 1, 4 }) {
            long[] rates = new long[RUNS];
            for (int run = -1; run < RUNS; run++) {
                SecretBinding binding = SecretBinding.tenant(Ids.newId(), "cloud_accounts", "1");
                secrets.seal(binding, secret); // the data key exists and is cached
                long start = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        done.add(pool.submit(() -> {
                            for (int i = 0; i < OPS / threads; i++) {
                                secrets.open(binding, secrets.seal(binding, secret));
                            }
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                if (run >= 0) { // run -1 warms up
                    rates[run] = OPS * 1_000_000_000L / (System.nanoTime() - start);
                }
            }
            record("seal+open, cached data key, " + threads + " thread(s)", rates, "/s");
        }
    }

    @Test
    void rewrapAfterKekRotation() {
        for (int run = 0; run < RUNS; run++) {
            for (int i = 0; i < OWNERS; i++) {
                dataKeys.forSealing(UUID.randomUUID());
            }
            long total = rotation.keysPerKekVersion().values().stream().mapToLong(Long::longValue).sum();
            long start = System.nanoTime();
            rotation.rotateKek();
            while (rotation.rewrapRunning() || pending() > 0) {
                Thread.onSpinWait();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            RESULTS.add("| re-wrap of all " + total + " data keys after a KEK rotation | " + millis + " ms | "
                    + (total * 1000 / Math.max(1, millis)) + " keys/s | " + load() + " |");
        }
    }

    private long pending() {
        var counts = rotation.keysPerKekVersion();
        return counts.entrySet().stream().filter(e -> e.getKey() != rotation.primaryVersion())
                .mapToLong(java.util.Map.Entry::getValue).sum();
    }

    private static void record(String what, long[] rates, String unit) {
        long[] sorted = rates.clone();
        Arrays.sort(sorted);
        RESULTS.add("| " + what + " | " + String.format("%,d", sorted[RUNS / 2]) + unit + " | "
                + Arrays.toString(rates) + " | " + load() + " |");
    }

    private static String load() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    @AfterAll
    static void write() throws IOException {
        RESULTS.forEach(System.out::println);
        Files.createDirectories(Path.of("target/benchmarks"));
        Files.write(Path.of("target/benchmarks/secrets.txt"), RESULTS);
    }
}
