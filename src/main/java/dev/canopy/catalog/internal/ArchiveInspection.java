package dev.canopy.catalog.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.jspecify.annotations.Nullable;

import dev.canopy.platform.web.ApiException;

/**
 * Checks an uploaded ZIP before anything of it is stored: every path relative and inside the archive, no
 * symlinks, no duplicate names, at most so many entries, so many bytes unpacked (counted while inflating, not
 * believed from headers) and such a compression ratio, nested ZIPs only so deep. Each refusal has its own code.
 */
public final class ArchiveInspection {

    public static final String MANIFEST = "canopy.yaml";

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final int MAX_PATH = 1024;

    private final ArchiveLimits limits;
    private long unpacked;
    private int entries;

    private ArchiveInspection(ArchiveLimits limits) {
        this.limits = limits;
    }

    /** Inspects the archive, refusing it with 400 and a stable code at the first rule it breaks. */
    public static InspectedArchive inspect(byte[] archive, ArchiveLimits limits) {
        var inspection = new ArchiveInspection(limits);
        var files = new ArrayList<InspectedArchive.ArchiveFile>();
        byte[] manifest = inspection.walk(archive, 0, "", files);
        if (manifest == null) {
            throw ApiException.badRequest("MANIFEST_MISSING",
                    "The archive has no " + MANIFEST + " at its root.");
        }
        return new InspectedArchive(List.copyOf(files), manifest, inspection.unpacked);
    }

    private byte @Nullable [] walk(byte[] archive, int depth, String prefix,
            List<InspectedArchive.ArchiveFile> files) {
        byte[] manifest = null;
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive))
                .setIgnoreLocalFileHeader(false).get()) {
            Set<String> names = new HashSet<>();
            long before = unpacked;
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                String name = checkedName(prefix, entry);
                if (!names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name)) {
                    throw refused("ARCHIVE_DUPLICATE_ENTRY", "The archive holds '" + name + "' twice.");
                }
                if (++entries > limits.maxEntries()) {
                    throw refused("ARCHIVE_TOO_MANY_ENTRIES", "The archive has more than " + limits.maxEntries()
                            + " entries.");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                boolean nested = isZip(name);
                boolean isManifest = depth == 0 && name.equals(MANIFEST);
                if (nested && depth + 1 > limits.maxNesting()) {
                    throw refused("ARCHIVE_NESTING_TOO_DEEP", "'" + name + "' nests archives deeper than "
                            + limits.maxNesting() + " levels.");
                }
                // only the manifest and nested archives are kept; every other entry is inflated and counted
                var content = nested || isManifest ? new ByteArrayOutputStream() : null;
                long size = read(zip, entry, name, content);
                if (nested) {
                    walk(content.toByteArray(), depth + 1, name + "!/", files);
                }
                if (isManifest) {
                    manifest = content.toByteArray();
                }
                files.add(new InspectedArchive.ArchiveFile(name, size));
            }
            checkRatio(unpacked - before, archive.length, prefix.isEmpty() ? "The archive" : "'" + prefix + "'");
        }
        catch (IOException | RuntimeException e) {
            if (e instanceof ApiException refusal) {
                throw refusal;
            }
            throw refused("ARCHIVE_MALFORMED", (prefix.isEmpty() ? "The upload" : "'" + prefix + "'")
                    + " is not a readable ZIP archive.");
        }
        return manifest;
    }

    private static String checkedName(String prefix, ZipArchiveEntry entry) {
        String raw = entry.getName();
        if (raw.isEmpty() || raw.length() > MAX_PATH || raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw refused("ARCHIVE_PATH_INVALID", "The archive has an entry with an invalid name.");
        }
        String name = raw.replace('\\', '/');
        if (name.startsWith("/") || DRIVE.matcher(name).matches()) {
            throw refused("ARCHIVE_ABSOLUTE_PATH", "'" + prefix + raw + "' is an absolute path.");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw refused("ARCHIVE_PATH_TRAVERSAL", "'" + prefix + raw + "' points outside the archive.");
            }
        }
        if (entry.isUnixSymlink()) {
            throw refused("ARCHIVE_SYMLINK", "'" + prefix + raw + "' is a symbolic link.");
        }
        return prefix + name;
    }

    /** Inflates an entry, counting its bytes against the limits, into {@code keep} when given; answers its size. */
    private long read(ZipFile zip, ZipArchiveEntry entry, String name, @Nullable ByteArrayOutputStream keep)
            throws IOException {
        long budget = limits.maxUnpacked().toBytes() - unpacked;
        long size = 0;
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                size += n;
                if (size > budget) {
                    throw refused("ARCHIVE_TOO_LARGE_UNPACKED", "The archive unpacks to more than "
                            + limits.maxUnpacked().toMegabytes() + " MiB.");
                }
                if (keep != null) {
                    keep.write(buffer, 0, n);
                }
                checkRatio(size, entry.getCompressedSize(), "'" + name + "'");
            }
        }
        unpacked += size;
        return size;
    }

    private void checkRatio(long unpackedBytes, long packedBytes, String what) {
        if (unpackedBytes > ArchiveLimits.RATIO_FLOOR && unpackedBytes > (long) limits.maxRatio() * Math.max(1, packedBytes)) {
            throw refused("ARCHIVE_COMPRESSION_RATIO", what + " is compressed more than " + limits.maxRatio()
                    + " to 1.");
        }
    }

    private static boolean isZip(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".zip") || lower.endsWith(".jar");
    }

    private static ApiException refused(String code, String detail) {
        return ApiException.badRequest(code, detail);
    }
}
