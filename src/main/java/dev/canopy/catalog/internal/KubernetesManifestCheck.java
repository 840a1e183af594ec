package dev.canopy.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * At upload, a Kubernetes version's {@code manifests/**}{@code /*.yaml|yml} (what the driver applies) must be YAML
 * whose documents are single objects with {@code apiVersion}, {@code kind} and {@code metadata.name}, none a
 * {@code *List}. Placeholders ({@code {{ inputs.x }}}) stand for whole values, so each is read as a quoted
 * string, as the driver's substitution will write one; a placeholder inside a quoted string breaks that string
 * here as it would at run time. What depends on the deployment (its inputs, the account's namespace) is checked
 * when one is requested.
 */
final class KubernetesManifestCheck {

    static final String CODE = "KUBERNETES_MANIFEST_INVALID";
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    // the driver's placeholder syntax (provisioning's KubernetesDriver)
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*inputs((?:\\.[A-Za-z0-9_-]+)+)\\s*}}");

    private KubernetesManifestCheck() {
    }

    /**
     * For a Kubernetes version: 400 {@code KUBERNETES_MANIFEST_INVALID} with a field error per bad file, or
     * {@code KUBERNETES_MANIFESTS_MISSING}; other drivers' versions pass.
     */
    static void check(Driver driver, byte[] archive) {
        if (driver != Driver.KUBERNETES) {
            return;
        }
        Map<String, String> files = manifests(archive);
        if (files.isEmpty()) {
            throw ApiException.badRequest("KUBERNETES_MANIFESTS_MISSING", "A Kubernetes template needs its "
                    + "objects as manifests/*.yaml (or .yml).");
        }
        var errors = new ArrayList<FieldError>();
        files.forEach((name, text) -> problem(text).ifPresent(p -> errors.add(new FieldError(name, p))));
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, CODE, errors.getFirst().field() + ": "
                    + errors.getFirst().message() + (errors.size() > 1 ? " (and " + (errors.size() - 1)
                            + " more file" + (errors.size() > 2 ? "s" : "") + ")" : ""), errors);
        }
    }

    private static Optional<String> problem(String text) {
        String read = PLACEHOLDER.matcher(text).replaceAll(m -> "\"" + m.group(1).substring(1) + "\"");
        List<JsonNode> documents;
        try {
            documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(read).readAll();
        }
        catch (JacksonException | IllegalArgumentException e) {
            String why = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            return Optional.of("is not valid YAML: " + firstLine(why));
        }
        int n = 0;
        for (JsonNode doc : documents) {
            n++;
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue; // an empty document between two ---
            }
            if (!doc.isObject()) {
                return Optional.of("document " + n + " is not a Kubernetes object (a mapping)");
            }
            String kind = text(doc.path("kind"));
            if (text(doc.path("apiVersion")).isEmpty() || kind.isEmpty() || text(doc.path("metadata").path("name"))
                    .isEmpty()) {
                return Optional.of("document " + n + " needs apiVersion, kind and metadata.name");
            }
            if (kind.endsWith("List")) {
                return Optional.of("document " + n + " is a " + kind + "; write its items as documents");
            }
        }
        return Optional.empty();
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.asString().strip() : "";
    }

    private static String firstLine(String message) {
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** The archive's manifests by name, in path order (the archive passed {@link ArchiveInspection} already). */
    private static Map<String, String> manifests(byte[] archive) {
        Map<String, String> files = new TreeMap<>();
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive)).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                String name = entry.getName().replace('\\', '/');
                if (!entry.isDirectory() && name.startsWith("manifests/") && (name.endsWith(".yaml")
                        || name.endsWith(".yml"))) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        files.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        catch (IOException e) {
            throw ApiException.badRequest("ARCHIVE_MALFORMED", "The upload is not a readable ZIP archive.");
        }
        return files;
    }
}
