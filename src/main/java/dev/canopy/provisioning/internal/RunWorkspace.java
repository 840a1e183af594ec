package dev.canopy.provisioning.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Comparator;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * A fresh directory, readable by this process only, holding a template version's files for one attempt of a run;
 * closing it removes it with everything the engine left there (variables, temporary files).
 */
final class RunWorkspace implements AutoCloseable {

    private final Path directory;

    private RunWorkspace(Path directory) {
        this.directory = directory;
    }

    /** Unpacks the archive (checked when it was published; entries leaving the directory are refused again). */
    static RunWorkspace unpack(byte[] archive) {
        Path directory;
        try {
            directory = Files.createTempDirectory("canopy-run-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (IOException e) {
            throw new DriverFailure("Could not create the run's work directory: " + e.getMessage(), true);
        }
        var workspace = new RunWorkspace(directory);
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive)).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                Path target = directory.resolve(entry.getName()).normalize();
                if (!target.startsWith(directory) || entry.isUnixSymlink()) {
                    throw new DriverFailure("The archive's entry '" + entry.getName() + "' is not a plain file "
                            + "inside it.", false);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            workspace.close();
            if (e instanceof DriverFailure failure) {
                throw failure;
            }
            throw new DriverFailure("Could not unpack the template version: " + e.getMessage(), false);
        }
        return workspace;
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is not worth failing the run for
        }
    }
}
