package dev.canopy.platform.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL that outlived the Canopy which started it ({@code kill -9}, a crash): it still runs on the data
 * directory, so {@code pg_ctl start} would refuse it. Found by the data directory's {@code postmaster.pid}
 * (first line the pid, second the data directory) while nobody holds the embedded server's lock file
 * ({@code epg-lock}, which zonky keeps locked for the life of its JVM: the operating system releases it when
 * that JVM dies, however it dies). A locked file means a live Canopy still uses the directory, and it is left
 * alone.
 */
final class LeftoverPostmaster {

    /** zonky's lock file in the data directory. */
    static final String LOCK_FILE = "epg-lock";
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(LeftoverPostmaster.class);

    private LeftoverPostmaster() {
    }

    /** Stops the PostgreSQL left running on {@code directory}, if any; true when there was one. */
    static boolean stopIfAny(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(channel)) {
            if (lock == null) {
                return false; // a live JVM runs this server: zonky's own lock refuses the start in plain words
            }
            Optional<ProcessHandle> postmaster = postmasterOf(pidFile, directory);
            if (postmaster.isEmpty()) {
                // the server died too; PostgreSQL replaces a stale pid file itself
                return false;
            }
            ProcessHandle process = postmaster.get();
            log.warn("A PostgreSQL (pid {}) left running on {} by an earlier Canopy that did not stop it; stopping it",
                    process.pid(), directory);
            // SIGTERM: a smart shutdown, which completes at once since its only client, the dead JVM, is gone; a
            // checkpoint is written and the next start needs no crash recovery
            process.destroy();
            try {
                process.onExit().get(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            catch (TimeoutException e) {
                throw new DatabaseUnavailableException("The PostgreSQL (pid " + process.pid() + ") left running on "
                        + directory + " by an earlier Canopy did not stop within " + SHUTDOWN_WAIT.toSeconds() + " s.",
                        "Stop it (kill " + process.pid() + ") and start Canopy again.");
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for PostgreSQL to stop", e);
            }
            catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e);
            }
            return true;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        }
        catch (OverlappingFileLockException e) {
            return null; // this very JVM holds it
        }
    }

    /**
     * The running postmaster the pid file names, only if it is a {@code postgres} process (a pid may have been
     * reused by anything since) on this very directory.
     */
    private static Optional<ProcessHandle> postmasterOf(Path pidFile, Path directory) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 2 || !lines.get(0).strip().matches("\\d{1,10}")
                || !Path.of(lines.get(1).strip()).toAbsolutePath().normalize()
                        .equals(directory.toAbsolutePath().normalize())) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals("postgres"))
                        .orElse(false));
    }
}
