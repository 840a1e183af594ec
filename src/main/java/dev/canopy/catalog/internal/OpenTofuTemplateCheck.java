package dev.canopy.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code opentofu} version's files, checked at upload rather than in a run: configuration ({@code *.tf} or
 * {@code *.tf.json}) at the archive's root, {@code *.tf.json} files JSON objects, and none of the names the driver
 * writes itself (its backend override, variables, plan) nor an engine's working data (a {@code .terraform}
 * directory, state files): the state is Canopy's. Refusals are 400 {@code OPENTOFU_TEMPLATE_INVALID}, all at once.
 */
final class OpenTofuTemplateCheck {

    static final String CODE = "OPENTOFU_TEMPLATE_INVALID";
    private static final Set<String> RESERVED = Set.of("canopy_backend_override.tf", "canopy.auto.tfvars.json",
            "canopy.tfplan", ".canopy-cli.tfrc", ".canopy-kubeconfig");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenTofuTemplateCheck() {
    }

    static void check(Manifest manifest, InspectedArchive inspected, byte[] archive) {
        if (manifest.driver() != Driver.OPENTOFU) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        boolean configuration = false;
        for (InspectedArchive.ArchiveFile file : inspected.files()) {
            String path = file.path();
            boolean root = !path.contains("/");
            if (root && (path.endsWith(".tf") || path.endsWith(".tf.json"))) {
                configuration = true;
            }
            if (root && RESERVED.contains(path)) {
                errors.add(new FieldError("files." + path, "is a name the opentofu driver writes itself"));
            }
            if (path.equals(".terraform") || path.startsWith(".terraform/") || path.contains("/.terraform/")) {
                errors.add(new FieldError("files." + path, "is an engine's working directory; leave it out"));
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (name.endsWith(".tfstate") || name.endsWith(".tfstate.backup")) {
                errors.add(new FieldError("files." + path, "is a state file; Canopy keeps each deployment's state"));
            }
        }
        if (!configuration) {
            errors.add(new FieldError("files", "must hold *.tf or *.tf.json files at the archive's root"));
        }
        errors.addAll(jsonConfiguration(archive));
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, CODE, "The archive is not an OpenTofu/Terraform "
                    + "configuration the opentofu driver can run.", errors);
        }
    }

    /** {@code *.tf.json} files that are no JSON object (the engine would refuse them at its first run). */
    private static List<FieldError> jsonConfiguration(byte[] archive) {
        List<FieldError> errors = new ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive)).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                String name = entry.getName().replace('\\', '/');
                if (entry.isDirectory() || !name.endsWith(".tf.json")) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    JsonNode document = JSON.readTree(in);
                    if (document == null || !document.isObject()) {
                        errors.add(new FieldError("files." + name, "must be a JSON object"));
                    }
                }
                catch (JacksonException e) {
                    errors.add(new FieldError("files." + name, "is not JSON"));
                }
            }
        }
        catch (IOException e) {
            errors.add(new FieldError("files", "could not be read"));
        }
        return errors;
    }
}
