package dev.canopy.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;
import dev.canopy.platform.web.ApiException.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code arm} version's files, checked at upload so that a template ARM could never take fails there and not
 * in a run later: {@code azuredeploy.json} a JSON object with {@code $schema} and {@code resources} (at most 4 MiB,
 * ARM's own limit), {@code azuredeploy.parameters.json} (if any) a JSON object with a {@code parameters} object, and
 * the manifest's {@code x-arm} block of a known shape, and every parameter without a default given a value by the
 * parameters file or an input. Refusals are 400 {@code ARM_TEMPLATE_INVALID}.
 */
final class ArmTemplateCheck {

    static final String TEMPLATE = "azuredeploy.json";
    static final String PARAMETERS = "azuredeploy.parameters.json";
    static final String CODE = "ARM_TEMPLATE_INVALID";
    private static final long MAX_TEMPLATE = 4L * 1024 * 1024;
    private static final Set<String> X_ARM = Set.of("scope", "resource_group", "location");
    private static final Pattern GROUP = Pattern.compile("[-\\w._()]{1,90}");
    private static final Pattern LOCATION = Pattern.compile("[a-zA-Z0-9]{1,40}");
    // ARM refuses a template that names a property twice; so does this check, rather than keep the last one
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ArmTemplateCheck() {
    }

    /** Refuses the version with 400 ARM_TEMPLATE_INVALID unless it is an ARM template ARM could read. */
    static void check(Manifest manifest, byte[] archive) {
        if (manifest.driver() != Driver.ARM) {
            return;
        }
        checkManifest(manifest.document().path("x-arm"));
        JsonNode template = read(archive, TEMPLATE);
        if (template == null) {
            throw refused("The archive has no " + TEMPLATE + " at its root; the arm driver deploys that template.",
                    TEMPLATE, "is missing");
        }
        List<FieldError> errors = new ArrayList<>();
        if (!template.path("$schema").isString()) {
            errors.add(new FieldError(TEMPLATE + ".$schema", "must be the template schema's URL"));
        }
        JsonNode resources = template.path("resources");
        if (!resources.isArray() && !resources.isObject()) {
            errors.add(new FieldError(TEMPLATE + ".resources", "must be a list of resources"));
        }
        if (template.has("parameters") && !template.get("parameters").isObject()) {
            errors.add(new FieldError(TEMPLATE + ".parameters", "must be an object of parameter definitions"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, CODE, TEMPLATE + " is not an ARM template.", errors);
        }
        JsonNode parameters = read(archive, PARAMETERS);
        if (parameters != null && !parameters.path("parameters").isObject()) {
            throw refused(PARAMETERS + " must hold a parameters object.", PARAMETERS + ".parameters",
                    "must be an object of {value} entries");
        }
        checkFilled(template.path("parameters"), parameters, manifest.inputs());
    }

    /**
     * Every template parameter without a {@code defaultValue} must get a value: from the parameters file, or from
     * an input of its name (compared case-insensitively, as ARM compares parameter names). Else ARM would refuse
     * every deployment of the version.
     */
    private static void checkFilled(JsonNode declared, JsonNode file, JsonNode inputs) {
        Set<String> given = new HashSet<>();
        if (file != null) {
            file.path("parameters").propertyNames().forEach(n -> given.add(n.toLowerCase(Locale.ROOT)));
        }
        inputs.path("properties").propertyNames().forEach(n -> given.add(n.toLowerCase(Locale.ROOT)));
        List<FieldError> errors = new ArrayList<>();
        for (var p : declared.properties()) {
            if (!p.getValue().has("defaultValue") && !given.contains(p.getKey().toLowerCase(Locale.ROOT))) {
                errors.add(new FieldError(TEMPLATE + ".parameters." + p.getKey(), "has no defaultValue, no value in "
                        + PARAMETERS + " and no input of that name"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, CODE, TEMPLATE + " has parameters no deployment could "
                    + "give a value.", errors);
        }
    }

    private static void checkManifest(JsonNode arm) {
        if (arm.isMissingNode()) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        if (!arm.isObject()) {
            errors.add(new FieldError("x-arm", "must be a mapping of scope, resource_group, location"));
        }
        else {
            arm.propertyNames().stream().filter(k -> !X_ARM.contains(k))
                    .forEach(k -> errors.add(new FieldError("x-arm." + k, "is not an x-arm field")));
            JsonNode scope = arm.path("scope");
            if (!scope.isMissingNode() && !scope.asString("").equals("resource_group")
                    && !scope.asString("").equals("subscription")) {
                errors.add(new FieldError("x-arm.scope", "must be resource_group or subscription"));
            }
            JsonNode group = arm.path("resource_group");
            if (!group.isMissingNode() && !(group.isString() && GROUP.matcher(group.asString()).matches())) {
                errors.add(new FieldError("x-arm.resource_group", "must be a resource group name"));
            }
            JsonNode location = arm.path("location");
            if (!location.isMissingNode() && !(location.isString() && LOCATION.matcher(location.asString())
                    .matches())) {
                errors.add(new FieldError("x-arm.location", "must be an Azure location such as westeurope"));
            }
            if (scope.asString("").equals("subscription") && location.isMissingNode()) {
                errors.add(new FieldError("x-arm.location", "is required for a subscription deployment"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, CODE, ArchiveInspection.MANIFEST
                    + " has an invalid x-arm block.", errors);
        }
    }

    /** The root file's JSON, or null when the archive has none; the archive passed its inspection already. */
    private static JsonNode read(byte[] archive, String name) {
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(archive)).get()) {
            ZipArchiveEntry entry = zip.getEntry(name);
            if (entry == null || entry.isDirectory()) {
                return null;
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(entry)) {
                bytes = in.readNBytes((int) MAX_TEMPLATE + 1);
            }
            if (bytes.length > MAX_TEMPLATE) {
                throw refused(name + " is larger than 4 MiB, the most ARM accepts.", name, "is too large");
            }
            JsonNode tree = JSON.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw refused(name + " must be a JSON object.", name, "must be a JSON object");
            }
            return tree;
        }
        catch (JacksonException e) {
            throw refused(name + " is not valid JSON: " + e.getOriginalMessage(), name, "is not valid JSON");
        }
        catch (IOException e) {
            throw ApiException.badRequest("ARCHIVE_MALFORMED", "The upload is not a readable ZIP archive.");
        }
    }

    private static ApiException refused(String detail, String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, CODE, detail, List.of(new FieldError(field, message)));
    }
}
