package dev.canopy.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Builds template archives for tests, also the kinds a safe upload must refuse (paths outside the archive,
 * symlinks, duplicate names), which {@link java.util.zip.ZipOutputStream} would not write.
 */
public final class TemplateArchives {

    private final List<Entry> entries = new ArrayList<>();

    private record Entry(String name, byte[] content, boolean symlink, boolean stored) {
    }

    public static TemplateArchives with() {
        return new TemplateArchives();
    }

    /**
     * An archive with a manifest of the given name, version, driver and inputs (YAML), plus a playbook (and for the
     * drivers whose files are checked at upload a minimal file of theirs: a ConfigMap, an empty ARM template, an
     * empty OpenTofu configuration).
     */
    public static byte[] template(String version, String driver, String inputsYaml) {
        TemplateArchives archive = with().manifest(manifest(version, driver, inputsYaml)).file("playbook.yml",
                "- hosts: all\n");
        if (driver.equals("kubernetes")) {
            archive.file("manifests/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\n");
        }
        if (driver.equals("arm")) {
            archive.file("azuredeploy.json", "{\"$schema\": \"https://schema.management.azure.com/schemas/"
                    + "2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1.0.0.0\", \"resources\": []}");
        }
        if (driver.equals("opentofu")) {
            archive.file("main.tf", "# nothing to make\n");
        }
        return archive.zip();
    }

    public static String manifest(String version, String driver, String inputsYaml) {
        return "name: web-app\nversion: \"" + version + "\"\ndriver: " + driver + "\ndescription: A web app\n"
                + "inputs:\n" + inputsYaml.indent(2) + "outputs:\n  url: The address it answers on\n";
    }

    public TemplateArchives manifest(String yaml) {
        return file("canopy.yaml", yaml);
    }

    public TemplateArchives file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public TemplateArchives file(String name, byte[] content) {
        entries.add(new Entry(name, content, false, false));
        return this;
    }

    /** A file stored without compression (so a large one does not compress away). */
    public TemplateArchives stored(String name, byte[] content) {
        entries.add(new Entry(name, content, false, true));
        return this;
    }

    public TemplateArchives symlink(String name, String target) {
        entries.add(new Entry(name, target.getBytes(StandardCharsets.UTF_8), true, false));
        return this;
    }

    public byte[] zip() {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipArchiveOutputStream(bytes)) {
            zip.setLevel(java.util.zip.Deflater.BEST_SPEED); // tests build archives of tens of MiB
            for (Entry e : entries) {
                var entry = new ZipArchiveEntry(e.name());
                if (e.symlink()) {
                    entry.setUnixMode(UnixStat.LINK_FLAG | 0777);
                }
                if (e.stored()) {
                    entry.setMethod(ZipArchiveEntry.STORED);
                    entry.setSize(e.content().length);
                    var crc = new java.util.zip.CRC32();
                    crc.update(e.content());
                    entry.setCrc(crc.getValue());
                }
                zip.putArchiveEntry(entry);
                zip.write(e.content());
                zip.closeArchiveEntry();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
